"""From what Webex holds for one customer to findings: status, consent outstanding, drift; and runs that are stuck.

Pure functions of values already read, so every rule is tested without HTTP. Drift is the change plan
(:func:`webex_wholesale.models.change_plan.plan_change`) of the last order applied, with users the order does not
list counted as drift: the plan a change order would apply to put the customer back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from webex_wholesale.models import Customer, CustomerStatus, Subscriber, SubscriberStatus, parse_order
from webex_wholesale.models.change_plan import ChangePlan, plan_change
from webex_wholesale.models.health import Finding, FindingKind, HealthTarget

__all__ = ["MAX_LISTED", "customer_findings", "stuck_run_findings", "unreadable_finding"]

#: Users listed by name in a finding's details (per list); the counts cover all.
MAX_LISTED = 50

_STATUS_KINDS = {
    CustomerStatus.ERROR: FindingKind.CUSTOMER_ERROR,
    CustomerStatus.PROVISIONED_WITH_ERRORS: FindingKind.PROVISIONED_WITH_ERRORS,
    CustomerStatus.PENDING_RPL_REVIEW: FindingKind.PENDING_RPL_REVIEW,
}


def _finding(target: HealthTarget, kind: FindingKind, summary: str, **kwargs: Any) -> Finding:
    return Finding(
        external_id=target.external_id,
        kind=kind,
        summary=summary,
        customer_id=target.customer_id,
        customer_name=target.customer_name,
        order_id=target.order_id,
        **kwargs,
    )


def customer_findings(
    target: HealthTarget,
    customer: Customer,
    subscribers: Sequence[Subscriber],
    *,
    now: datetime,
    consent_grace: timedelta,
) -> list[Finding]:
    """Everything wrong with one customer that was read: its status, users waiting too long, drift."""
    target = HealthTarget(
        external_id=target.external_id,
        customer_id=customer.id,
        customer_name=target.customer_name,
        order_id=target.order_id,
        order=target.order,
    )
    findings = []
    kind = _STATUS_KINDS.get(customer.status)
    if kind is not None:
        problems = customer.problems_text()
        summary = f"Webex says {customer.status.value}" + (f": {problems}" if problems else "")
        findings.append(_finding(target, kind, summary, details={"status": customer.status.value}))
    if (consent := _consent_finding(target, subscribers, now, consent_grace)) is not None:
        findings.append(consent)
    if target.order is not None and customer.is_terminal() and customer.status is not CustomerStatus.ERROR:
        drift = _drift(plan_change(parse_order(target.order), customer, list(subscribers), remove_unlisted=True))
        if drift:
            findings.append(_finding(target, FindingKind.DRIFT, _drift_summary(drift), details=drift))
    return findings


def _waiting_since(subscriber: Subscriber) -> datetime | None:
    stamp = subscriber.last_status_change or subscriber.created
    return datetime.fromisoformat(stamp) if stamp else None


def _consent_finding(
    target: HealthTarget, subscribers: Sequence[Subscriber], now: datetime, grace: timedelta
) -> Finding | None:
    """Users still ``pending_user_migration`` longer than ``grace`` after their last status change."""
    overdue = []
    for subscriber in subscribers:
        since = _waiting_since(subscriber)
        if subscriber.status is SubscriberStatus.PENDING_USER_MIGRATION and since and now - since > grace:
            overdue.append((since, subscriber.email or subscriber.id))
    if not overdue:
        return None
    overdue.sort()
    hours = (now - overdue[0][0]).total_seconds() / 3600
    summary = f"{len(overdue)} subscriber(s) waiting for consent longer than {_hours(grace)}, the longest {hours:.0f} h"
    waiting = [
        {"email": email, "waitingHours": round((now - since).total_seconds() / 3600, 1)}
        for since, email in overdue[:MAX_LISTED]
    ]
    return _finding(
        target, FindingKind.CONSENT_OUTSTANDING, summary, details={"count": len(overdue), "waiting": waiting}
    )


def _hours(value: timedelta) -> str:
    return f"{value.total_seconds() / 3600:g} h"


def _drift(plan: ChangePlan) -> dict[str, Any]:
    """The differences between Webex and the order, by kind; empty when there are none."""
    kinds = {
        "missing": [entry["email"] for entry in plan.subscribers_to_create],
        "notOrdered": [removal.email for removal in plan.subscribers_to_remove],
        "otherPackage": [
            {"email": move.email, "held": move.from_package, "ordered": move.to_package}
            for move in plan.subscribers_to_move
        ],
        "packagesMissing": plan.packages_to_add,
        "packagesNotOrdered": plan.packages_to_remove,
    }
    if not any(kinds.values()):
        return {}
    counts = {name: len(values) for name, values in kinds.items()}
    return {"counts": counts, **{name: values[:MAX_LISTED] for name, values in kinds.items()}}


def _drift_summary(drift: dict[str, Any]) -> str:
    counts = drift["counts"]
    parts = [
        f"{counts['missing']} ordered subscriber(s) missing" if counts["missing"] else "",
        f"{counts['notOrdered']} subscriber(s) not in the order" if counts["notOrdered"] else "",
        f"{counts['otherPackage']} on another package than ordered" if counts["otherPackage"] else "",
        f"customer packages missing: {', '.join(drift['packagesMissing'])}" if counts["packagesMissing"] else "",
        f"customer packages not ordered: {', '.join(drift['packagesNotOrdered'])}"
        if counts["packagesNotOrdered"]
        else "",
    ]
    return "Webex differs from the last order: " + "; ".join(part for part in parts if part)


def unreadable_finding(target: HealthTarget, error: Exception) -> Finding:
    """A customer the check could not read (gone, refused, or Webex not answering): a finding, not a crash."""
    summary = f"could not be read: {type(error).__name__}: {error}"
    return _finding(target, FindingKind.UNREADABLE, summary, details={"error": type(error).__name__})


def stuck_run_findings(runs: Sequence[dict[str, Any]], *, now: datetime) -> list[Finding]:
    """A finding per run (``wholesale_run`` rows) the caller found still running too long after it started."""
    findings = []
    for run in runs:
        hours = (now - run["started_at"]).total_seconds() / 3600
        target = HealthTarget(
            external_id=run["customer_external_id"] or run["dag_run_id"],
            customer_id=run["customer_id"],
            customer_name=run["customer_name"],
            order_id=run["order_id"],
        )
        summary = f"run {run['dag_run_id']} of {run['dag_id']} started {hours:.1f} h ago and has not finished"
        details = {"dagId": run["dag_id"], "dagRunId": run["dag_run_id"], "startedAt": run["started_at"].isoformat()}
        findings.append(_finding(target, FindingKind.STUCK_RUN, summary, subject=run["dag_run_id"], details=details))
    return findings
