"""Read order files for the queue: a JSON order, a JSON list of orders, or a CSV of subscribers plus a customer.

Every order is checked with the project's order model (:func:`webex_wholesale.models.parse_order`) before anything
is stored, and every problem in every file is collected, each naming the file, the list index or CSV row, the
field and the reason. Callers store nothing unless :func:`load_files` returns without raising. What is stored is
the validated order, so a value the checks normalized (a phone number without its ``+``) is noted for the user
the same way, as the run's report will not see it.

The CSV format (one subscriber per row, the first row becomes the customer's administrator) is documented in
``docs/queue.md``, with an example in ``include/orders/``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webex_wholesale.models import OnboardingOrder, OrderValidationError, normalized_values, parse_order
from webex_wholesale.state.orders import QueuedOrder

__all__ = ["CSV_COLUMNS", "FileProblem", "ImportRefused", "load_files"]

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
_SUBSCRIBER_PATH = re.compile(r"^subscribers\[(\d+)\]\.?(.*)$")


@dataclass(frozen=True)
class FileProblem:
    """One reason a file is refused: where (file and index or row), which field, and why.

    A value the checks normalized is told the same way (``reason``: what was sent instead), as a note.
    """

    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.reason}"


class ImportRefused(ValueError):
    """At least one file holds a bad order or row; nothing may be queued."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"refused: {count} problem{'' if count == 1 else 's'}, nothing was queued"]
        return "\n".join([*lines, *(f"  - {problem}" for problem in self.problems)])


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ImportRefused([FileProblem(str(path), "<file>", error.strerror or str(error))]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused([FileProblem(str(path), "<file>", f"not valid JSON: {error}")]) from None


#: What one file gave: its valid orders, its problems and its notes (values normalized).
_Loaded = tuple[list[QueuedOrder], list[FileProblem], list[FileProblem]]


def _validate(data: Any, where: str) -> tuple[OnboardingOrder | None, list[FileProblem], list[FileProblem]]:
    try:
        order = parse_order(data)
    except OrderValidationError as error:
        return None, [FileProblem(where, path, reason) for path, reason in error.problems], []
    notes = [
        FileProblem(where, change["field"], f"{change['given']!r} is sent as {change['sent']!r}")
        for change in normalized_values(data, order)
    ]
    return order, [], notes


def _load_json(path: Path) -> _Loaded:
    data = _read_json(path)
    items = data if isinstance(data, list) else [data]
    if not items:
        return [], [FileProblem(str(path), "<file>", "an empty list: no order to queue")], []
    orders, problems, notes = [], [], []
    for index, item in enumerate(items):
        where = f"{path}[{index}]" if isinstance(data, list) else str(path)
        order, found, noted = _validate(item, where)
        problems.extend(found)
        notes.extend(noted)
        if order is not None:
            orders.append(QueuedOrder(order, where))
    return orders, problems, notes


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


def _load_csv(path: Path, customer_path: Path | None) -> _Loaded:
    if customer_path is None:
        return [], [FileProblem(str(path), "<file>", "a CSV of subscribers needs --customer ORDER.json")], []
    customer = _read_json(customer_path)
    if not isinstance(customer, dict):
        reason = "the customer file must hold one JSON order object"
        return [], [FileProblem(str(customer_path), "<order>", reason)], []
    if "subscribers" in customer:
        reason = "leave subscribers out of the customer file: they come from the CSV"
        return [], [FileProblem(str(customer_path), "subscribers", reason)], []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            problems = [
                FileProblem(f"{path} header", column, "unknown column (allowed: " + ", ".join(CSV_COLUMNS) + ")")
                for column in header
                if column not in CSV_COLUMNS
            ]
            problems += [
                FileProblem(f"{path} header", column, "required column is missing")
                for column in REQUIRED_CSV_COLUMNS
                if column not in header
            ]
            if problems:
                return [], problems, []
            rows = [(reader.line_num, _subscriber_from_row(row)) for row in reader]
    except OSError as error:
        return [], [FileProblem(str(path), "<file>", error.strerror or str(error))], []
    except (UnicodeDecodeError, csv.Error) as error:
        return [], [FileProblem(str(path), "<file>", f"not a readable CSV: {error}")], []
    if not rows:
        return [], [FileProblem(str(path), "<file>", "no subscriber rows under the header")], []
    order, problems, notes = _validate({**customer, "subscribers": [row for _, row in rows]}, str(customer_path))
    located = [_locate_csv_problem(problem, path, rows) for problem in problems]
    noted = [_locate_csv_problem(note, path, rows) for note in notes]
    return ([QueuedOrder(order, f"{path} + {customer_path}")] if order else []), located, noted


def _locate_csv_problem(problem: FileProblem, path: Path, rows: list[tuple[int, dict[str, Any]]]) -> FileProblem:
    """Point a subscriber problem at its CSV line and column; leave customer problems on the customer file."""
    match = _SUBSCRIBER_PATH.match(problem.field)
    if not match:
        return problem
    line = rows[int(match.group(1))][0]
    rest = match.group(2)
    column = next(
        (name for name, target in CSV_COLUMNS.items() if rest == ".".join(target or ("packages",))),
        "package" if rest.startswith("packages") else rest or "<row>",
    )
    return FileProblem(f"{path} line {line}", column, problem.reason)


def load_files(
    paths: Sequence[Path], customer: Path | None = None, notes: list[FileProblem] | None = None
) -> list[QueuedOrder]:
    """Validate every order in ``paths``; return them all, or raise :class:`ImportRefused` with every problem.

    ``notes``, when given, gets one entry per value the checks normalized (where, field, what is sent instead).
    """
    orders: list[QueuedOrder] = []
    problems: list[FileProblem] = []
    for path in paths:
        try:
            loaded, found, noted = _load_csv(path, customer) if path.suffix.lower() == ".csv" else _load_json(path)
        except ImportRefused as refused:
            loaded, found, noted = [], refused.problems, []
        orders.extend(loaded)
        problems.extend(found)
        if notes is not None:
            notes.extend(noted)
    if problems:
        raise ImportRefused(problems)
    return orders
