"""An order's outcomes as a CSV in the import's own format: fix the failed rows and queue them again as they are.

One row per subscriber of the order, in the order's order: the import columns
(:data:`~webex_wholesale.queue.loader.CSV_COLUMNS`, filled from the order as queued) followed by the outcome
columns (:data:`~webex_wholesale.queue.loader.OUTCOME_COLUMNS`, from the report of the order's latest run that
wrote one). The loader ignores the outcome columns, so the file, or the failed rows of it, goes back in with
``wholesale-queue add FILE --customer CUSTOMER.json``, the API or the upload form. A subscriber the run never
reached has empty outcome columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Engine

from webex_wholesale.queue.loader import CSV_COLUMNS, OUTCOME_COLUMNS
from webex_wholesale.state.orders import find_order, order_runs

__all__ = ["EXPORT_COLUMNS", "order_outcomes_csv", "outcome_rows"]

EXPORT_COLUMNS = (*CSV_COLUMNS, *OUTCOME_COLUMNS)
#: How a list of Webex ``errorCodes`` is written in one cell.
ERROR_CODE_SEPARATOR = " "


def _import_cells(subscriber: Mapping[str, Any]) -> dict[str, str]:
    cells = {}
    for column, target in CSV_COLUMNS.items():
        value: Any = subscriber
        for key in target or ("packages",):
            value = value.get(key) if isinstance(value, Mapping) else None
        cells[column] = value[0] if target is None and value else (value or "")
    return cells


def _outcome_cells(outcome: Mapping[str, Any] | None) -> dict[str, str]:
    if outcome is None:
        return dict.fromkeys(OUTCOME_COLUMNS, "")
    return {
        "result": str(outcome.get("result") or ""),
        "subscriberId": outcome.get("subscriberId") or "",
        "errorCodes": ERROR_CODE_SEPARATOR.join(str(code) for code in outcome.get("errorCodes") or ()),
        "trackingId": outcome.get("trackingId") or "",
        "message": outcome.get("message") or "",
    }


def outcome_rows(order_json: Mapping[str, Any], report: Mapping[str, Any] | None) -> Iterator[dict[str, str]]:
    """One export row per subscriber of ``order_json`` (the order as queued), with its outcome in ``report``."""
    outcomes = {str(o["email"]).lower(): o for o in (report or {}).get("subscribers") or []}
    for subscriber in order_json.get("subscribers") or []:
        yield {**_import_cells(subscriber), **_outcome_cells(outcomes.get(str(subscriber["email"]).lower()))}


def order_outcomes_csv(engine: Engine, id_or_external_id: str | int) -> tuple[dict[str, Any], str]:
    """The order (as :func:`~webex_wholesale.state.orders.find_order` gives it) and its outcomes CSV text."""
    order = find_order(engine, id_or_external_id)
    reports = [run["report_json"] for run in order_runs(engine, order["id"]) if run.get("report_json")]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(outcome_rows(order["order_json"], reports[-1] if reports else None))
    return order, buffer.getvalue()
