"""Who is calling: the bearer token, and the sub-partner a request acts for (``onBehalfOfSubPartnerOrgId``).

Records remember the sub-partner they were created for (``None`` for the partner itself) and are visible only
to requests acting for that same party (notes §15).
"""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request

from wholesale_sim.errors import SIM_SUB_PARTNER_REFUSED, SIM_UNAUTHORIZED, ApiError
from wholesale_sim.runtime import SimRuntime, runtime

ON_BEHALF = "onBehalfOfSubPartnerOrgId"


def require_token(request: Request, sim: SimRuntime = Depends(runtime)) -> None:  # noqa: B008 - FastAPI idiom
    """401 unless ``Authorization: Bearer`` carries the configured token or a live OAuth-issued one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        if token == sim.config.token:
            return
        expiry = sim.issued_tokens.get(token)
        if expiry is not None and expiry > sim.now():
            return
    raise ApiError(
        401, "The request requires a valid access token set in the Authorization request header.", SIM_UNAUTHORIZED
    )


def acting_for(request: Request, sim: SimRuntime, *, changes: bool) -> str | None:
    """The sub-partner org this request acts for, or ``None``.

    An org that is not one of this partner's sub-partners is refused (403). A ``suspended`` sub-partner may
    read and delete but not provision or update (``changes=True``): 403 as well.
    """
    org_id = request.query_params.get(ON_BEHALF)
    if not org_id:
        return None
    partner = sim.sub_partners.get(org_id)
    if partner is None:
        raise ApiError(403, f"{ON_BEHALF} {org_id!r} is not a sub-partner of this partner.", SIM_SUB_PARTNER_REFUSED)
    if changes and partner["provisioningState"] == "suspended":
        raise ApiError(
            403,
            f"Sub-partner {org_id!r} is suspended: it cannot provision or update customers and subscribers.",
            SIM_SUB_PARTNER_REFUSED,
        )
    return org_id
