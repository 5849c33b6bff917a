"""The health check's findings, kept: one row per problem for as long as it lasts, and one row per check.

:func:`record_findings` takes everything one check saw. A finding seen before (same customer, kind and subject,
still open) is the same row with a later ``last_seen``; a new one is a new row; an open one the check no longer sees
is resolved. So a problem that persists for a day is one finding 24 hours old, not 24 findings, and the
notification step (:func:`pending_events`) tells people once when it appears and once when it is resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from webex_wholesale.models.health import Finding
from webex_wholesale.state.engine import immediate
from webex_wholesale.state.schema import finding_table, health_check_table, utcnow

__all__ = [
    "FindingChanges",
    "find_finding",
    "finish_check",
    "last_check",
    "mark_notified",
    "open_findings",
    "pending_notifications",
    "record_findings",
    "start_check",
]

_OPEN = finding_table.c.resolved_at.is_(None)


@dataclass(frozen=True)
class FindingChanges:
    """What one check changed: findings opened, still open, and resolved."""

    opened: int
    persisting: int
    resolved: int


def record_findings(engine: Engine, findings: Iterable[Finding], now: datetime | None = None) -> FindingChanges:
    """Store one complete check's findings: open the new, touch the known, resolve the open ones not seen again.

    "Complete" matters: every open finding missing from ``findings`` is resolved, so pass all of one check's findings
    (a customer that could not be read is itself a finding, so its other findings are resolved only once it is).
    """
    now = now or utcnow()
    seen: dict[tuple[str, str, str], Finding] = {finding.key: finding for finding in findings}
    opened = persisting = resolved = 0
    with immediate(engine) as conn:
        current = conn.execute(
            select(
                finding_table.c.id, finding_table.c.external_id, finding_table.c.kind, finding_table.c.subject
            ).where(_OPEN)
        ).all()
        for row in current:
            finding = seen.pop((row.external_id, row.kind, row.subject), None)
            if finding is None:
                conn.execute(update(finding_table).where(finding_table.c.id == row.id).values(resolved_at=now))
                resolved += 1
            else:
                conn.execute(
                    update(finding_table).where(finding_table.c.id == row.id).values(last_seen=now, **_values(finding))
                )
                persisting += 1
        for finding in seen.values():
            conn.execute(
                insert(finding_table).values(
                    external_id=finding.external_id,
                    kind=finding.kind.value,
                    subject=finding.subject,
                    first_seen=now,
                    last_seen=now,
                    **_values(finding),
                )
            )
            opened += 1
    return FindingChanges(opened=opened, persisting=persisting, resolved=resolved)


def _values(finding: Finding) -> dict[str, Any]:
    """The columns a later check may refresh (the problem is the same; its figures may have moved)."""
    return {
        "customer_id": finding.customer_id,
        "customer_name": finding.customer_name,
        "order_id": finding.order_id,
        "summary": finding.summary,
        "details": finding.details,
    }


def open_findings(engine: Engine) -> list[dict[str, Any]]:
    """Every open finding, by customer then kind (the CLI's and the Health page's list)."""
    query = select(finding_table).where(_OPEN).order_by(finding_table.c.external_id, finding_table.c.kind)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def find_finding(engine: Engine, finding_id: int) -> dict[str, Any] | None:
    """One finding, open or resolved."""
    with engine.connect() as conn:
        row = conn.execute(select(finding_table).where(finding_table.c.id == finding_id)).mappings().first()
    return dict(row) if row else None


def pending_notifications(engine: Engine) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Findings whose opening, and findings whose resolution, nobody has been told of yet (oldest first).

    A finding resolved before its opening was told is in neither list as resolved: nobody heard it began.
    """
    with engine.connect() as conn:
        opened = conn.execute(
            select(finding_table).where(finding_table.c.notified_at.is_(None)).order_by(finding_table.c.id)
        ).mappings()
        new = [dict(row) for row in opened]
        closed = conn.execute(
            select(finding_table)
            .where(
                finding_table.c.resolved_at.is_not(None),
                finding_table.c.notified_at.is_not(None),
                finding_table.c.resolution_notified_at.is_(None),
            )
            .order_by(finding_table.c.id)
        ).mappings()
        return new, [dict(row) for row in closed]


def mark_notified(engine: Engine, finding_id: int, *, resolution: bool, now: datetime | None = None) -> None:
    """Record that the opening (or the resolution) of a finding was handed to the channels."""
    now = now or utcnow()
    with immediate(engine) as conn:
        row = conn.execute(select(finding_table.c.resolved_at).where(finding_table.c.id == finding_id)).first()
        if row is None:
            return
        values: dict[str, Any] = {"resolution_notified_at": now} if resolution else {"notified_at": now}
        if not resolution and row.resolved_at is not None:
            values["resolution_notified_at"] = now  # resolved before anyone was told it began: nothing more to tell
        conn.execute(update(finding_table).where(finding_table.c.id == finding_id).values(**values))


def start_check(engine: Engine, dag_run_id: str | None) -> int:
    """Record that a check began; return its id for :func:`finish_check`."""
    with immediate(engine) as conn:
        return conn.execute(
            insert(health_check_table)
            .values(dag_run_id=dag_run_id, started_at=utcnow())
            .returning(health_check_table.c.id)
        ).scalar_one()


def finish_check(engine: Engine, check_id: int, *, customers: int, requests: int) -> None:
    """Record how a check ended: customers checked, API requests it made, findings open after it."""
    with immediate(engine) as conn:
        open_count = conn.execute(select(func.count()).select_from(finding_table).where(_OPEN)).scalar_one()
        conn.execute(
            update(health_check_table)
            .where(health_check_table.c.id == check_id)
            .values(finished_at=utcnow(), customers_checked=customers, requests=requests, findings_open=open_count)
        )


def last_check(engine: Engine) -> dict[str, Any] | None:
    """The most recent check that finished, or ``None`` before the first."""
    query = (
        select(health_check_table)
        .where(health_check_table.c.finished_at.is_not(None))
        .order_by(health_check_table.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None
