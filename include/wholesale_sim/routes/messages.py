"""``POST /v1/messages``: Webex's messaging call, so a notification to a Webex space is tested end to end.

Not a wholesale endpoint: an ops team's bot posts into its own space with it (``roomId`` plus ``text`` or
``markdown``). The simulator keeps every message (``/_sim/state`` lists them under ``messages``) and answers
with the Message object Webex returns; any ``roomId`` is taken as a space the bot belongs to.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import JSONResponse, Response

from wholesale_sim.body import json_object
from wholesale_sim.errors import bad_request
from wholesale_sim.runtime import SimRuntime, runtime

router = APIRouter(prefix="/messages")
Body = Depends(json_object)
Sim = Depends(runtime)


@router.post("")
async def create_message(body: dict = Body, sim: SimRuntime = Sim) -> Response:
    room_id = body.get("roomId")
    if not isinstance(room_id, str) or not room_id:
        raise bad_request("roomId is required (this simulator posts to spaces only).")
    content = {key: body[key] for key in ("text", "markdown") if isinstance(body.get(key), str) and body[key]}
    if not content:
        raise bad_request("A message needs text or markdown.")
    return JSONResponse(sim.state.add_message(room_id, content, sim.now()))
