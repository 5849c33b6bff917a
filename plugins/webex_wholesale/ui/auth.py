"""Who may see the onboarding pages: an authenticated Airflow user allowed to read the onboarding DAG's runs.

A FastAPI app mounted by a plugin inherits no authentication from Airflow's api-server, so this module is the
only thing between an anonymous caller and the audit trail. It reuses Airflow's own machinery: ``get_user``
(``GetUserDep``) reads the JWT from an ``Authorization: Bearer`` header or the UI's ``_token`` cookie and
validates it with the configured auth manager (401 when missing or expired, 403 when forged), and the auth
manager then decides whether that user may read the runs of ``webex_wholesale_onboarding`` (what the pages show).

A person who opens a page without a valid session (a link from a ticket or an email, a session that expired) is
sent to Airflow's login and brought back (:func:`login_redirect`) rather than shown a bare 401.
"""

from __future__ import annotations

from urllib.parse import urlencode

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.models.dag import DagModel
from fastapi import HTTPException, Request, status
from fastapi.responses import RedirectResponse

# The pages show this DAG's runs (their reports and audit records), so reading its runs is what they require.
from webex_wholesale.ids import ONBOARDING_DAG_ID

#: Airflow's own route that sends a person to the configured auth manager's login page, then to ``next``.
LOGIN_ROUTE = "/api/v2/auth/login"


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


def login_redirect(request: Request, airflow_root: str) -> RedirectResponse | None:
    """Where to send a person refused for having no valid session: Airflow's login, then back to this page.

    Only a browser asking for a page (a GET accepting ``text/html``) is sent; a script, or a fetch, keeps the
    plain 401 it can act on. ``airflow_root`` is the path of Airflow's ``[api] base_url``.
    """
    if request.method != "GET" or "text/html" not in request.headers.get("accept", ""):
        return None
    query = urlencode({"next": str(request.url)})
    return RedirectResponse(f"{airflow_root}{LOGIN_ROUTE}?{query}", status_code=status.HTTP_303_SEE_OTHER)
