"""``GET /wholesale/subPartners``: the configured sub-partners (notes §5.13), paged like the customers."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from wholesale_sim.access import acting_for
from wholesale_sim.errors import bad_request
from wholesale_sim.paging import page_of, paged_response
from wholesale_sim.runtime import SimRuntime, runtime
from wholesale_sim.spec_enums import spec_enums

router = APIRouter(prefix="/wholesale/subPartners")


@router.get("")
async def list_sub_partners(request: Request, sim: SimRuntime = Depends(runtime)) -> Response:  # noqa: B008
    acting_for(request, sim, changes=False)
    page = page_of(request, default_max=100, max_max=1000)
    state_filter = request.query_params.get("provisioningState")
    known = spec_enums().sub_partner_states
    if state_filter is not None and state_filter not in known:
        raise bad_request(f"provisioningState must be one of {', '.join(known)}, got {state_filter!r}.")
    rows = [p for p in sim.sub_partners.values() if state_filter in (None, p["provisioningState"])]
    return paged_response(request, rows, page, dict)
