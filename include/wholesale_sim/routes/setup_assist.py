"""``/setup-assist/v1/requests``: an intake for Wholesale Setup Assist requests (not a Webex API).

Cisco takes Setup Assist requests through a form (notes §13); the pipeline delivers its request to a channel
the operator configures, and locally that channel is this endpoint. No auth, any JSON object. A request whose
``requestKey`` was already received is not recorded twice: the first one's reference comes back with 200, the
way an idempotent intake answers a re-delivery.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wholesale_sim.body import any_json_object
from wholesale_sim.runtime import SimRuntime, runtime

router = APIRouter(prefix="/setup-assist/v1/requests")
Sim = Depends(runtime)


@router.post("")
async def receive_request(request: Request, sim: SimRuntime = Sim) -> Response:
    body = await any_json_object(request)
    key = body.get("requestKey")
    if isinstance(key, str) and (known := sim.state.find_setup_assist_request(key)):
        return JSONResponse({"id": known["id"], "receivedAt": known["receivedAt"]}, status_code=200)
    entry = sim.state.add_setup_assist_request(body, sim.now())
    return JSONResponse({"id": entry["id"], "receivedAt": entry["receivedAt"]}, status_code=201)


@router.get("")
async def list_requests(sim: SimRuntime = Sim) -> Response:
    return JSONResponse({"items": sim.state.setup_assist_requests})
