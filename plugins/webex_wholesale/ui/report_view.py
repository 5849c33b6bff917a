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
from webex_wholesale.models.lifecycle_report import verdict_of
from webex_wholesale.models.report import FAILED_STEP_STATES
from webex_wholesale.models.states import RunOutcome
from webex_wholesale.ui.formats import timestamp

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
#: Columns of the subscriber table, in this order; fields not listed (nor folded) follow them.
SUBSCRIBER_COLUMNS = ("email", "name", "result", "package", "webexAnswer", "trackingId", "subscriberId")
#: Subscriber fields folded into the columns above, so a failed run's table fits a DAG run's tab (about 1,050 px in
#: a 1440 px window): ``isAdmin``, Webex's ``status`` and a message that is not a failure's into "Result";
#: ``httpStatus``, ``errorCodes`` and ``attempts`` into "Webex answer". A failure's message is in "What failed", once.
_FOLDED = frozenset({"isAdmin", "status", "message", "httpStatus", "errorCodes", "attempts"})
STEP_COLUMNS = ("taskId", "state", "message")
#: Summary fields holding a time, shown as every time on the pages is (:func:`~webex_wholesale.ui.formats.timestamp`).
_TIMES = frozenset({"startedAt", "finishedAt"})
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
    #: ``None`` for a report that has no subscriber list (a change or an offboarding: its changes are under "More").
    subscribers: Table | None
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


def _records(value: Any) -> list[dict[str, Any]]:
    return [_camel_keys(r) for r in value or [] if isinstance(r, Mapping)]


def _table(rows: list[dict[str, Any]], failed: list[bool], preferred: Sequence[str], *, failures_first: bool) -> Table:
    order = sorted(range(len(rows)), key=lambda i: (failures_first and not failed[i], i))
    present = {k for r in rows for k, v in r.items() if v not in _EMPTY}  # a column nobody filled is noise
    columns = [c for c in preferred if c in present]
    columns += sorted(present - set(columns))
    return Table(columns=columns, rows=[rows[i] for i in order], failed=[failed[i] for i in order])


def _subscriber_failed(row: Mapping[str, Any]) -> bool:
    return row.get("result") == SubscriberResult.FAILED


def _step_failed(row: Mapping[str, Any]) -> bool:
    return row.get("state") in FAILED_STEP_STATES


def _subscriber_cells(row: Mapping[str, Any]) -> dict[str, Any]:
    """One subscriber as its table row shows it (see ``_FOLDED``)."""
    result = str(row.get("result") or "")
    notes = ["administrator"] if row.get("isAdmin") else []
    if row.get("status") and row["status"] != result:
        notes.append(f"Webex status {row['status']}")
    if row.get("message") and not _subscriber_failed(row):
        notes.append(str(row["message"]))
    answer = [f"HTTP {row['httpStatus']}"] if row.get("httpStatus") is not None else []
    if row.get("errorCodes"):
        answer.append("errorCodes " + ", ".join(str(code) for code in row["errorCodes"]))
    if (row.get("attempts") or 1) > 1:
        answer.append(f"{row['attempts']} attempts")
    cells = {key: v for key, v in row.items() if key not in _FOLDED}
    cells["result"] = f"{result} ({'; '.join(notes)})" if notes else result
    cells["webexAnswer"] = ", ".join(answer) or None
    return cells


def _step_reason(row: Mapping[str, Any], refused: Sequence[Mapping[str, Any]]) -> str:
    """Why a step failed: its message, without the lines after the first when they list refused subscribers (a
    batch's failure lists its own), which "What failed" lists one by one after it."""
    message = str(row.get("message") or row.get("state") or "failed")
    first, _, rest = message.partition("\n")
    lists_refused = any(str(r.get("email")) in rest for r in refused)
    return first.rstrip(":") if lists_refused else message


def _failures(subscribers: list[dict[str, Any]], steps: list[dict[str, Any]]) -> list[Failure]:
    refused = [row for row in subscribers if _subscriber_failed(row)]
    found = [
        Failure(what=f"step {row.get('taskId', '?')}", reason=_step_reason(row, refused))
        for row in steps
        if _step_failed(row) and (row.get("message") or row.get("state") == "failed")
    ]
    for row in refused:
        details = [(label(k), row[k]) for k in ("errorCodes", "httpStatus", "trackingId") if row.get(k)]
        who = str(row.get("email", "?")) + (f" ({row['name']})" if row.get("name") else "")
        found.append(Failure(what=who, reason=row.get("message") or "failed", details=details))
    return found


def report_view(report: Mapping[str, Any]) -> ReportView:
    """Arrange one report for the page; unknown fields land under "More", nothing is dropped."""
    data = _camel_keys(report)
    subscribers = _records(data.get("subscribers"))
    steps = _records(data.get("steps"))
    failures = _failures(subscribers, steps)
    refused = [_subscriber_failed(row) for row in subscribers]
    stopped = [_step_failed(row) for row in steps]
    # A failed step's message is in "What failed"; the steps stay in the order they ran.
    step_rows = [{**row, "message": None} if failed else row for row, failed in zip(steps, stopped, strict=True)]
    verdict = verdict_of(data)
    summary = [
        (text, timestamp(data[key]) if key in _TIMES else data[key])
        for key, text in SUMMARY_FIELDS.items()
        if data.get(key) not in _EMPTY
    ]
    more = [(label(k), v) for k, v in data.items() if k not in SUMMARY_FIELDS and k not in _PLACED]
    return ReportView(
        outcome=verdict.outcome,
        problem=verdict.problem,
        failed=verdict.outcome is RunOutcome.FAILED,
        failures=failures,
        summary=summary,
        more=more,
        subscribers=_table(
            [_subscriber_cells(row) for row in subscribers], refused, SUBSCRIBER_COLUMNS, failures_first=True
        )
        if "subscribers" in data
        else None,
        steps=_table(step_rows, stopped, STEP_COLUMNS, failures_first=False),
    )
