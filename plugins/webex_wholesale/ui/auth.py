"""Who may see the onboarding pages and use the orders API: Airflow's auth manager decides, per DAG-run right.

A FastAPI app mounted by a plugin inherits no authentication from Airflow's api-server, so this module is the
only thing between an anonymous caller and the audit trail. It reuses Airflow's own machinery: ``get_user``
(``GetUserDep``) reads the JWT from an ``Authorization: Bearer`` header or the UI's ``_token`` cookie and
validates it with the configured auth manager (401 when missing or expired, 403 when forged), and the auth
manager then decides whether that user may read the runs of ``webex_wholesale_onboarding`` (what the pages show)
or trigger them (what queueing, retrying or cancelling an order amounts to: the queue starts those runs). A write
also passes the cross-site check of :mod:`webex_wholesale.ui.csrf`.

A person who opens a page without a valid session (a link from a ticket or an email, a session that expired) is
sent to Airflow's login and brought back (:func:`login_redirect`) rather than shown a bare 401.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.base_auth_manager import ResourceMethod
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.models.dag import DagModel
from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse

# The pages show this DAG's runs (their reports and audit records), so reading its runs is what they require.
from webex_wholesale.ids import ONBOARDING_DAG_ID
from webex_wholesale.ui.csrf import refuse_cross_site_cookie_writes

#: Airflow's own route that sends a person to the configured auth manager's login page, then to ``next``.
LOGIN_ROUTE = "/api/v2/auth/login"


def _may(user: BaseUser, method: ResourceMethod) -> bool:
    """Whether the auth manager lets ``user`` do ``method`` on the onboarding DAG's runs (team-aware, as Airflow's
    own routes are): ``GET`` reads them, ``POST`` triggers them."""
    return get_auth_manager().is_authorized_dag(
        method=method,
        access_entity=DagAccessEntity.RUN,
        details=DagDetails(id=ONBOARDING_DAG_ID, team_name=DagModel.get_team_name(ONBOARDING_DAG_ID)),
        user=user,
    )


def may_read_onboarding_runs(user: BaseUser) -> bool:
    """Whether ``user`` may read the onboarding DAG's runs: what every page and every API read shows."""
    return _may(user, "GET")


def may_trigger_onboarding_runs(user: BaseUser) -> bool:
    """Whether ``user`` may trigger onboarding runs: what queueing, retrying and cancelling an order require."""
    return _may(user, "POST")


def require_onboarding_reader(user: GetUserDep) -> BaseUser:
    """App-wide dependency: the caller's Airflow user, or 401/403 before any page code runs."""
    if not may_read_onboarding_runs(user):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"user {user.get_name()!r} may not read the runs of {ONBOARDING_DAG_ID}",
        )
    return user


def require_onboarding_writer(
    user: GetUserDep, _same_site: Annotated[None, Depends(refuse_cross_site_cookie_writes)]
) -> BaseUser:
    """Dependency of every route that changes the queue: a user who may trigger onboarding runs, asking from this
    site (or with a Bearer token), or 401/403 before the route runs."""
    if not may_trigger_onboarding_runs(user):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"user {user.get_name()!r} may not trigger runs of {ONBOARDING_DAG_ID}, so may not change orders",
        )
    return user


#: The user of a route that changes the queue, checked by :func:`require_onboarding_writer`.
WriterDep = Annotated[BaseUser, Depends(require_onboarding_writer)]


def login_redirect(request: Request, airflow_root: str) -> RedirectResponse | None:
    """Where to send a person refused for having no valid session: Airflow's login, then back to this page.

    Only a browser asking for a page (a GET accepting ``text/html``) is sent; a script, or a fetch, keeps the
    plain 401 it can act on. ``airflow_root`` is the path of Airflow's ``[api] base_url``.
    """
    if request.method != "GET" or "text/html" not in request.headers.get("accept", ""):
        return None
    query = urlencode({"next": str(request.url)})
    return RedirectResponse(f"{airflow_root}{LOGIN_ROUTE}?{query}", status_code=status.HTTP_303_SEE_OTHER)
