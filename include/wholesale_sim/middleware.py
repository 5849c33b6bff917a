"""Two ASGI middlewares around every request (plain ASGI, not ``BaseHTTPMiddleware``, to stay fast).

``TrackingMiddleware`` (outermost) gives every response a ``Trackingid`` header, logs ``/v1`` and
``/setup-assist`` requests for ``/_sim/state``, and turns an unexpected exception into a Webex-shaped 500.
``TrafficMiddleware`` applies the rate limit, latency, slow answers and injected faults to ``/v1`` before the
handler runs, so a refused or faulted request never changes state.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wholesale_sim.errors import (
    SIM_INJECTED_FAULT,
    SIM_INTERNAL_ERROR,
    SIM_RATE_LIMITED,
    error_response,
    new_tracking_id,
)
from wholesale_sim.runtime import SimRuntime

log = logging.getLogger(__name__)

LOGGED_PREFIXES = ("/v1/", "/setup-assist/")
FAULT_MESSAGES = {
    500: "Injected fault: internal server error (simulator --fault-rate).",
    502: "Injected fault: bad gateway (simulator --fault-rate).",
    503: "Injected fault: service unavailable (simulator --fault-rate).",
    429: "Injected fault: too many requests (simulator --fault-rate).",
}


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path.startswith(p) or path == p.rstrip("/") for p in prefixes)


class TrackingMiddleware:
    def __init__(self, app: ASGIApp, sim: SimRuntime) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"trackingid", b"").decode("latin-1").strip()
        tracking_id = sent or new_tracking_id()
        scope.setdefault("state", {})["tracking_id"] = tracking_id
        status = 500
        started = False

        async def send_with_tracking_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                MutableHeaders(scope=message)["Trackingid"] = tracking_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_tracking_id)
        except Exception:
            log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if started:
                raise
            response = error_response(500, "Internal simulator error.", SIM_INTERNAL_ERROR, tracking_id)
            await response(scope, receive, send_with_tracking_id)
        finally:
            if _under(scope["path"], LOGGED_PREFIXES):
                query = scope.get("query_string", b"").decode("latin-1")
                self.sim.state.request_log.append((scope["method"], scope["path"], status, query))


class TrafficMiddleware:
    def __init__(self, app: ASGIApp, sim: SimRuntime) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _under(scope["path"], ("/v1/",)):
            await self.app(scope, receive, send)
            return
        sim, tracking_id = self.sim, scope["state"]["tracking_id"]
        draw = sim.faults.draw()
        wait = sim.limiter.acquire() if sim.limiter else None
        if wait is not None:
            message = f"Too many requests: the simulator allows {sim.config.rate_limit:g} per second (--rate-limit)."
            response = error_response(429, message, SIM_RATE_LIMITED, tracking_id, {"Retry-After": str(wait)})
            await response(scope, receive, send)
            return
        delay_ms = sim.config.latency_ms + (sim.config.slow_ms if draw.slow else 0)
        if delay_ms > 0:
            await asyncio.sleep(delay_ms / 1000)
        if draw.fault_status is not None:
            headers = {"Retry-After": "1"} if draw.fault_status in (429, 503) else None
            status = draw.fault_status
            response = error_response(status, FAULT_MESSAGES[status], SIM_INJECTED_FAULT, tracking_id, headers)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
