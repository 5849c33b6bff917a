"""Who may see the onboarding pages: an authenticated Airflow user allowed to read the onboarding DAG's runs.

A FastAPI app mounted by a plugin inherits no authentication from Airflow's api-server, so this module is the
only thing between an anonymous caller and the audit trail. It reuses Airflow's own machinery: ``get_user``
(``GetUserDep``) reads the JWT from an ``Authorization: Bearer`` header or the UI's ``_token`` cookie and
validates it with the configured auth manager (401 when missing or expired, 403 when forged), and the auth
manager then decides whether that user may read the runs of ``webex_wholesale_onboarding`` (what the pages show).
"""

from __future__ import annotations

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.models.dag import DagModel
from fastapi import HTTPException, status

# The pages show this DAG's runs (their reports and audit records), so reading its runs is what they require.
from webex_wholesale.ids import ONBOARDING_DAG_ID


def may_read_onboarding_runs(user: BaseUser) -> bool:
    """Whether the auth manager lets ``user`` read the onboarding DAG's runs (team-aware, as Airflow's routes are)."""
    return get_auth_manager().is_authorized_dag(
        method="GET",
        access_entity=DagAccessEntity.RUN,
        details=DagDetails(id=ONBOARDING_DAG_ID, team_name=DagModel.get_team_name(ONBOARDING_DAG_ID)),
        user=user,
    )


def require_onboarding_reader(user: GetUserDep) -> BaseUser:
    """App-wide dependency: the caller's Airflow user, or 401/403 before any page code runs."""
    if not may_read_onboarding_runs(user):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"user {user.get_name()!r} may not read the runs of {ONBOARDING_DAG_ID}",
        )
    return user
