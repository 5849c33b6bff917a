"""Small helpers the Webex routes share: resource URLs and the precheck success answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from wholesale_sim.errors import PRECHECK_OK_INFO


def resource_url(request: Request, collection: str, resource_id: str) -> str:
    """``<base>/v1/wholesale/<collection>/<id>``, on the host the client used (what ``Location`` carries)."""
    return f"{str(request.base_url).rstrip('/')}/v1/wholesale/{collection}/{resource_id}"


def precheck_success() -> JSONResponse:
    """Precheck success. ``info`` is an object, as the spec's schema types it (its examples show an array)."""
    info = {"infoCode": PRECHECK_OK_INFO, "description": "Provisioning preCheck validation successful."}
    return JSONResponse({"message": "success", "info": info})
