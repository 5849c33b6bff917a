"""The state database's tables (SQLAlchemy Core): the order queue, its history, runs, the audit trail and health.

These names and columns are a contract: the UI plugin reads them, and the Alembic migrations in
``webex_wholesale.state.migrations`` create exactly them. Change one only together with a new migration.
All times are UTC and timezone-aware. No column ever holds a token or an HTTP header.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

from webex_wholesale.models.change_outcome import ChangeAction
from webex_wholesale.models.states import AuditKind, AuditResult, OrderKind, OrderState

__all__ = [
    "UtcDateTime",
    "audit_table",
    "finding_table",
    "health_check_table",
    "lock_table",
    "metadata",
    "order_table",
    "run_table",
    "snapshot_table",
    "transition_table",
    "utcnow",
]

#: Constraint names are fixed so Alembic migrations can refer to them on SQLite and PostgreSQL alike.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def utcnow() -> datetime:
    """The current time, UTC and timezone-aware (the only kind of time stored here)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    PostgreSQL keeps the zone (``timestamptz``); SQLite keeps none, so values are normalised to UTC on the way in
    and given the UTC zone on the way out. A naive value is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the state database stores timezone-aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc() -> UtcDateTime:
    return UtcDateTime()


def _word(enum: type[StrEnum]) -> Enum:
    """A column holding one of ``enum``'s values, read back as the enum member.

    A ``VARCHAR(32)`` without a CHECK constraint in the database, so a word added later needs no migration; a value
    the enum does not know is refused on write (and raises on read) by SQLAlchemy.
    """
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


#: The id is a BIGINT on PostgreSQL and an INTEGER (the rowid alias) on SQLite, so ids grow on both.
_Id = BigInteger().with_variant(Integer(), "sqlite")

order_table = Table(
    "wholesale_order",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("external_id", String(255), nullable=False),
    Column("customer_name", String(255), nullable=False),
    Column("state", _word(OrderState), nullable=False),
    #: What the order asks for: onboard (every order before kinds existed), change or offboard.
    Column("kind", _word(OrderKind), nullable=False, default=OrderKind.ONBOARD, server_default=OrderKind.ONBOARD.value),
    Column("order_json", JSON, nullable=False),
    Column("subscriber_count", Integer, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("dag_run_id", String(250)),
    Column("customer_id", String(255)),
    Column("source", String(1024)),
    #: When the order is due: the queue claims it only from then on (``None``: at once).
    Column("not_before", _utc()),
    Column("created_at", _utc(), nullable=False, default=utcnow),
    Column("updated_at", _utc(), nullable=False, default=utcnow),
    Index("ix_wholesale_order_state", "state"),
    Index("ix_wholesale_order_external_id", "external_id"),
)

transition_table = Table(
    "wholesale_order_transition",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("order_id", _Id, ForeignKey("wholesale_order.id", ondelete="CASCADE"), nullable=False),
    #: ``None`` for the first transition (the order entering the queue).
    Column("from_state", _word(OrderState)),
    Column("to_state", _word(OrderState), nullable=False),
    Column("at", _utc(), nullable=False, default=utcnow),
    Column("reason", Text),
    Index("ix_wholesale_order_transition_order_id", "order_id"),
)

run_table = Table(
    "wholesale_run",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("dag_id", String(250), nullable=False),
    Column("dag_run_id", String(250), nullable=False, unique=True),
    #: ``None`` for an ad-hoc run (an inline order triggered by hand).
    Column("order_id", _Id, ForeignKey("wholesale_order.id", ondelete="SET NULL")),
    Column("customer_external_id", String(255)),
    Column("customer_name", String(255)),
    Column("customer_id", String(255)),
    #: ``running``, then the run's outcome (:class:`~webex_wholesale.models.states.RunOutcome`).
    Column("state", _word(OrderState), nullable=False),
    Column("report_json", JSON),
    #: A change's or offboarding's plan (Markdown), recorded before anything is applied: the pages show it while
    #: the run waits for approval.
    Column("plan_summary", Text),
    Column("started_at", _utc(), nullable=False, default=utcnow),
    Column("ended_at", _utc()),
    Index("ix_wholesale_run_order_id", "order_id"),
    Index("ix_wholesale_run_customer_external_id", "customer_external_id"),
)

audit_table = Table(
    "wholesale_audit",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("at", _utc(), nullable=False),
    Column("dag_id", String(250)),
    Column("dag_run_id", String(250)),
    Column("task_id", String(250)),
    Column("map_index", Integer),
    Column("try_number", Integer),
    Column("order_id", _Id),
    Column("customer_external_id", String(255)),
    Column("customer_id", String(255)),
    Column("subscriber_email", String(320)),
    Column("kind", _word(AuditKind), nullable=False),
    #: A change's kind (``move_subscriber``, ``add_customer_packages``...); ``None`` for the other kinds.
    Column("action", _word(ChangeAction)),
    Column("method", String(10)),
    Column("path", String(2048)),
    Column("http_status", Integer),
    Column("tracking_id", String(255)),
    Column("error_codes", JSON),
    Column("duration_ms", Integer),
    #: API calls: how many tries the call took (``None`` for a subscriber's outcome).
    Column("attempts", Integer),
    Column("result", _word(AuditResult), nullable=False),
    #: Why, in words, when the result needs one (a failed subscriber's message).
    Column("reason", Text),
    #: A change's value before and after it (a user's package, a customer's package set), as JSON.
    Column("before_json", JSON),
    Column("after_json", JSON),
    Index("ix_wholesale_audit_dag_run_id", "dag_run_id"),
    Index("ix_wholesale_audit_order_id", "order_id"),
    Index("ix_wholesale_audit_customer_external_id", "customer_external_id"),
)

finding_table = Table(
    "wholesale_finding",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    #: What the finding is about; (external_id, kind, subject) is one finding for as long as it stays open.
    Column("external_id", String(255), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", String(320), nullable=False),
    Column("customer_id", String(255)),
    Column("customer_name", String(255)),
    Column("order_id", _Id),
    Column("summary", Text, nullable=False),
    Column("details", JSON),
    Column("first_seen", _utc(), nullable=False),
    Column("last_seen", _utc(), nullable=False),
    #: ``None`` while open; set by the first check that no longer sees it.
    Column("resolved_at", _utc()),
    #: When the new finding, then its resolution, was handed to the notification channels (``None``: not yet).
    Column("notified_at", _utc()),
    Column("resolution_notified_at", _utc()),
    Index("ix_wholesale_finding_external_id", "external_id"),
    Index("ix_wholesale_finding_resolved_at", "resolved_at"),
)

health_check_table = Table(
    "wholesale_health_check",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("dag_run_id", String(250)),
    Column("started_at", _utc(), nullable=False),
    Column("finished_at", _utc()),
    Column("customers_checked", Integer),
    Column("requests", Integer),
    Column("findings_open", Integer),
)

lock_table = Table(
    "wholesale_lock",
    metadata,
    #: One row per customer a lifecycle run (onboarding, change, offboarding) is working on.
    Column("external_id", String(255), primary_key=True),
    Column("dag_id", String(250), nullable=False),
    Column("dag_run_id", String(250), nullable=False),
    Column("acquired_at", _utc(), nullable=False),
)

snapshot_table = Table(
    "wholesale_snapshot",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("external_id", String(255), nullable=False),
    Column("customer_id", String(255), nullable=False),
    Column("dag_run_id", String(250), nullable=False),
    Column("taken_at", _utc(), nullable=False),
    #: The customer and every subscriber as Webex returned them just before the deletion (camelCase JSON).
    Column("customer_json", JSON, nullable=False),
    Column("subscribers_json", JSON, nullable=False),
    Index("ix_wholesale_snapshot_external_id", "external_id"),
)
