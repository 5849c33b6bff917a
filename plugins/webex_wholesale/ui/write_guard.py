"""Who may queue a change from a page: a user allowed to start the change DAG's runs, asking from this site.

The pages authenticate with the UI's ``_token`` cookie, which a browser also sends with a form posted from another
site; so a write must come from this site too: ``Sec-Fetch-Site`` (sent by every current browser) must not say
``cross-site`` or ``same-site``, and an ``Origin``, when sent, must be this host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.models.dag import DagModel
from fastapi import HTTPException, Request, status

from webex_wholesale.ids import CHANGE_DAG_ID

__all__ = ["require_change_writer"]

_OWN_SITE = ("same-origin", "none")


def _from_this_site(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in _OWN_SITE:
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def require_change_writer(request: Request, user: GetUserDep) -> None:
    """Route dependency: 403 unless the user may trigger ``webex_wholesale_change`` and asks from this site."""
    if not _from_this_site(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a change can only be queued from this site's own pages")
    allowed = get_auth_manager().is_authorized_dag(
        method="POST",
        access_entity=DagAccessEntity.RUN,
        details=DagDetails(id=CHANGE_DAG_ID, team_name=DagModel.get_team_name(CHANGE_DAG_ID)),
        user=user,
    )
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"user {user.get_name()!r} may not start {CHANGE_DAG_ID} runs")
