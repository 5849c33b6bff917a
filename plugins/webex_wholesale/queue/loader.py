"""Read orders for the queue: a JSON order, a JSON list of orders, or a CSV of subscribers plus a customer.

Every way in (``wholesale-queue add``, the orders API, the upload form) comes through here, so an order is
checked once, by the project's order model (:func:`webex_wholesale.models.parse_order`, the onboarding DAG's own
gate), and refused with the same words everywhere. Every problem in every document is collected, each naming
the document, the list index or CSV line, the field and the reason. Callers store nothing unless loading
returns without raising :class:`ImportRefused`. What is stored is the validated order, so a value the checks
normalized (a phone number without its ``+``) is noted for the user the same way (``notes``), as the run's report
will not see it.

An order may say when it is due: ``notBefore``, an ISO 8601 date and time with a time zone, beside the order's
fields (in a CSV import, in the customer part). It is the queue's, not the onboarding order's, so it is taken out
here and kept beside the order (:class:`~webex_wholesale.state.orders.QueuedOrder`); the onboarding DAG refuses it.

The CSV format (one subscriber per row, the first row becomes the customer's administrator) is documented in
``docs/queue.md``, with an example in ``include/orders/``. The outcome columns of an export
(:data:`OUTCOME_COLUMNS`) are accepted and ignored, so exported rows can be fixed and queued again as they are.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from webex_wholesale.models import OrderValidationError, normalized_values, parse_order
from webex_wholesale.state.orders import QueuedOrder

__all__ = [
    "CSV_COLUMNS",
    "NOT_BEFORE",
    "OUTCOME_COLUMNS",
    "FileProblem",
    "ImportRefused",
    "load_csv",
    "load_files",
    "load_json",
]

#: CSV column -> where it goes in a subscriber of the order (``None``: the one-element ``packages`` list).
CSV_COLUMNS: dict[str, tuple[str, ...] | None] = {
    "email": ("email",),
    "package": None,
    "firstName": ("provisioningParameters", "firstName"),
    "lastName": ("provisioningParameters", "lastName"),
    "extension": ("provisioningParameters", "extension"),
    "primaryPhoneNumber": ("provisioningParameters", "primaryPhoneNumber"),
    "locationId": ("provisioningParameters", "locationId"),
}
REQUIRED_CSV_COLUMNS = ("email", "package", "firstName", "lastName")
#: What an outcomes export adds after :data:`CSV_COLUMNS` (``webex_wholesale.queue.export``); ignored on import.
OUTCOME_COLUMNS = ("result", "subscriberId", "errorCodes", "trackingId", "message")
_SUBSCRIBER_PATH = re.compile(r"^subscribers\[(\d+)\]\.?(.*)$")
#: The field of an order (or of a CSV's customer part) saying when it is due.
NOT_BEFORE = "notBefore"
_DUE_EXAMPLE = "e.g. 2026-12-24T09:00:00+01:00 or 2026-12-24T08:00:00Z"


@dataclass(frozen=True)
class FileProblem:
    """One reason an import is refused: where (document and index or line), which field, and why.

    ``where`` is the human reading (``users.csv line 3``, ``orders.json[1]``); ``index`` (the position in a JSON
    list) and ``line`` (the CSV line, the header being line 1) are the same place for programs. A value the checks
    normalized is told the same way (``reason``: what was sent instead), as a note.
    """

    where: str
    field: str
    reason: str
    index: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.reason}"


class ImportRefused(ValueError):
    """At least one document holds a bad order or row; nothing may be queued."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"refused: {count} problem{'' if count == 1 else 's'}, nothing was queued"]
        return "\n".join([*lines, *(f"  - {problem}" for problem in self.problems)])


def _parse_json(text: str | bytes, source: str) -> Any:
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused([FileProblem(source, "<file>", f"not valid JSON: {error}")]) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ImportRefused([FileProblem(str(path), "<file>", error.strerror or str(error))]) from None
    except UnicodeDecodeError as error:
        raise ImportRefused([FileProblem(str(path), "<file>", f"not UTF-8 text: {error}")]) from None


def _due(value: Any) -> tuple[datetime | None, str | None]:
    """``notBefore`` as a UTC time, or why it is not one (a time without a zone is refused, not guessed at)."""
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, f"must be an ISO 8601 date and time with a time zone, as a string ({_DUE_EXAMPLE})"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, f"not an ISO 8601 date and time: {value!r} ({_DUE_EXAMPLE})"
    if parsed.tzinfo is None:
        return None, f"needs a time zone ({_DUE_EXAMPLE})"
    return parsed.astimezone(UTC), None


#: What one document gave: its valid orders, its problems and its notes (values normalized).
_Loaded = tuple[list[QueuedOrder], list[FileProblem], list[FileProblem]]


def _validate(data: Any, where: str, source: str, index: int | None = None) -> _Loaded:
    """The order in ``data`` (with its ``notBefore``) and the values its checks normalized, or every problem."""
    not_before, due_problem = _due(data.pop(NOT_BEFORE, None)) if isinstance(data, dict) else (None, None)
    problems = [FileProblem(where, NOT_BEFORE, due_problem, index=index)] if due_problem else []
    try:
        order = parse_order(data)
    except OrderValidationError as error:
        problems += [FileProblem(where, path, reason, index=index) for path, reason in error.problems]
    if problems:
        return [], problems, []
    notes = [
        FileProblem(where, change["field"], f"{change['given']!r} is sent as {change['sent']!r}", index=index)
        for change in normalized_values(data, order)
    ]
    return [QueuedOrder(order, source, not_before)], [], notes


def _check_json(data: Any, source: str) -> _Loaded:
    items = data if isinstance(data, list) else [data]
    if not items:
        return [], [FileProblem(source, "<file>", "an empty list: no order to queue")], []
    orders, problems, notes = [], [], []
    for index, item in enumerate(items):
        listed = isinstance(data, list)
        where = f"{source}[{index}]" if listed else source
        order, found, noted = _validate(item, where, where, index if listed else None)
        orders.extend(order)
        problems.extend(found)
        notes.extend(noted)
    return orders, problems, notes


def _checked(loaded: _Loaded, notes: list[FileProblem] | None) -> list[QueuedOrder]:
    orders, problems, noted = loaded
    if problems:
        raise ImportRefused(problems)
    if notes is not None:
        notes.extend(noted)
    return orders


def load_json(text: str | bytes, source: str, notes: list[FileProblem] | None = None) -> list[QueuedOrder]:
    """Validate one JSON order or a JSON list of them (``source`` names the document in messages).

    ``notes``, when given, gets one entry per value the checks normalized (where, field, what is sent instead).
    """
    return _checked(_check_json(_parse_json(text, source), source), notes)


def _subscriber_from_row(row: dict[str, str]) -> dict[str, Any]:
    subscriber: dict[str, Any] = {}
    for column, target in CSV_COLUMNS.items():
        value = (row.get(column) or "").strip()
        if not value:
            continue
        if target is None:
            subscriber["packages"] = [value]
            continue
        node = subscriber
        for key in target[:-1]:
            node = node.setdefault(key, {})
        node[target[-1]] = value
    return subscriber


def _header_problems(header: Sequence[str], source: str) -> list[FileProblem]:
    where = f"{source} header"
    allowed = ", ".join(CSV_COLUMNS)
    unknown = [
        FileProblem(where, column, f"unknown column (allowed: {allowed})", line=1)
        for column in header
        if column not in CSV_COLUMNS and column not in OUTCOME_COLUMNS
    ]
    missing = [
        FileProblem(where, column, "required column is missing", line=1)
        for column in REQUIRED_CSV_COLUMNS
        if column not in header
    ]
    return unknown + missing


def _check_csv(lines: Iterable[str], source: str, customer: Any, customer_source: str) -> _Loaded:
    if not isinstance(customer, dict):
        return [], [FileProblem(customer_source, "<order>", "the customer part must be one JSON order object")], []
    if "subscribers" in customer:
        reason = "leave subscribers out of the customer part: they come from the CSV"
        return [], [FileProblem(customer_source, "subscribers", reason)], []
    try:
        reader = csv.DictReader(lines)
        problems = _header_problems(reader.fieldnames or [], source)
        if problems:
            return [], problems, []
        rows = [(reader.line_num, _subscriber_from_row(row)) for row in reader]
    except csv.Error as error:
        return [], [FileProblem(source, "<file>", f"not a readable CSV: {error}")], []
    if not rows:
        return [], [FileProblem(source, "<file>", "no subscriber rows under the header")], []
    order_data = {**customer, "subscribers": [row for _, row in rows]}
    order, problems, notes = _validate(order_data, customer_source, f"{source} + {customer_source}")
    located = [_locate_csv_problem(problem, source, rows) for problem in problems]
    return order, located, [_locate_csv_problem(note, source, rows) for note in notes]


def _locate_csv_problem(problem: FileProblem, source: str, rows: list[tuple[int, dict[str, Any]]]) -> FileProblem:
    """Point a subscriber problem at its CSV line and column; leave customer problems on the customer part."""
    match = _SUBSCRIBER_PATH.match(problem.field)
    if not match:
        return problem
    line = rows[int(match.group(1))][0]
    rest = match.group(2)
    column = next(
        (name for name, target in CSV_COLUMNS.items() if rest == ".".join(target or ("packages",))),
        "package" if rest.startswith("packages") else rest or "<row>",
    )
    return FileProblem(f"{source} line {line}", column, problem.reason, line=line)


def load_csv(
    lines: Iterable[str],
    source: str,
    customer: str | bytes,
    customer_source: str = "customer",
    notes: list[FileProblem] | None = None,
) -> list[QueuedOrder]:
    """Validate a CSV of subscribers (its text, line by line) joining the customer order given as JSON text."""
    return _checked(_check_csv(lines, source, _parse_json(customer, customer_source), customer_source), notes)


def _load_path(path: Path, customer: Path | None, notes: list[FileProblem]) -> list[QueuedOrder]:
    if path.suffix.lower() != ".csv":
        return load_json(_read_text(path), str(path), notes)
    if customer is None:
        raise ImportRefused([FileProblem(str(path), "<file>", "a CSV of subscribers needs --customer ORDER.json")])
    customer_text = _read_text(customer)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return load_csv(handle, str(path), customer_text, str(customer), notes)
    except OSError as error:
        raise ImportRefused([FileProblem(str(path), "<file>", error.strerror or str(error))]) from None
    except UnicodeDecodeError as error:
        raise ImportRefused([FileProblem(str(path), "<file>", f"not a readable CSV: {error}")]) from None


def load_files(
    paths: Sequence[Path], customer: Path | None = None, notes: list[FileProblem] | None = None
) -> list[QueuedOrder]:
    """Validate every order in ``paths``; return them all, or raise :class:`ImportRefused` with every problem.

    ``notes``, when given, gets one entry per value the checks normalized (where, field, what is sent instead).
    """
    orders: list[QueuedOrder] = []
    problems: list[FileProblem] = []
    noted: list[FileProblem] = []
    for path in paths:
        try:
            orders.extend(_load_path(path, customer, noted))
        except ImportRefused as refused:
            problems.extend(refused.problems)
    if problems:
        raise ImportRefused(problems)
    if notes is not None:
        notes.extend(noted)
    return orders
