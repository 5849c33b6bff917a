"""Who may queue a change from a page: a user allowed to start the change DAG's runs, asking from this site.

The cross-site rule is the one every write of the pages follows (:mod:`webex_wholesale.ui.csrf`); the permission is
the change DAG's, since the order queued is a change that DAG will plan and, when it removes anything, ask to have
approved.
"""

from __future__ import annotations

from typing import Annotated

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.models.dag import DagModel
from fastapi import Depends, HTTPException, status

from webex_wholesale.ids import CHANGE_DAG_ID
from webex_wholesale.ui.csrf import refuse_cross_site_cookie_writes

__all__ = ["require_change_writer"]


def require_change_writer(
    user: GetUserDep, _same_site: Annotated[None, Depends(refuse_cross_site_cookie_writes)]
) -> None:
    """Route dependency: 403 unless the user may trigger ``webex_wholesale_change`` and asks from this site."""
    allowed = get_auth_manager().is_authorized_dag(
        method="POST",
        access_entity=DagAccessEntity.RUN,
        details=DagDetails(id=CHANGE_DAG_ID, team_name=DagModel.get_team_name(CHANGE_DAG_ID)),
        user=user,
    )
    if not allowed:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"user {user.get_name()!r} may not trigger runs of {CHANGE_DAG_ID}, so may not queue a change",
        )
