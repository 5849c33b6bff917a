"""Wholesale subscribers: list, provision (200/202), get, update (200), remove (204), precheck (notes §5.7 to 5.12)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wholesale_sim import customer_rules, subscriber_rules
from wholesale_sim.access import acting_for
from wholesale_sim.body import json_object
from wholesale_sim.errors import EMAIL_TAKEN, SIM_CUSTOMER_NOT_READY, ApiError, bad_request, not_found
from wholesale_sim.lifecycle import READY_FOR_SUBSCRIBERS, matches, status_of, subscriber_to_api
from wholesale_sim.paging import page_of, paged_response
from wholesale_sim.routes.common import precheck_success, resource_url
from wholesale_sim.runtime import SimRuntime, runtime
from wholesale_sim.spec_enums import spec_enums
from wholesale_sim.state import CustomerRecord, SimState, SubscriberRecord, webex_id

router = APIRouter(prefix="/wholesale/subscribers")
Body = Depends(json_object)
Sim = Depends(runtime)
SUBSCRIBER_STATUSES = ("provisioned", "pending_user_migration")
SORT_KEYS = {
    "created": lambda s: s.created,
    "userCreationTimestamp": lambda s: s.created,  # the spec's example value for sortBy (notes §18.7)
    "lastStatusChange": lambda s: s.last_status_change,
}


@router.get("")
async def list_subscribers(request: Request, sim: SimRuntime = Sim) -> Response:
    owner = acting_for(request, sim, changes=False)
    page = page_of(request, default_max=50, max_max=100)
    query = request.query_params
    state = sim.current_state()
    status = query.get("status") or None
    if status is not None and status not in SUBSCRIBER_STATUSES:
        raise bad_request(f"status must be one of {', '.join(SUBSCRIBER_STATUSES)}, got {status!r}.")
    after, changed_after = (
        _instant(query.get("after"), "after"),
        _instant(query.get("lastStatusChange"), "lastStatusChange"),
    )
    person_id = query.get("personId")
    rows = [
        s
        for s in _candidates(state, query.get("customerId"), query.get("email"), query.get("externalCustomerId"))
        if state.customers[s.customer_id].owner == owner
        and (status is None or s.status == status)
        and (person_id is None or s.person_id == person_id)
        and (after is None or s.created > after)
        and (changed_after is None or s.last_status_change > changed_after)
    ]
    rows = _sorted(rows, query.get("sortBy"), query.get("sortOrder"))
    legacy = spec_enums().subscriber_legacy_packages
    return paged_response(
        request, rows, page, lambda s: subscriber_to_api(s, state.customers[s.customer_id].external_id, legacy)
    )


@router.post("")
async def provision_subscriber(request: Request, body: dict = Body, sim: SimRuntime = Sim) -> Response:
    owner = acting_for(request, sim, changes=True)
    package = subscriber_rules.check_provision(body)
    state = sim.current_state()
    customer = _customer(sim, body["customerId"], owner)
    customer_status = status_of(customer, sim.now(), sim.config.provision_delay)
    if customer_status not in READY_FOR_SUBSCRIBERS:
        raise ApiError(
            409,
            f"Customer {customer.id} is {customer_status}: subscribers can be provisioned once it is provisioned.",
            SIM_CUSTOMER_NOT_READY,
        )
    _package_fits_customer(package, customer)
    _email_free(state, body["email"])
    now = sim.now()
    pending = matches(body["email"], sim.config.pending_migration_pattern)
    record = SubscriberRecord(
        id=webex_id("SUBSCRIBER"),
        customer_id=customer.id,
        email=body["email"],
        package=package,
        status="pending_user_migration" if pending else "provisioned",
        person_id=None if pending else webex_id("PEOPLE"),
        parameters=dict(body["provisioningParameters"]),
        created=now,
        last_status_change=now,
    )
    state.add_subscriber(record)
    if not pending:
        state.admins.setdefault(customer.id, record.email)  # the first user provisioned into the org
    return _subscriber_response(request, state, record, status_code=202 if pending else 200)


@router.post("/validate")
async def precheck_subscriber(request: Request, body: dict = Body, sim: SimRuntime = Sim) -> Response:
    owner = acting_for(request, sim, changes=True)
    package = subscriber_rules.check_precheck(body)
    state = sim.current_state()
    if body.get("customerId") is not None:
        customer = _customer(sim, body["customerId"], owner)
        if package is not None:
            _package_fits_customer(package, customer)
    customer_rules.known_template(body, sim.templates, required=False)
    _email_free(state, body["email"])
    return precheck_success()


@router.get("/{subscriber_id}")
async def get_subscriber(subscriber_id: str, request: Request, sim: SimRuntime = Sim) -> Response:
    record = _visible(request, sim, subscriber_id, changes=False)
    return _subscriber_response(request, sim.state, record, status_code=200)


@router.put("/{subscriber_id}")
async def update_subscriber(subscriber_id: str, request: Request, body: dict = Body, sim: SimRuntime = Sim) -> Response:
    record = _visible(request, sim, subscriber_id, changes=True)
    package = subscriber_rules.check_update(body, record.parameters)
    _package_fits_customer(package, sim.state.customers[record.customer_id])
    record.package = package
    for key in ("primaryPhoneNumber", "extension", "locationId"):
        value = (body.get("provisioningParameters") or {}).get(key)
        if value is not None:
            record.parameters[key] = value
    if not subscriber_rules.is_calling(package):
        record.parameters.pop("locationId", None)
    sim.state.changed()
    return _subscriber_response(request, sim.state, record, status_code=200)


@router.delete("/{subscriber_id}")
async def remove_subscriber(subscriber_id: str, request: Request, sim: SimRuntime = Sim) -> Response:
    record = _visible(request, sim, subscriber_id, changes=False)
    sim.state.remove_subscriber(record.id)
    return Response(status_code=204)


def _visible(request: Request, sim: SimRuntime, subscriber_id: str, *, changes: bool) -> SubscriberRecord:
    owner = acting_for(request, sim, changes=changes)
    state = sim.current_state()
    record = state.subscribers.get(subscriber_id)
    if record is None or state.customers[record.customer_id].owner != owner:
        raise not_found(f"Subscriber {subscriber_id}")
    return record


def _customer(sim: SimRuntime, customer_id: str, owner: str | None) -> CustomerRecord:
    customer = sim.current_state().customers.get(customer_id)
    if (
        customer is None
        or customer.owner != owner
        or status_of(customer, sim.now(), sim.config.provision_delay) is None
    ):
        raise not_found(f"Customer {customer_id}")
    return customer


def _package_fits_customer(package: str, customer: CustomerRecord) -> None:
    """``attendant_console`` needs the customer to hold webex_calling, webex_suite or cx_essentials (spec)."""
    needs = subscriber_rules.ATTENDANT_CONSOLE_NEEDS
    if package == "attendant_console" and not needs.intersection(customer.packages):
        raise bad_request(f"Package attendant_console needs the customer to have one of: {', '.join(sorted(needs))}.")


def _email_free(state: SimState, email: str) -> None:
    if email.lower() in state.subscriber_by_email:
        raise ApiError(409, "The email is already associated with an existing user.", EMAIL_TAKEN)


def _subscriber_response(request: Request, state: SimState, record: SubscriberRecord, *, status_code: int) -> Response:
    body = subscriber_to_api(
        record, state.customers[record.customer_id].external_id, spec_enums().subscriber_legacy_packages
    )
    headers = {"Location": resource_url(request, "subscribers", record.id)}
    return JSONResponse(body, status_code=status_code, headers=headers)


def _candidates(
    state: SimState, customer_id: str | None, email: str | None, external_customer_id: str | None
) -> list[SubscriberRecord]:
    """The smallest set the filters allow, straight from an index; the other filters then narrow it."""
    if external_customer_id is not None:
        found = state.customer_by_external_id.get(external_customer_id)
        if found is None or (customer_id is not None and customer_id != found):
            return []
        customer_id = found
    if email is not None:
        record = state.subscribers.get(state.subscriber_by_email.get(email.lower(), ""))
        return [record] if record and customer_id in (None, record.customer_id) else []
    if customer_id is not None:
        return [state.subscribers[i] for i in state.subscribers_by_customer.get(customer_id, {})]
    return list(state.subscribers.values())


def _sorted(rows: list[SubscriberRecord], sort_by: str | None, sort_order: str | None) -> list[SubscriberRecord]:
    if sort_by is not None and sort_by not in SORT_KEYS:
        raise bad_request(f"sortBy must be one of {', '.join(SORT_KEYS)}, got {sort_by!r}.")
    if sort_order is not None and sort_order.upper() not in ("ASC", "DESC"):
        raise bad_request(f"sortOrder must be ASC or DESC, got {sort_order!r}.")
    if sort_by == "lastStatusChange":  # otherwise creation order, which is the stored order
        rows = sorted(rows, key=SORT_KEYS[sort_by])
    return rows[::-1] if (sort_order or "ASC").upper() == "DESC" else rows


def _instant(raw: str | None, name: str) -> float | None:
    """A time filter: epoch milliseconds (preferred by the spec) or ISO-8601."""
    if raw is None:
        return None
    if raw.isdigit():
        return int(raw) / 1000
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise bad_request(f"{name} must be epoch milliseconds or ISO-8601, got {raw!r}.") from None
