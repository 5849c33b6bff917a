"""Wholesale customers: list, provision (202), get, update (202), remove (202) and precheck (notes §5.1 to 5.6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wholesale_sim import customer_rules
from wholesale_sim.access import acting_for
from wholesale_sim.body import json_object
from wholesale_sim.errors import SIM_CUSTOMER_NOT_READY, SIM_DUPLICATE_EXTERNAL_ID, ApiError, bad_request, not_found
from wholesale_sim.lifecycle import ORG_VISIBLE, UPDATABLE, customer_to_api, outcome_for, status_of
from wholesale_sim.paging import page_of, paged_response
from wholesale_sim.routes.common import precheck_success, resource_url
from wholesale_sim.runtime import SimRuntime, runtime
from wholesale_sim.spec_enums import spec_enums
from wholesale_sim.state import CustomerRecord, webex_id

router = APIRouter(prefix="/wholesale/customers")
Body = Depends(json_object)
Sim = Depends(runtime)


@router.get("")
async def list_customers(request: Request, sim: SimRuntime = Sim) -> Response:
    owner = acting_for(request, sim, changes=False)
    page = page_of(request, default_max=100, max_max=1000)
    query = request.query_params
    wanted = _statuses(query.getlist("status"))
    state, now, delay = sim.current_state(), sim.now(), sim.config.provision_delay
    external_id, org_id = query.get("externalId"), query.get("orgId")
    if external_id is not None:
        found = state.customers.get(state.customer_by_external_id.get(external_id, ""))
        candidates = [found] if found else []
    else:
        candidates = list(state.customers.values())
    rows: list[tuple[CustomerRecord, str]] = []
    for record in candidates:
        status = status_of(record, now, delay)
        if record.owner != owner or status is None or (wanted and status not in wanted):
            continue
        if org_id is not None and (status not in ORG_VISIBLE or record.org_id != org_id):
            continue
        rows.append((record, status))
    return paged_response(request, rows, page, lambda row: customer_to_api(*row))


@router.post("")
async def provision_customer(request: Request, body: dict = Body, sim: SimRuntime = Sim) -> Response:
    owner = acting_for(request, sim, changes=True)
    customer_rules.check_provision(body, sim.templates)
    state = sim.current_state()
    _external_id_free(state.customer_by_external_id, body["externalId"])
    now = sim.now()
    record = CustomerRecord(
        id=webex_id("ENTERPRISE"),
        external_id=body["externalId"],
        provisioning_id=body["provisioningId"],
        packages=list(body["packages"]),
        address=dict(body["address"]),
        org_id=body.get("orgId") or webex_id("ORGANIZATION"),
        owner=owner,
        outcome=outcome_for(body["externalId"], sim.config),
        phase="provisioning",
        phase_started=now,
        has_calling_location=customer_rules.has_calling_location(body),
        customer_info=body.get("customerInfo"),
        sub_partner_admin_email=body.get("subPartnerAdminEmail"),
    )
    state.add_customer(record)
    return _accepted(request, record.id)


@router.post("/validate")
async def precheck_customer(request: Request, body: dict = Body, sim: SimRuntime = Sim) -> Response:
    acting_for(request, sim, changes=True)
    customer_rules.check_precheck(body, sim.templates)
    if isinstance(body.get("externalId"), str):
        _external_id_free(sim.current_state().customer_by_external_id, body["externalId"])
    return precheck_success()


@router.get("/{customer_id}")
async def get_customer(customer_id: str, request: Request, sim: SimRuntime = Sim) -> Response:
    record, status = _visible(request, sim, customer_id, changes=False)
    license_info = _boolean(request.query_params.get("includePackageLicenseInfo"), "includePackageLicenseInfo")
    headers = {"Location": resource_url(request, "customers", record.id)}
    return JSONResponse(customer_to_api(record, status, license_info=license_info), headers=headers)


@router.put("/{customer_id}")
async def update_customer(customer_id: str, request: Request, body: dict = Body, sim: SimRuntime = Sim) -> Response:
    record, status = _visible(request, sim, customer_id, changes=True)
    if status not in UPDATABLE:
        raise ApiError(
            409, f"Customer {customer_id} is {status}: it can be updated once that ends.", SIM_CUSTOMER_NOT_READY
        )
    customer_rules.check_update(
        body, sim.templates.get(record.provisioning_id), calling_known=record.has_calling_location
    )
    state = sim.current_state()
    new_external_id = body.get("externalId")
    if new_external_id is not None and new_external_id != record.external_id:
        _external_id_free(state.customer_by_external_id, new_external_id)
        state.rename_customer(record, new_external_id)
    record.packages = list(body["packages"])
    record.address = dict(body.get("address") or record.address)
    record.has_calling_location = record.has_calling_location or customer_rules.has_calling_location(body)
    record.sub_partner_admin_email = body.get("subPartnerAdminEmail", record.sub_partner_admin_email)
    record.outcome = outcome_for(record.external_id, sim.config)
    record.phase, record.phase_started = "updating", sim.now()
    state.changed()
    return _accepted(request, record.id)


@router.delete("/{customer_id}")
async def remove_customer(customer_id: str, request: Request, sim: SimRuntime = Sim) -> Response:
    record, status = _visible(request, sim, customer_id, changes=False)
    if status != "deleting":  # a repeated DELETE while one runs is accepted, and does not restart it
        sim.state.start_deleting(record, sim.now())
    return Response(status_code=202)


def _visible(request: Request, sim: SimRuntime, customer_id: str, *, changes: bool) -> tuple[CustomerRecord, str]:
    """The customer and its status, if it exists for the party this request acts for; else 404."""
    owner = acting_for(request, sim, changes=changes)
    record = sim.current_state().customers.get(customer_id)
    status = status_of(record, sim.now(), sim.config.provision_delay) if record else None
    if record is None or status is None or record.owner != owner:
        raise not_found(f"Customer {customer_id}")
    return record, status


def _accepted(request: Request, customer_id: str) -> JSONResponse:
    url = resource_url(request, "customers", customer_id)
    return JSONResponse({"url": url}, status_code=202, headers={"Location": url})


def _external_id_free(index: dict[str, Any], external_id: str) -> None:
    if external_id in index:
        raise ApiError(409, f"A customer with externalId {external_id!r} already exists.", SIM_DUPLICATE_EXTERNAL_ID)


def _statuses(values: list[str]) -> set[str]:
    """The ``status`` filter: repeated and/or comma-separated values of the customer status enum."""
    wanted = {v.strip() for value in values for v in value.split(",") if v.strip()}
    known = spec_enums().customer_statuses
    unknown = sorted(wanted - set(known))
    if unknown:
        raise bad_request(f"status has unknown values {unknown}; expected some of: {', '.join(known)}.")
    return wanted


def _boolean(raw: str | None, name: str) -> bool:
    if raw is None or raw.lower() == "false":
        return False
    if raw.lower() == "true":
        return True
    raise bad_request(f"{name} must be true or false, got {raw!r}.")
