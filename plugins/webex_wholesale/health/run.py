"""The health DAG's work: check every watched customer and every unfinished run, keep the findings, tell people.

Its knobs are Airflow Variables, read when a run starts (see :class:`HealthSettings`), so changing one needs no
deployment. Checking and telling are separate steps: a message that could not be sent is not retried by checking
Webex again, and a check that failed leaves the earlier findings' messages to the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from webex_wholesale.health.checks import stuck_run_findings
from webex_wholesale.health.events import finding_event
from webex_wholesale.health.survey import survey
from webex_wholesale.notify.channels import configured_channels
from webex_wholesale.notify.deliver import deliver
from webex_wholesale.state.findings import (
    finish_check,
    mark_notified,
    pending_notifications,
    record_findings,
    start_check,
)
from webex_wholesale.state.schema import utcnow
from webex_wholesale.state.watchlist import runs_started_before, watched_customers

__all__ = [
    "CONSENT_HOURS_VARIABLE",
    "EVERY_CUSTOMER_VARIABLE",
    "STUCK_RUN_HOURS_VARIABLE",
    "HealthSettings",
    "check_health",
    "notify_findings",
]

log = logging.getLogger(__name__)

#: Airflow Variables that tune the check (read when a run starts; see :class:`HealthSettings`).
CONSENT_HOURS_VARIABLE = "webex_wholesale_health_consent_hours"
STUCK_RUN_HOURS_VARIABLE = "webex_wholesale_health_stuck_run_hours"
EVERY_CUSTOMER_VARIABLE = "webex_wholesale_health_every_customer"


@dataclass(frozen=True)
class HealthSettings:
    """What counts as a problem, and what is checked."""

    consent_grace: timedelta = timedelta(hours=24)
    """How long users may wait for consent before it is a finding (:data:`CONSENT_HOURS_VARIABLE`)."""
    stuck_after: timedelta = timedelta(hours=4)
    """How long a lifecycle run may run before it is a finding (:data:`STUCK_RUN_HOURS_VARIABLE`)."""
    every_customer: bool = False
    """Check every customer of the partner, not only ours (:data:`EVERY_CUSTOMER_VARIABLE`, JSON ``true``)."""

    @classmethod
    def from_variables(cls) -> HealthSettings:
        from airflow.sdk import Variable

        default = cls()

        def hours(name: str, fallback: timedelta) -> timedelta:
            return timedelta(hours=float(Variable.get(name, default=fallback.total_seconds() / 3600)))

        return cls(
            consent_grace=hours(CONSENT_HOURS_VARIABLE, default.consent_grace),
            stuck_after=hours(STUCK_RUN_HOURS_VARIABLE, default.stuck_after),
            every_customer=Variable.get(EVERY_CUSTOMER_VARIABLE, default=False, deserialize_json=True) is True,
        )


def check_health(
    engine: Engine,
    settings: HealthSettings,
    *,
    dag_run_id: str | None = None,
    conn_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One complete check; the findings are stored (new, persisting, resolved) and a summary returned."""
    now = now or utcnow()
    check_id = start_check(engine, dag_run_id)
    result = survey(
        watched_customers(engine),
        now=now,
        consent_grace=settings.consent_grace,
        conn_id=conn_id,
        every_customer=settings.every_customer,
    )
    stuck = stuck_run_findings(runs_started_before(engine, now - settings.stuck_after), now=now)
    changes = record_findings(engine, [*result.findings, *stuck], now)
    finish_check(engine, check_id, customers=result.customers, requests=result.requests)
    return {
        "customers": result.customers,
        "requests": result.requests,
        "requestsPerCustomer": round(result.requests_per_customer, 3),
        "opened": changes.opened,
        "persisting": changes.persisting,
        "resolved": changes.resolved,
    }


def notify_findings(engine: Engine) -> dict[str, int]:
    """Tell the configured channels of every finding opened or resolved since last told, once each.

    With no channel configured the events are marked told all the same (nobody is to be told, now or later). A
    channel that fails after its retries is logged by :func:`deliver`; the event is not sent again, so a channel
    that did take it is never told twice.
    """
    try:
        channels = configured_channels()
    except ValueError as error:
        log.error("Notifications are misconfigured; findings stay untold until fixed: %s", error)
        return {"opened": 0, "resolved": 0, "channels": 0}
    new, resolved = pending_notifications(engine)
    for rows, is_resolution in ((new, False), (resolved, True)):
        for row in rows:
            if channels:
                deliver(finding_event(row, resolved=is_resolution), channels)
            mark_notified(engine, row["id"], resolution=is_resolution)
    return {"opened": len(new), "resolved": len(resolved), "channels": len(channels)}
