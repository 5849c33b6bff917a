"""Read-only queries the pages need beyond the queue's own look-ups (:mod:`webex_wholesale.state.orders`).

Page-shaped: counts by state, searched lists with a cap and a total, ad-hoc runs failures first with their
problem, one run, audit records failures first. Nothing here writes.

A search matches part of an externalId, a customer name, or anything else the order (or an ad-hoc run's report)
holds, a subscriber's email above all; letters in any case.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Text, case, cast, func, or_, select

from webex_wholesale.models.report import OnboardingReport, judge
from webex_wholesale.models.states import AUDIT_FAILURES, OrderState
from webex_wholesale.state.machine import ATTENTION_STATES
from webex_wholesale.state.schema import audit_table, order_table, run_table

#: Most rows one list shows; the page says when there are more, and the search narrows them.
LIST_LIMIT = 500
#: Most audit records one page shows (failures first); a 1,000-subscriber order has about 2,000.
AUDIT_LIMIT = 2_500

#: An audit record that tells of something going wrong: an HTTP error, no answer, or a failed subscriber.
_audit_failed = or_(audit_table.c.http_status >= 400, audit_table.c.result.in_(AUDIT_FAILURES))


def _rows(engine: Engine, query) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def _count(engine: Engine, table, conditions) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()


def _contains(column, text: str):
    """Case-insensitive substring match, with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped.lower()}%", escape="\\")


@dataclass(frozen=True)
class StateCount:
    """How many queued orders and how many ad-hoc runs are in one state."""

    orders: int = 0
    adhoc: int = 0

    @property
    def total(self) -> int:
        return self.orders + self.adhoc


def state_counts(engine: Engine) -> dict[OrderState, StateCount]:
    """Every state with its queued orders and its ad-hoc runs (a run's row uses the order states' words)."""
    by_state = select(run_table.c.state, func.count()).where(run_table.c.order_id.is_(None)).group_by(run_table.c.state)
    with engine.connect() as conn:
        orders = Counter(
            dict(conn.execute(select(order_table.c.state, func.count()).group_by(order_table.c.state)).all())
        )
        adhoc = Counter(dict(conn.execute(by_state).all()))
    return {state: StateCount(orders=orders[state], adhoc=adhoc[state]) for state in OrderState}


def list_orders(
    engine: Engine,
    *,
    state: OrderState | None = None,
    search: str | None = None,
    external_id: str | None = None,
    limit: int = LIST_LIMIT,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Orders (without their JSON), most recently changed first, and how many matched in all.

    ``search`` is the pages' search box (see above); ``external_id`` matches a whole externalId (the API).
    """
    conditions = []
    if state:
        conditions.append(order_table.c.state == state)
    if search:
        conditions.append(
            or_(
                _contains(order_table.c.external_id, search),
                _contains(order_table.c.customer_name, search),
                _contains(cast(order_table.c.order_json, Text), search),
            )
        )
    if external_id:
        conditions.append(order_table.c.external_id == external_id)
    columns = [column for column in order_table.c if column.name != "order_json"]
    query = select(*columns).where(*conditions).order_by(order_table.c.updated_at.desc(), order_table.c.id.desc())
    return _rows(engine, query.limit(limit).offset(offset)), _count(engine, order_table, conditions)


def adhoc_runs(
    engine: Engine, *, state: OrderState | None = None, search: str | None = None, limit: int = LIST_LIMIT
) -> list[dict[str, Any]]:
    """Runs triggered with an inline order (no queued order): failed and needs_attention ones first, each with its
    report's problem line as ``error``; then by customer, newest first within one."""
    needs_a_look = case((run_table.c.state.in_(ATTENTION_STATES), 0), else_=1)
    query = select(*(c for c in run_table.c if c.name != "report_json")).where(run_table.c.order_id.is_(None))
    if state:
        query = query.where(run_table.c.state == state)
    if search:
        query = query.where(
            or_(
                _contains(run_table.c.customer_external_id, search),
                _contains(run_table.c.customer_name, search),
                _contains(cast(run_table.c.report_json, Text), search),
            )
        )
    order = (needs_a_look, run_table.c.customer_external_id, run_table.c.started_at.desc())
    rows = _rows(engine, query.order_by(*order).limit(limit))
    problems = _problems(engine, [row["id"] for row in rows if row["state"] in ATTENTION_STATES])
    return [{**row, "error": problems.get(row["id"])} for row in rows]


def _problems(engine: Engine, run_ids: list[int]) -> dict[int, str | None]:
    """The problem line of each run's report, as its verdict states it (the report's one judge)."""
    if not run_ids:
        return {}
    query = select(run_table.c.id, run_table.c.report_json).where(
        run_table.c.id.in_(run_ids), run_table.c.report_json.is_not(None)
    )
    with engine.connect() as conn:
        reports = conn.execute(query).all()
    return {run_id: judge(OnboardingReport.model_validate(report)).problem for run_id, report in reports}


def get_run(engine: Engine, dag_id: str, dag_run_id: str) -> dict[str, Any] | None:
    rows = _rows(engine, select(run_table).where(run_table.c.dag_id == dag_id, run_table.c.dag_run_id == dag_run_id))
    return rows[0] if rows else None


def audit_records(
    engine: Engine,
    *,
    order_id: int | None = None,
    dag_id: str | None = None,
    dag_run_id: str | None = None,
    limit: int = AUDIT_LIMIT,
) -> tuple[list[dict[str, Any]], int]:
    """An order's or a run's audit records, failures first, then in the order they happened; and the total."""
    conditions = []
    if order_id is not None:
        conditions.append(audit_table.c.order_id == order_id)
    if dag_run_id is not None:
        conditions.append(audit_table.c.dag_run_id == dag_run_id)
        if dag_id is not None:
            conditions.append(or_(audit_table.c.dag_id == dag_id, audit_table.c.dag_id.is_(None)))
    if not conditions:
        raise ValueError("audit_records needs an order id or a DAG run id")
    failed_first = case((_audit_failed, 0), else_=1)
    query = (
        select(audit_table, _audit_failed.label("failed"))
        .where(*conditions)
        .order_by(failed_first, audit_table.c.at, audit_table.c.id)
        .limit(limit)
    )
    return _rows(engine, query), _count(engine, audit_table, conditions)
