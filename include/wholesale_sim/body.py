"""Reading a JSON request body by hand, so every malformed body gets Webex's 400/415 shape, never FastAPI's 422."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from wholesale_sim.errors import SIM_UNSUPPORTED_MEDIA_TYPE, ApiError, bad_request


async def json_object(request: Request) -> dict[str, Any]:
    """FastAPI dependency for Webex endpoints: 415 unless ``application/json``, 400 unless a JSON object.

    A request without any body reads as ``{}``, so the request rules answer 400 naming the missing fields.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not media_type and not await request.body():
        return {}  # no body at all (the spec makes bodies optional): the rules then say what is missing
    if media_type != "application/json":
        raise ApiError(
            415,
            f"The request body must be application/json, not {media_type or 'missing'}.",
            SIM_UNSUPPORTED_MEDIA_TYPE,
        )
    return await any_json_object(request)


async def any_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object whatever the declared media type (for the lenient Setup Assist intake)."""
    try:
        body = json.loads(await request.body())
    except ValueError as e:
        raise bad_request(f"The request body is not valid JSON: {e}.") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body
