"""What the orders API answers, as models: its OpenAPI schema documents exactly these, in camelCase.

Rows of the state database (snake_case dicts) become these models at the API's edge and nowhere else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from webex_wholesale.models import SubscriberOutcome
from webex_wholesale.models._base import CamelModel
from webex_wholesale.queue.loader import FileProblem

__all__ = ["Created", "OrderDetail", "OrderPage", "OrderSummary", "ProblemOut", "Refusal", "Run", "Transition"]


class ProblemOut(CamelModel):
    """One reason a request was refused: where (``index`` in a JSON list or CSV ``line``), which field, and why."""

    where: str
    index: int | None = None
    line: int | None = None
    field: str
    reason: str

    @classmethod
    def of(cls, problem: FileProblem) -> ProblemOut:
        return cls(
            where=problem.where, index=problem.index, line=problem.line, field=problem.field, reason=problem.reason
        )


class Refusal(CamelModel):
    """A 422 answer: nothing was queued, and here is every problem."""

    detail: str
    problems: list[ProblemOut]


class OrderSummary(CamelModel):
    """An order as the queue holds it, without its order document."""

    id: int
    external_id: str
    customer_name: str
    state: str
    subscriber_count: int
    attempts: int
    last_error: str | None = None
    dag_run_id: str | None = None
    customer_id: str | None = None
    source: str | None = None
    not_before: datetime | None = None
    """When the order is due: the queue claims it only from then on (``null``: at once)."""
    created_at: datetime
    updated_at: datetime
    url: str

    @classmethod
    def of(cls, row: dict[str, Any], api_root: str) -> OrderSummary:
        fields = {name: row.get(name) for name in cls.model_fields if name != "url"}
        return cls(**fields, url=f"{api_root}/orders/{row['id']}")


class OrderPage(CamelModel):
    """One page of ``GET /orders``: ``total`` orders matched, these are ``offset`` to ``offset + limit``."""

    orders: list[OrderSummary]
    total: int
    limit: int
    offset: int


class Created(CamelModel):
    """A 201 answer: the orders queued, in the order they were given, and the values the checks normalized (each
    with its place and field; ``reason`` says what is sent instead)."""

    orders: list[OrderSummary]
    normalized: list[ProblemOut]


class Transition(CamelModel):
    at: datetime
    from_state: str | None = None
    to_state: str
    reason: str | None = None


class Run(CamelModel):
    dag_id: str
    dag_run_id: str
    state: str
    started_at: datetime
    ended_at: datetime | None = None


class OrderDetail(OrderSummary):
    """``GET /orders/{id}``: the order, its state history, runs, per-subscriber outcomes of its latest report and
    its audit records (failures first, at most ``auditLimit`` of ``auditTotal``)."""

    order: dict[str, Any]
    transitions: list[Transition]
    runs: list[Run]
    outcomes: list[SubscriberOutcome]
    outcomes_url: str
    audit: list[dict[str, Any]]
    audit_total: int
