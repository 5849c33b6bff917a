"""A finding, opened or resolved, as the notification people receive."""

from __future__ import annotations

from typing import Any

from webex_wholesale.models.health import FindingKind, duration_text
from webex_wholesale.models.notification import EventKind, NotificationEvent
from webex_wholesale.ui.links import health_url, order_url

__all__ = ["finding_event"]


def finding_event(row: dict[str, Any], *, resolved: bool) -> NotificationEvent:
    """The message for a ``wholesale_finding`` row: new (what and what to do) or resolved (and how long it lasted)."""
    kind = FindingKind(row["kind"])
    link = order_url(row["order_id"]) if row["order_id"] is not None else health_url()
    if resolved:
        lasted = duration_text(row["resolved_at"] - row["first_seen"])
        return NotificationEvent(
            kind=EventKind.FINDING_RESOLVED,
            external_id=row["external_id"],
            customer_name=row["customer_name"],
            what=f"Resolved after {lasted}: {kind.title}: {row['summary']}",
            todo="Nothing: the last check no longer sees it.",
            link=link,
        )
    return NotificationEvent(
        kind=EventKind.FINDING_NEW,
        external_id=row["external_id"],
        customer_name=row["customer_name"],
        what=f"{kind.title[0].upper()}{kind.title[1:]}: {row['summary']}",
        todo=kind.advice,
        link=link,
        details=tuple(_detail_lines(row.get("details") or {})),
    )


def _detail_lines(details: dict[str, Any]) -> list[str]:
    """Users named in a finding (consent and drift), one line each."""
    lines = [f"{w['email']}: waiting {w['waitingHours']} h" for w in details.get("waiting", [])]
    lines += [f"missing: {email}" for email in details.get("missing", [])]
    lines += [f"not in the order: {email}" for email in details.get("notOrdered", [])]
    lines += [f"{m['email']}: holds {m['held']}, ordered {m['ordered']}" for m in details.get("otherPackage", [])]
    return lines
