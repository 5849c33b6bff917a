"""The durable audit trail: one row per API call that changed something, per subscriber outcome and per change.

:class:`AuditWriter` is a :data:`~webex_wholesale.models.call_record.CallObserver`: hand it to the hook
(``WebexWholesaleHook(call_observer=writer)``) and it turns each finished call into a row stamped with the run
context (DAG, run, task, map index, try, order, customer). Rows are buffered and written in batches (one
multi-row INSERT per ``batch_size`` records, and whatever is left when the task closes the writer), so the
fan-out does not wait on the database once per call. The record the hook builds holds no header, token or body,
and nothing else is written here, so no secret can reach the table.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Self

from sqlalchemy import Engine, insert, select

from webex_wholesale.models import SubscriberOutcome, SubscriberResult
from webex_wholesale.models.call_record import ApiCallRecord
from webex_wholesale.models.change_outcome import USER_ACTIONS, ChangeOutcome
from webex_wholesale.models.states import AuditKind, AuditResult
from webex_wholesale.state.schema import audit_table, run_table, utcnow

__all__ = ["DEFAULT_BATCH_SIZE", "AuditWriter", "RunContext", "open_run_audit"]

#: Every column but the id, so buffered rows of both kinds share one shape (one executemany per batch).
_EMPTY_ROW: dict[str, Any] = {column.name: None for column in audit_table.c if column.name != "id"}
#: Rows per INSERT: large enough that a 1,000-subscriber fan-out writes a handful of statements.
DEFAULT_BATCH_SIZE = 200


@dataclass(frozen=True)
class RunContext:
    """Who made the calls: stamped on every audit row the writer produces."""

    dag_id: str | None = None
    dag_run_id: str | None = None
    task_id: str | None = None
    map_index: int | None = None
    try_number: int | None = None
    order_id: int | None = None
    customer_external_id: str | None = None
    customer_id: str | None = None

    @classmethod
    def from_airflow(cls, context: Mapping[str, Any], **order: Any) -> RunContext:
        """The context of the running task (``ti`` from Airflow's task context) plus ``order`` fields.

        A map index of -1 (not mapped) is stored as ``None``.
        """
        ti = context["ti"]
        map_index = getattr(ti, "map_index", None)
        return cls(
            dag_id=ti.dag_id,
            dag_run_id=ti.run_id,
            task_id=ti.task_id,
            map_index=None if map_index is None or map_index < 0 else map_index,
            try_number=getattr(ti, "try_number", None),
            **order,
        )


class AuditWriter:
    """Buffers audit rows and writes them in batches; thread-safe, so a task's worker threads may share one.

    Use it as a context manager, or call :meth:`close`, so the last partial batch is written. A failed write raises
    (an audit trail that silently loses rows is worse than a failed task) and keeps nothing buffered twice.
    """

    def __init__(self, engine: Engine, context: RunContext, *, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self._engine = engine
        self._context = context
        self._batch_size = batch_size
        self._buffer: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.written = 0

    @property
    def context(self) -> RunContext:
        return self._context

    def set_customer_id(self, customer_id: str) -> None:
        """Stamp later rows with the customer's Webex id (known only once the customer exists)."""
        self._context = replace(self._context, customer_id=customer_id)

    def __call__(self, record: ApiCallRecord) -> None:
        """The hook's observer: keep calls that may change something (a GET or a precheck changes nothing)."""
        if not record.changes_something:
            return
        self._add(
            {
                "at": record.at,
                "kind": AuditKind.API_CALL,
                "subscriber_email": record.subscriber_email,
                "method": record.method,
                "path": record.path,
                "http_status": record.http_status,
                "tracking_id": record.tracking_id,
                "error_codes": list(record.error_codes),
                "duration_ms": record.duration_ms,
                "attempts": record.attempts,
                "result": AuditResult.of_call(record.http_status),
            }
        )

    def record_subscribers(self, outcomes: Iterable[SubscriberOutcome]) -> None:
        """One row per subscriber outcome, as the subscriber operator reports them (a failure with its message)."""
        for outcome in outcomes:
            self.subscriber_outcome(
                outcome.email,
                outcome.result,
                http_status=outcome.http_status,
                tracking_id=outcome.tracking_id,
                error_codes=outcome.error_codes,
                reason=outcome.message if outcome.failed else None,
            )

    def record_changes(self, changes: Iterable[ChangeOutcome]) -> None:
        """One row per change a lifecycle run applied (or tried to), with its value before and after."""
        for change in changes:
            is_user = change.action in USER_ACTIONS
            self._add(
                {
                    "at": utcnow(),
                    "kind": AuditKind.CHANGE,
                    "action": change.action,
                    "subscriber_email": change.subject if is_user else None,
                    "http_status": change.http_status,
                    "tracking_id": change.tracking_id,
                    "result": AuditResult.OK if change.done else AuditResult.of_call(change.http_status),
                    "reason": change.message,
                    "before_json": change.before,
                    "after_json": change.after,
                }
            )

    def subscriber_outcome(
        self,
        email: str,
        result: SubscriberResult,
        *,
        http_status: int | None = None,
        tracking_id: str | None = None,
        error_codes: Iterable[int] = (),
        reason: str | None = None,
    ) -> None:
        """Record what became of one subscriber, and why when it failed (``reason``, in its own column)."""
        self._add(
            {
                "at": utcnow(),
                "kind": AuditKind.SUBSCRIBER_OUTCOME,
                "subscriber_email": email,
                "http_status": http_status,
                "tracking_id": tracking_id,
                "error_codes": list(error_codes),
                "result": AuditResult(result),
                "reason": reason,
            }
        )

    def _add(self, row: dict[str, Any]) -> None:
        row = {**_EMPTY_ROW, **asdict(self._context), **row}
        with self._lock:
            self._buffer.append(row)
            full = len(self._buffer) >= self._batch_size
        if full:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered now, in one INSERT."""
        with self._lock:
            rows, self._buffer = self._buffer, []
        if rows:
            with self._engine.begin() as conn:
                conn.execute(insert(audit_table), rows)
            with self._lock:
                self.written += len(rows)

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_run_audit(engine: Engine, context: RunContext, *, buffered: bool = False) -> AuditWriter:
    """An audit writer for a task of an onboarding run, stamped also with the run's order and customer.

    The order and customer come from the run's ``wholesale_run`` row (none yet: left empty). ``buffered`` writes in
    batches (the caller must close the writer); otherwise each row is written at once.
    """
    with engine.connect() as conn:
        run = conn.execute(
            select(run_table.c.order_id, run_table.c.customer_external_id, run_table.c.customer_id).where(
                run_table.c.dag_run_id == context.dag_run_id
            )
        ).first()
    if run is not None:
        context = replace(
            context, order_id=run.order_id, customer_external_id=run.customer_external_id, customer_id=run.customer_id
        )
    return AuditWriter(engine, context, batch_size=DEFAULT_BATCH_SIZE if buffered else 1)
