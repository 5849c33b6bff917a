"""``create_app(config)``: the FastAPI application of one simulator.

Mounts the Webex routes under ``/v1`` (behind the bearer token: the wholesale ones and ``/messages``), the OAuth
refresh endpoint, the Setup Assist intake and ``/_sim``; renders every error in Webex's shape (FastAPI's own
404/405/422 included: a bad request is a 400 here, as at Webex); and, with ``--state-file``, keeps the state
saved while it runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from wholesale_sim.access import require_token
from wholesale_sim.config import SimConfig
from wholesale_sim.errors import (
    SIM_INVALID_REQUEST,
    SIM_METHOD_NOT_ALLOWED,
    SIM_NOT_FOUND,
    ApiError,
    error_response,
    tracking_id_of,
)
from wholesale_sim.middleware import TrackingMiddleware, TrafficMiddleware
from wholesale_sim.persistence import Saver
from wholesale_sim.routes import customers, introspection, messages, oauth, setup_assist, sub_partners, subscribers
from wholesale_sim.runtime import SimRuntime

HTTP_ERROR_CODES = {404: SIM_NOT_FOUND, 405: SIM_METHOD_NOT_ALLOWED}


def create_app(config: SimConfig) -> FastAPI:
    """Build the app; reference data and any state file are loaded now, so a bad file fails here."""
    sim = SimRuntime.start(config)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        saver = Saver(lambda: sim.state, config.state_file) if config.state_file else None
        if saver:
            saver.start()
        yield
        if saver:
            await saver.stop()

    app = FastAPI(
        title="Webex Wholesale API simulator",
        lifespan=lifespan,
        docs_url="/_sim/docs",
        redoc_url=None,
        openapi_url="/_sim/openapi.json",
    )
    app.state.sim = sim

    webex = APIRouter(prefix="/v1", dependencies=[Depends(require_token)])
    for module in (customers, subscribers, sub_partners, messages):
        webex.include_router(module.router)
    app.include_router(webex)
    app.include_router(oauth.router, prefix="/v1")
    app.include_router(setup_assist.router)
    app.include_router(introspection.router)

    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(TrafficMiddleware, sim=sim)
    app.add_middleware(TrackingMiddleware, sim=sim)  # added last = outermost
    return app


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.code, tracking_id_of(request), exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown route 404, wrong method 405), reshaped."""
    assert isinstance(exc, HTTPException)
    code = HTTP_ERROR_CODES.get(exc.status_code, SIM_INVALID_REQUEST)
    message = {404: "The requested resource was not found.", 405: "Method not allowed on this resource."}.get(
        exc.status_code, str(exc.detail)
    )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return error_response(exc.status_code, message, code, tracking_id_of(request), headers)


def _allowed_methods(request: Request) -> list[str]:
    """The methods served at this path (Starlette's own ``Allow`` names only the first route's).

    A literal route (``/validate``) wins over a parameterized one (``/{customer_id}``) that also matches.
    """
    literal: set[str] = set()
    parameterized: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            target = parameterized if "{" in getattr(route, "path", "") else literal
            target.update(getattr(route, "methods", None) or ())
    return sorted(literal or parameterized)


async def _validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 becomes Webex's 400, naming the first offending field."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    message = f"Invalid request: {where}: {first.get('msg', 'invalid value')}."
    return error_response(400, message, SIM_INVALID_REQUEST, tracking_id_of(request))
