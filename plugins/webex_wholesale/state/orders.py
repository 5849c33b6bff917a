"""The queue's side of the order table: enqueue, claim, retry, cancel, and the look-ups the CLI and UI show.

Every state change goes through :func:`transition`, which checks it against the life cycle
(:mod:`webex_wholesale.state.machine`), applies it only if the row is still in the state it was read in (so two
writers cannot both move one order), and records when and why in ``wholesale_order_transition``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from webex_wholesale.models import OnboardingOrder
from webex_wholesale.models.offboarding_order import OffboardingOrder
from webex_wholesale.models.states import OrderKind, OrderState
from webex_wholesale.state.engine import immediate
from webex_wholesale.state.machine import ACTIVE_STATES, check_transition
from webex_wholesale.state.schema import audit_table, order_table, run_table, transition_table, utcnow

__all__ = [
    "Claim",
    "DuplicateOrder",
    "OrderNotFound",
    "QueuedOrder",
    "cancel",
    "claim",
    "enqueue",
    "find_order",
    "is_due",
    "list_orders",
    "order_audit",
    "order_runs",
    "order_transitions",
    "retry",
    "run_id_for",
    "transition",
]


class OrderNotFound(LookupError):
    """No order with the id or externalId asked for."""


class DuplicateOrder(ValueError):
    """An order whose externalId is already waiting or being onboarded (or twice in one import)."""


@dataclass(frozen=True)
class QueuedOrder:
    """One validated order to enqueue, with where it came from (a file name, a row range...), its kind, and when it
    is due (``None``: at once; a time in the past means the same).

    An onboarding or a change carries the order (for a change, the customer's desired state); an offboarding, the
    customer to delete.
    """

    order: OnboardingOrder | OffboardingOrder
    source: str
    not_before: datetime | None = None
    kind: OrderKind = OrderKind.ONBOARD

    @property
    def customer_name(self) -> str:
        """The name the queue lists the order under: the customer's, else (an existing org, an offboarding) its
        externalId."""
        if isinstance(self.order, OnboardingOrder) and self.order.customer_info is not None:
            return self.order.customer_info.name
        return self.order.external_id

    @property
    def subscriber_count(self) -> int:
        return len(self.order.subscribers) if isinstance(self.order, OnboardingOrder) else 0


@dataclass(frozen=True)
class Claim:
    """An order the queue took, and the DAG run that will onboard, change or offboard it (by its kind)."""

    order_id: int
    attempt: int
    dag_run_id: str
    kind: OrderKind = OrderKind.ONBOARD

    @property
    def trigger_kwargs(self) -> dict[str, Any]:
        """The arguments of one mapped ``TriggerDagRunOperator`` instance for this order."""
        return {
            "trigger_dag_id": self.kind.dag_id,
            "trigger_run_id": self.dag_run_id,
            "conf": {"orderId": self.order_id},
        }


def is_due(not_before: datetime | None, now: datetime | None = None) -> bool:
    """Whether an order with this ``not_before`` may be claimed at ``now`` (absent or past: at once); :func:`claim`
    applies the same rule in SQL."""
    return not_before is None or not_before <= (now or utcnow())


def run_id_for(order_id: int, attempt: int) -> str:
    """The onboarding run id of an order's ``attempt``-th run: ``order-<id>`` first, then ``order-<id>-<attempt>``.

    Deterministic, so starting the same attempt twice (a retried trigger task, a reconciled claim) finds the run
    already there and does nothing; a retry is a new attempt and so a new run, leaving the failed one to read.
    """
    return f"order-{order_id}" if attempt == 1 else f"order-{order_id}-{attempt}"


def transition(
    conn: Connection, order_id: int, to_state: OrderState, reason: str | None = None, **changes: Any
) -> OrderState:
    """Move one order to ``to_state`` (with optional column ``changes``) and record it; return the state it left.

    Raises :class:`OrderNotFound`, or :class:`~webex_wholesale.state.machine.IllegalTransition` when the life cycle
    forbids the move. The update is conditional on the state read, so a concurrent move makes this one fail.
    """
    from_state = conn.execute(select(order_table.c.state).where(order_table.c.id == order_id)).scalar()
    if from_state is None:
        raise OrderNotFound(f"no order with id {order_id}")
    check_transition(order_id, from_state, to_state)
    now = utcnow()
    moved = conn.execute(
        update(order_table)
        .where(order_table.c.id == order_id, order_table.c.state == from_state)
        .values(state=to_state, updated_at=now, **changes)
    ).rowcount
    if moved != 1:
        raise RuntimeError(f"order {order_id} changed state while moving it to {to_state!r}; nothing was changed")
    conn.execute(
        insert(transition_table).values(
            order_id=order_id, from_state=from_state, to_state=to_state, at=now, reason=reason
        )
    )
    return from_state


def enqueue(engine: Engine, orders: Sequence[QueuedOrder]) -> list[int]:
    """Store ``orders`` as ``queued``, all or none; return their ids in the same order.

    Refused whole (:class:`DuplicateOrder`) when an externalId appears twice in ``orders`` or belongs to an order
    that is already queued, claimed or running. An externalId whose earlier order ended may be queued again.
    """
    seen: dict[str, str] = {}
    for item in orders:
        key = item.order.external_id
        if key in seen:
            raise DuplicateOrder(f"externalId {key!r} is in {seen[key]} and again in {item.source}; nothing was queued")
        seen[key] = item.source
    with immediate(engine) as conn:
        active = conn.execute(
            select(order_table.c.id, order_table.c.external_id, order_table.c.state).where(
                order_table.c.external_id.in_(list(seen)), order_table.c.state.in_(ACTIVE_STATES)
            )
        ).all()
        if active:
            clashes = "; ".join(f"externalId {row.external_id!r} is order {row.id} ({row.state})" for row in active)
            raise DuplicateOrder(f"already in the queue or being onboarded: {clashes}; nothing was queued")
        ids = []
        now = utcnow()
        for item in orders:
            order_id = conn.execute(
                insert(order_table)
                .values(
                    external_id=item.order.external_id,
                    customer_name=item.customer_name,
                    state=OrderState.QUEUED,
                    kind=item.kind,
                    order_json=item.order.to_conf(),
                    subscriber_count=item.subscriber_count,
                    attempts=0,
                    source=item.source,
                    not_before=item.not_before,
                    created_at=now,
                    updated_at=now,
                )
                .returning(order_table.c.id)
            ).scalar_one()
            conn.execute(
                insert(transition_table).values(
                    order_id=order_id,
                    from_state=None,
                    to_state=OrderState.QUEUED,
                    at=now,
                    reason=f"enqueued from {item.source}",
                )
            )
            ids.append(order_id)
    return ids


def claim(engine: Engine, limit: int, now: datetime | None = None) -> list[Claim]:
    """Take up to ``limit`` queued orders that are due (``not_before`` absent or not after ``now``, by default the
    current time), oldest first, and commit them as ``claimed`` before anything runs.

    PostgreSQL locks the rows it reads with ``FOR UPDATE SKIP LOCKED``, so concurrent claimers take disjoint sets;
    SQLite has one writer at a time and the transaction takes the write lock at its start (``BEGIN IMMEDIATE``), so
    a second claimer waits and then sees the first one's claims. Each claim counts an attempt and names its run.
    """
    if limit <= 0:
        return []
    claims = []
    due = or_(order_table.c.not_before.is_(None), order_table.c.not_before <= (now or utcnow()))  # as is_due
    with immediate(engine) as conn:
        rows = conn.execute(
            select(order_table.c.id, order_table.c.attempts, order_table.c.kind)
            .where(order_table.c.state == OrderState.QUEUED, due)
            .order_by(order_table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            attempt = row.attempts + 1
            run_id = run_id_for(row.id, attempt)
            transition(
                conn, row.id, OrderState.CLAIMED, f"claimed for run {run_id}", attempts=attempt, dag_run_id=run_id
            )
            claims.append(Claim(order_id=row.id, attempt=attempt, dag_run_id=run_id, kind=row.kind))
    return claims


def retry(engine: Engine, order_id: int, *, requested_by: str) -> None:
    """Put a ``failed`` or ``needs_attention`` order back in the queue; its next run is a new attempt.

    ``requested_by`` says who asked (a user, and through what); the order's history keeps it, as it keeps every
    change."""
    with immediate(engine) as conn:
        transition(conn, order_id, OrderState.QUEUED, f"retry requested by {requested_by}")


def cancel(engine: Engine, order_id: int) -> None:
    """Take an order out of the queue for good (from ``queued``, ``failed`` or ``needs_attention``)."""
    with immediate(engine) as conn:
        transition(conn, order_id, OrderState.CANCELLED, "cancelled by request")


def find_order(engine: Engine, id_or_external_id: str | int) -> dict[str, Any]:
    """One order by its id, or by externalId (the most recent order with it). Raises :class:`OrderNotFound`."""
    text = str(id_or_external_id).strip()
    query = select(order_table)
    if text.isdigit():
        query = query.where(order_table.c.id == int(text))
    else:
        query = query.where(order_table.c.external_id == text).order_by(order_table.c.id.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise OrderNotFound(f"no order with id or externalId {text!r}")
    return dict(row)


def list_orders(engine: Engine, state: OrderState | None = None) -> list[dict[str, Any]]:
    """Orders (without their JSON), oldest first, optionally only those in ``state``."""
    columns = [column for column in order_table.c if column.name != "order_json"]
    query = select(*columns).order_by(order_table.c.id)
    if state is not None:
        query = query.where(order_table.c.state == state)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def order_transitions(engine: Engine, order_id: int) -> list[dict[str, Any]]:
    """The order's state history, oldest first."""
    query = select(transition_table).where(transition_table.c.order_id == order_id).order_by(transition_table.c.id)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def order_runs(engine: Engine, order_id: int) -> list[dict[str, Any]]:
    """The onboarding runs recorded for the order, oldest first."""
    query = select(run_table).where(run_table.c.order_id == order_id).order_by(run_table.c.id)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def order_audit(engine: Engine, order_id: int) -> list[dict[str, Any]]:
    """The order's audit records (API calls and subscriber outcomes of all its runs), oldest first."""
    query = select(audit_table).where(audit_table.c.order_id == order_id).order_by(audit_table.c.id)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
