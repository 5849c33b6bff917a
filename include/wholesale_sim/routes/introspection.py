"""``/_sim``: what the simulator holds and saw (for tests, the demo and debugging), and a reset.

Everything is shown regardless of sub-partner, with customers and subscribers in their API shape.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import JSONResponse, Response

from wholesale_sim.lifecycle import customer_to_api, status_of, subscriber_to_api
from wholesale_sim.runtime import SimRuntime, runtime
from wholesale_sim.spec_enums import spec_enums

router = APIRouter(prefix="/_sim")
Sim = Depends(runtime)


@router.get("/state")
async def show_state(sim: SimRuntime = Sim) -> Response:
    state, now, delay = sim.current_state(), sim.now(), sim.config.provision_delay
    legacy = spec_enums().subscriber_legacy_packages
    customers = []
    for record in state.customers.values():
        status = status_of(record, now, delay)
        if status is not None:
            customers.append(customer_to_api(record, status))
    subscribers = [
        subscriber_to_api(s, state.customers[s.customer_id].external_id, legacy) for s in state.subscribers.values()
    ]
    requests = [
        {"method": method, "path": path, "status": status, "query": query}
        for method, path, status, query in state.request_log
    ]
    return JSONResponse(
        {
            "customers": customers,
            "subscribers": subscribers,
            "admins": state.admins,
            "setupAssistRequests": state.setup_assist_requests,
            "messages": state.messages,
            "requests": requests,
        }
    )


@router.post("/reset")
async def reset(sim: SimRuntime = Sim) -> Response:
    sim.reset()
    return Response(status_code=204)
