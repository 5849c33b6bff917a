"""``wholesale-queue``: put orders in the queue, look at them, retry or cancel them, export their outcomes, show the
customers' health, migrate the state database.

The state database is the one the DAGs use: the Airflow connection ``wholesale_db`` (for instance
``AIRFLOW_CONN_WHOLESALE_DB=postgresql://user@host:5432/db``), else ``$AIRFLOW_HOME/wholesale.db``.
Exit status: 0 done, 1 refused (bad file, duplicate, illegal transition, unknown order, un-migrated database).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from webex_wholesale.models.lifecycle_report import verdict_of
from webex_wholesale.models.states import AuditKind, OrderState
from webex_wholesale.queue.export import order_outcomes_csv
from webex_wholesale.queue.health_report import print_health
from webex_wholesale.queue.loader import FileProblem, ImportRefused, load_files
from webex_wholesale.state import migrate, orders
from webex_wholesale.state.engine import get_engine
from webex_wholesale.state.errors import StateDatabaseMisconfigured
from webex_wholesale.state.machine import IllegalTransition
from webex_wholesale.state.orders import DuplicateOrder, OrderNotFound
from webex_wholesale.state.store import open_state

__all__ = ["main"]

#: What a refusal looks like to the user: a message and exit status 1, never a traceback.
_REFUSALS = (ImportRefused, DuplicateOrder, IllegalTransition, OrderNotFound, StateDatabaseMisconfigured)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


def _due(not_before: datetime | None) -> str:
    return "now" if orders.is_due(not_before) else _when(not_before)


def _add(args: argparse.Namespace) -> None:
    notes: list[FileProblem] = []
    queued = load_files(args.files, customer=args.customer, notes=notes)
    ids = orders.enqueue(open_state(), queued)
    for note in notes:
        print(f"normalized {note}")
    for order_id, item in zip(ids, queued, strict=True):
        subscribers = len(item.order.subscribers)
        print(
            f"queued order {order_id}: {item.order.external_id} ({subscribers} subscribers) from {item.source}; "
            f"due {_due(item.not_before)}"
        )


def _list(args: argparse.Namespace) -> None:
    rows = orders.list_orders(open_state(), state=args.state)
    print(f"{'ID':>6}  {'EXTERNAL ID':<32} {'STATE':<16} {'SUBSCRIBERS':>11}  {'DUE':<23}  LAST CHANGE")
    for row in rows:
        print(
            f"{row['id']:>6}  {row['external_id']:<32} {row['state']:<16} {row['subscriber_count']:>11}  "
            f"{_due(row['not_before']):<23}  {_when(row['updated_at'])}"
        )
    if not rows:
        print("(no orders" + (f" in state {args.state})" if args.state else ")"))


def _table(title: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    print(f"\n{title}:")
    if not rows:
        print("  (none)")
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, datetime):
                value = _when(value)
            if value not in (None, [], ""):
                cells.append(f"{column}={value}")
        print("  " + "  ".join(cells))


def _show(args: argparse.Namespace) -> None:
    engine = open_state()
    order = orders.find_order(engine, args.order)
    print(f"order {order['id']}: {order['external_id']} ({order['customer_name']})")
    for label, key in (
        ("state", "state"),
        ("subscribers", "subscriber_count"),
        ("attempts", "attempts"),
        ("DAG run", "dag_run_id"),
        ("Webex customer id", "customer_id"),
        ("source", "source"),
        ("last error", "last_error"),
    ):
        print(f"  {label + ':':<19}{order[key] if order[key] not in (None, '') else '-'}")
    print(f"  {'due:':<19}{_due(order['not_before'])}")
    print(f"  {'created:':<19}{_when(order['created_at'])}\n  {'updated:':<19}{_when(order['updated_at'])}")
    _table("State history", orders.order_transitions(engine, order["id"]), ("at", "from_state", "to_state", "reason"))
    runs = [{**run, "problem": _problem(run["report_json"])} for run in orders.order_runs(engine, order["id"])]
    _table("Runs", runs, ("dag_run_id", "state", "started_at", "ended_at", "problem"))
    audit = orders.order_audit(engine, order["id"])
    outcomes = sorted(
        (row for row in audit if row["kind"] is AuditKind.SUBSCRIBER_OUTCOME),
        key=lambda row: not row["result"].is_failure,
    )
    _table(
        "Subscriber outcomes (failures first)",
        outcomes,
        ("subscriber_email", "result", "reason", "tracking_id", "error_codes"),
    )
    calls = [row for row in audit if row["kind"] is AuditKind.API_CALL]
    _table(
        "Audit (API calls that changed something)",
        calls,
        (
            "at",
            "dag_run_id",
            "task_id",
            "map_index",
            "method",
            "path",
            "subscriber_email",
            "http_status",
            "tracking_id",
            "error_codes",
            "result",
            "attempts",
        ),
    )


def _problem(report_json: dict[str, Any] | None) -> str | None:
    """What went wrong in one run, as its report's verdict says (``None``: no report yet, or nothing went wrong)."""
    return verdict_of(report_json).problem if report_json else None


def _retry(args: argparse.Namespace) -> None:
    orders.retry(open_state(), args.order_id, requested_by=f"{getpass.getuser()} (wholesale-queue retry)")
    print(f"order {args.order_id} is queued again; the next queue run starts it as a new attempt")


def _cancel(args: argparse.Namespace) -> None:
    orders.cancel(open_state(), args.order_id)
    print(f"order {args.order_id} is cancelled")


def _export(args: argparse.Namespace) -> None:
    _order, text = order_outcomes_csv(open_state(), args.order)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)


def _health(args: argparse.Namespace) -> None:
    print_health(open_state(), as_json=args.json)


def _db_upgrade(_args: argparse.Namespace) -> None:
    engine = get_engine()
    before, after = migrate.upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"state database {where} is already at revision {after}")
    else:
        print(f"state database {where} upgraded from {before or 'empty'} to revision {after}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wholesale-queue", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    add = commands.add_parser("add", help="validate order files and queue them, all or nothing")
    add.add_argument("files", nargs="+", type=Path, help="a JSON order, a JSON list of orders, or a CSV of subscribers")
    add.add_argument("--customer", type=Path, help="the order (without subscribers) that a CSV's subscribers join")
    add.set_defaults(run=_add)

    listing = commands.add_parser("list", help="one line per order")
    listing.add_argument("--state", type=OrderState, choices=list(OrderState))
    listing.set_defaults(run=_list)

    show = commands.add_parser("show", help="an order's summary, state history, subscriber outcomes and audit")
    show.add_argument("order", metavar="ID_OR_EXTERNAL_ID")
    show.set_defaults(run=_show)

    for name, handler, text in (
        ("retry", _retry, "queue a failed or needs_attention order again"),
        ("cancel", _cancel, "cancel a queued, failed or needs_attention order"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("order_id", metavar="ID", type=int)
        command.set_defaults(run=handler)

    export = commands.add_parser(
        "export", help="the order's outcomes as a CSV in the import's columns: fix failed rows, add them again"
    )
    export.add_argument("order", metavar="ID_OR_EXTERNAL_ID")
    export.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    export.set_defaults(run=_export)
    health = commands.add_parser("health", help="the health check's open findings (status, consent, drift, runs)")
    health.add_argument("--json", action="store_true", help="JSON for scripts: the last check and every finding")
    health.set_defaults(run=_health)

    db = commands.add_parser("db", help="state database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="create or migrate the tables (safe to repeat)").set_defaults(
        run=_db_upgrade
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except _REFUSALS as refusal:
        print(f"wholesale-queue {args.command}: {refusal}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
