"""``POST /v1/access_token`` with ``grant_type=refresh_token``, so clients can test their token refresh.

Off unless ``--oauth-client-id``, ``--oauth-client-secret`` and ``--oauth-refresh-token`` are all set. Each
refresh issues a new access token (accepted as a bearer token until it expires) and hands back the same
refresh token, as Webex does for a refresh token in regular use (notes §10).
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wholesale_sim.errors import SIM_NOT_FOUND, SIM_UNAUTHORIZED, ApiError, bad_request
from wholesale_sim.runtime import SimRuntime, runtime

ACCESS_TOKEN_TTL = 14 * 24 * 3600
REFRESH_TOKEN_TTL = 90 * 24 * 3600

router = APIRouter()


@router.post("/access_token")
async def refresh_access_token(request: Request, sim: SimRuntime = Depends(runtime)) -> Response:  # noqa: B008
    config = sim.config
    if not config.oauth_enabled:
        raise ApiError(404, "OAuth token refresh is not configured on this simulator (--oauth-*).", SIM_NOT_FOUND)
    form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "refresh_token":
        raise bad_request(f"grant_type must be refresh_token, got {form.get('grant_type')!r}.")
    client_ok = secrets.compare_digest(form.get("client_id", ""), config.oauth_client_id or "") and (
        secrets.compare_digest(form.get("client_secret", ""), config.oauth_client_secret or "")
    )
    if not client_ok:
        raise ApiError(401, "Unknown client_id or wrong client_secret.", SIM_UNAUTHORIZED)
    if not secrets.compare_digest(form.get("refresh_token", ""), config.oauth_refresh_token or ""):
        raise bad_request("The refresh_token is invalid or expired.")
    access_token = f"sim-at-{secrets.token_urlsafe(24)}"
    sim.issued_tokens[access_token] = sim.now() + ACCESS_TOKEN_TTL
    return JSONResponse(
        {
            "access_token": access_token,
            "expires_in": ACCESS_TOKEN_TTL,
            "refresh_token": config.oauth_refresh_token,
            "refresh_token_expires_in": REFRESH_TOKEN_TTL,
            "token_type": "Bearer",
        }
    )
