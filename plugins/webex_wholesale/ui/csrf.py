"""Writes that ride on the Airflow UI's cookie must come from this site: no cross-site request forgery.

Airflow's ``get_user`` accepts the ``_token`` cookie the UI sets, and a browser attaches that cookie to a form
another site posts here. A write is therefore accepted only when its token came in an ``Authorization: Bearer``
header (which no other site can make a browser send: the app answers no CORS preflight), or when the browser
says the request comes from this very origin: ``Sec-Fetch-Site: same-origin`` (every current browser sends it),
else an ``Origin`` header naming this host. A cookie write with neither is refused too: a browser old enough to
send neither cannot be told apart from a forged request. Reads need no check; they change nothing.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from airflow.api_fastapi.core_api.security import bearer_scheme
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials

__all__ = ["refuse_cross_site_cookie_writes"]

_SAME_ORIGIN = "same-origin"


def _from_this_origin(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == _SAME_ORIGIN
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc == request.headers.get("host")


def refuse_cross_site_cookie_writes(
    request: Request, bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> None:
    """Dependency of every write: 403 unless the token came as a Bearer header or the request is same-origin.

    ``bearer_scheme`` is the very dependency ``get_user`` reads the header with, so "authenticated by the header"
    means the same thing here as there.
    """
    if bearer is not None and bearer.scheme.lower() == "bearer":
        return
    if not _from_this_origin(request):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "cross-site write refused: a write authenticated by the Airflow UI's cookie must come from a page of "
            "this site; API clients send the token as 'Authorization: Bearer <token>'",
        )
