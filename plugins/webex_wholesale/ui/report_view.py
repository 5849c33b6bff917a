"""The onboarding report as the pages show it: failures and their reasons first, then everything else.

The report is the JSON the ``onboarding_report`` task stores in ``wholesale_run.report_json``. What it means
(outcome, problem) is the report model's verdict (:func:`webex_wholesale.models.report.judge`), never its stored
``outcome`` text. It grows fields over time, so known fields get a place and a label, and any other field is still
shown (under "More", rendered by its shape: text, list, nested fields, or a table for a list of records) rather
than dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from webex_wholesale.models import SubscriberResult
from webex_wholesale.models.report import FAILED_STEP_STATES, OnboardingReport, judge
from webex_wholesale.models.states import RunOutcome

#: Known top-level fields in the order the summary lists them, with their labels.
SUMMARY_FIELDS: dict[str, str] = {
    "customerName": "Customer",
    "externalId": "externalId",
    "provisioningId": "Onboarding template (provisioningId)",
    "customerId": "Customer id",
    "orgId": "orgId",
    "customerStatus": "Customer status",
    "customerAdopted": "Customer already existed (adopted)",
    "adminEmail": "Administrator",
    "setupAssistReference": "Setup Assist reference",
    "subscribersOrdered": "Subscribers ordered",
    "counts": "Subscriber outcomes",
    "dryRun": "Dry run",
    "startedAt": "Started",
    "finishedAt": "Finished",
    "durationSeconds": "Duration (s)",
    "runId": "Run id",
}
#: Columns of the subscriber and step tables, in this order; fields not listed follow them.
SUBSCRIBER_COLUMNS = ("email", "result", "isAdmin", "errorCodes", "message", "trackingId", "subscriberId",
                      "status", "package", "httpStatus", "attempts")  # fmt: skip
STEP_COLUMNS = ("taskId", "state", "message")
#: Fields shown elsewhere than the summary or "More".
_PLACED = {"outcome", "subscribers", "steps"}
_EMPTY = (None, "", [], {})


@dataclass(frozen=True)
class Failure:
    """One thing that went wrong: what (a subscriber's email or a step's task id), why, and Webex's details."""

    what: str
    reason: str
    details: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """Rows of records with the union of their fields as columns; ``failed[i]`` marks row ``i`` as a failure."""

    columns: list[str]
    rows: list[dict[str, Any]]
    failed: list[bool]

    @property
    def labels(self) -> list[str]:
        return [label(c) for c in self.columns]


@dataclass(frozen=True)
class ReportView:
    #: The report's verdict, as the run and its order record it.
    outcome: RunOutcome
    problem: str | None
    failed: bool
    failures: list[Failure]
    summary: list[tuple[str, Any]]
    more: list[tuple[str, Any]]
    subscribers: Table
    steps: Table


def label(key: str) -> str:
    """A readable label for a field name: ``setupAssistToSubmit`` -> ``Setup assist to submit``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else key


def camel(key: str) -> str:
    """``customer_name`` -> ``customerName``; camelCase keys are returned unchanged."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _camel_keys(record: Mapping[str, Any]) -> dict[str, Any]:
    return {camel(str(k)): v for k, v in record.items()}


def _table(records: Any, preferred: Sequence[str], is_failed) -> Table:
    rows = [_camel_keys(r) for r in records or [] if isinstance(r, Mapping)]
    failed = [bool(is_failed(r)) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (not failed[i], i))  # failures first, otherwise as reported
    present = {k for r in rows for k, v in r.items() if v not in _EMPTY}  # a column nobody filled is noise
    columns = [c for c in preferred if c in present]
    columns += sorted(present - set(columns))
    return Table(columns=columns, rows=[rows[i] for i in order], failed=[failed[i] for i in order])


def _subscriber_failed(row: Mapping[str, Any]) -> bool:
    return row.get("result") == SubscriberResult.FAILED


def _step_failed(row: Mapping[str, Any]) -> bool:
    return row.get("state") in FAILED_STEP_STATES


def _failures(subscribers: Table, steps: Table) -> list[Failure]:
    found = [
        Failure(what=f"step {row.get('taskId', '?')}", reason=row.get("message") or row.get("state") or "failed")
        for row, failed in zip(steps.rows, steps.failed, strict=True)
        if failed and (row.get("message") or row.get("state") == "failed")
    ]
    for row, failed in zip(subscribers.rows, subscribers.failed, strict=True):
        if failed:
            details = [(label(k), row[k]) for k in ("errorCodes", "httpStatus", "trackingId") if row.get(k)]
            reason = row.get("message") or "failed"
            found.append(Failure(what=str(row.get("email", "?")), reason=reason, details=details))
    return found


def report_view(report: Mapping[str, Any]) -> ReportView:
    """Arrange one report for the page; unknown fields land under "More", nothing is dropped."""
    data = _camel_keys(report)
    subscribers = _table(data.get("subscribers"), SUBSCRIBER_COLUMNS, _subscriber_failed)
    steps = _table(data.get("steps"), STEP_COLUMNS, _step_failed)
    failures = _failures(subscribers, steps)
    verdict = judge(OnboardingReport.model_validate(data))
    summary = [(text, data[key]) for key, text in SUMMARY_FIELDS.items() if data.get(key) not in _EMPTY]
    more = [(label(k), v) for k, v in data.items() if k not in SUMMARY_FIELDS and k not in _PLACED]
    return ReportView(
        outcome=verdict.outcome,
        problem=verdict.problem,
        failed=verdict.outcome is RunOutcome.FAILED,
        failures=failures,
        summary=summary,
        more=more,
        subscribers=subscribers,
        steps=steps,
    )
