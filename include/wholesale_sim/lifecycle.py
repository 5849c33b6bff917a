"""The asynchronous customer lifecycle, computed from timestamps when asked (no background threads).

A customer stores the background task it runs (``phase``: provisioning, updating or deleting), when that task
started, and the terminal status it will reach (``outcome``, chosen from the externalId patterns). Its status
at any moment follows from the clock: the phase until ``provision_delay`` has passed, then the outcome, or
gone once a deletion has finished.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from wholesale_sim.config import SimConfig
from wholesale_sim.errors import CALLING_MAINTENANCE, CALLING_MAINTENANCE_TEXT
from wholesale_sim.state import CustomerRecord, SimState, SubscriberRecord, iso

READY_FOR_SUBSCRIBERS = frozenset({"provisioned", "provisioned_with_errors"})
UPDATABLE = frozenset({"provisioned", "provisioned_with_errors", "error"})
ORG_VISIBLE = READY_FOR_SUBSCRIBERS
"""Statuses that show ``orgId``: ``provisioned`` per the field's note, and ``provisioned_with_errors`` as in
the spec's List Customers example (the org exists; only some packages failed)."""

_MAINTENANCE = {"errorCode": CALLING_MAINTENANCE, "description": CALLING_MAINTENANCE_TEXT}


def matches(value: str, pattern: str) -> bool:
    """Case-insensitive glob match, used by every ``--*-pattern`` option."""
    return fnmatchcase(value.lower(), pattern.lower())


def outcome_for(external_id: str, config: SimConfig) -> str:
    """The terminal status a customer reaches, by externalId pattern (first match wins, in this order)."""
    for pattern, outcome in (
        (config.error_pattern, "error"),
        (config.with_errors_pattern, "provisioned_with_errors"),
        (config.rpl_review_pattern, "pending_rpl_review"),
    ):
        if matches(external_id, pattern):
            return outcome
    return "provisioned"


def status_of(record: CustomerRecord, now: float, delay: float) -> str | None:
    """The customer's status at ``now``; ``None`` once its deletion has finished."""
    if now - record.phase_started < delay:
        return record.phase
    return None if record.phase == "deleting" else record.outcome


def purge_deleted(state: SimState, now: float, delay: float) -> None:
    """Forget the customers whose deletion has finished (GET answers 404 from then on)."""
    for customer_id in [c for c in state.deleting if status_of(state.customers[c], now, delay) is None]:
        state.remove_customer(customer_id)


def customer_to_api(record: CustomerRecord, status: str, *, license_info: bool = False) -> dict[str, Any]:
    """The ``Customer`` schema; per-package detail and errors follow the status, as in the spec's examples."""
    body: dict[str, Any] = {"id": record.id}
    if status in ORG_VISIBLE:
        body["orgId"] = record.org_id
    body |= {
        "externalId": record.external_id,
        "address": record.address,
        "status": status,
        "packages": list(record.packages),
        "resourceDetails": {"packages": _package_details(record, status, license_info)},
    }
    if status == "error":
        body["errors"] = [dict(_MAINTENANCE)]
    return body


def _package_details(record: CustomerRecord, status: str, license_info: bool) -> list[dict[str, Any]]:
    failing = _failing_package(record.packages) if status == "provisioned_with_errors" else None
    details = []
    for name in record.packages:
        detail: dict[str, Any] = {"name": name, "status": _package_status(status)}
        if name == failing:
            detail |= {"status": "error", "warnings": [dict(_MAINTENANCE)]}
        if license_info and detail["status"] == "provisioned":
            detail["licenseIds"] = [f"SIM_LICENSE_{record.id}_{name}"]
        details.append(detail)
    return details


def _package_status(customer_status: str) -> str:
    return {
        "provisioned": "provisioned",
        "provisioned_with_errors": "provisioned",
        "error": "error",
        "deleting": "deleting",
    }.get(customer_status, "provisioning")


def _failing_package(packages: list[str]) -> str:
    """Which package a partial failure hits: the first calling one (Webex Calling maintenance), else the last."""
    calling = [p for p in packages if p != "webex_meetings"]
    return calling[0] if calling else packages[-1]


def subscriber_to_api(record: SubscriberRecord, external_customer_id: str, legacy_packages: tuple[str, ...]) -> dict:
    """The ``Subscriber`` schema; ``personId`` only once provisioned, ``package`` only for its legacy values."""
    body: dict[str, Any] = {"id": record.id}
    if record.person_id:
        body["personId"] = record.person_id
    body |= {"email": record.email, "customerId": record.customer_id, "externalCustomerId": external_customer_id}
    if record.package in legacy_packages:
        body["package"] = record.package
    body |= {
        "packages": [record.package],
        "status": record.status,
        "created": iso(record.created),
        "lastStatusChange": iso(record.last_status_change),
    }
    return body
