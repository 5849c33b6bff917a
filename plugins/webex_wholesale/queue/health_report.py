"""``wholesale-queue health``: the health check's open findings, for a person (a table) or a script (``--json``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from webex_wholesale.models.health import duration_text
from webex_wholesale.state.findings import last_check, open_findings
from webex_wholesale.state.schema import utcnow

__all__ = ["health_json", "print_health"]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def health_json(engine: Engine, now: datetime | None = None) -> dict[str, Any]:
    """The last check and every open finding with its age, JSON-safe (camelCase, as the API's fields)."""
    now = now or utcnow()
    check = last_check(engine)
    findings = [
        {
            "id": row["id"],
            "externalId": row["external_id"],
            "customerName": row["customer_name"],
            "customerId": row["customer_id"],
            "orderId": row["order_id"],
            "kind": row["kind"],
            "subject": row["subject"],
            "summary": row["summary"],
            "since": _iso(row["first_seen"]),
            "lastSeen": _iso(row["last_seen"]),
            "ageSeconds": int((now - row["first_seen"]).total_seconds()),
            "details": row["details"] or {},
        }
        for row in open_findings(engine)
    ]
    last = None
    if check is not None:
        last = {
            "finishedAt": _iso(check["finished_at"]),
            "customers": check["customers_checked"],
            "requests": check["requests"],
            "findingsOpen": check["findings_open"],
        }
    return {"lastCheck": last, "findings": findings}


def print_health(engine: Engine, *, as_json: bool = False, now: datetime | None = None) -> None:
    """Print the open findings, oldest problem first within each customer."""
    now = now or utcnow()
    if as_json:
        print(json.dumps(health_json(engine, now), indent=2))
        return
    check = last_check(engine)
    if check is None:
        print("no health check has finished yet (the webex_wholesale_health DAG runs hourly)")
    else:
        print(
            f"last check {duration_text(now - check['finished_at'])} ago: {check['customers_checked']} customers, "
            f"{check['requests']} requests, {check['findings_open']} findings open"
        )
    rows = open_findings(engine)
    if not rows:
        print("(no open findings)")
        return
    print(f"{'EXTERNAL ID':<32} {'FINDING':<24} {'SINCE':>10}  SUMMARY")
    for row in rows:
        age = duration_text(now - row["first_seen"])
        print(f"{row['external_id']:<32} {row['kind']:<24} {age:>10}  {row['summary']}")
