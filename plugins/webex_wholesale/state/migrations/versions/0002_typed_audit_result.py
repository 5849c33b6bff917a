"""The audit result as one word, with a call's attempts and a failure's reason in columns of their own.

The word is ``ok``, ``error``, ``no_response`` (an API call) or a subscriber's result. Revision 0001 wrote one
string that the readers took apart by prefix: ``ok``, ``error after 3 attempts``, ``no response after 2
attempt(s)`` for API calls; ``provisioned``, ``failed: <reason>`` for subscribers. This migration splits every such
row. Its words are frozen here on purpose: a migration converts the data as it was written when it was written,
whatever the enums of later code say. A value no revision ever wrote stops the upgrade (naming it) rather than
being guessed at.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_audit = sa.table(
    "wholesale_audit",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("http_status", sa.Integer),
    sa.column("attempts", sa.Integer),
    sa.column("result", sa.Text),
    sa.column("word", sa.String),
    sa.column("reason", sa.Text),
)
_API_CALL, _SUBSCRIBER = "api_call", "subscriber_outcome"
#: ``ok`` / ``error``, with `` after N attempts`` when it took more than one.
_ANSWERED = re.compile(r"(?P<result>ok|error)(?: after (?P<attempts>\d+) attempts)?")
_NO_RESPONSE = re.compile(r"no response after (?P<attempts>\d+) attempt\(s\)")
#: A subscriber's result, with ``: <reason>`` when one was given.
_SUBSCRIBER_RESULT = re.compile(
    r"(?P<result>provisioned|pending_user_migration|already_present|failed)(?:: (?P<reason>.*))?", re.DOTALL
)


def _convert(kind: str, old: str) -> dict[str, object]:
    """The new result (in ``word`` until it replaces ``result``), ``attempts`` and ``reason`` of a 0001 row."""
    if kind == _API_CALL:
        if answered := _ANSWERED.fullmatch(old):
            return {"word": answered["result"], "attempts": int(answered["attempts"] or 1), "reason": None}
        if silent := _NO_RESPONSE.fullmatch(old):
            return {"word": "no_response", "attempts": int(silent["attempts"]), "reason": None}
    elif kind == _SUBSCRIBER and (outcome := _SUBSCRIBER_RESULT.fullmatch(old)):
        return {"word": outcome["result"], "attempts": None, "reason": outcome["reason"]}
    raise RuntimeError(f"wholesale_audit holds a {kind} result no revision wrote: {old!r}; fix the row, then upgrade")


def upgrade() -> None:
    with op.batch_alter_table("wholesale_audit") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer))
        batch.add_column(sa.Column("reason", sa.Text))
        batch.add_column(sa.Column("word", sa.String(32)))
    conn = op.get_bind()
    # One UPDATE per distinct old string (a few dozen, however many rows), never a read of the whole table. The
    # word goes to a column of its own meanwhile: "failed" must not match a row converted from "failed: reason".
    olds = conn.execute(sa.select(_audit.c.kind, _audit.c.result).where(_audit.c.result.is_not(None)).distinct()).all()
    for kind, old in olds:
        conn.execute(
            sa.update(_audit).where(_audit.c.kind == kind, _audit.c.result == old).values(**_convert(kind, old))
        )
    # 0001 never wrote a call without a result, but the column allowed it: its HTTP status says what it was.
    conn.execute(
        sa.update(_audit)
        .where(_audit.c.kind == _API_CALL, _audit.c.result.is_(None))
        .values(
            word=sa.case(
                (_audit.c.http_status.is_(None), "no_response"), (_audit.c.http_status < 400, "ok"), else_="error"
            )
        )
    )
    with op.batch_alter_table("wholesale_audit") as batch:
        batch.drop_column("result")
        batch.alter_column("word", new_column_name="result", existing_type=sa.String(32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("wholesale_audit") as batch:
        batch.alter_column("result", existing_type=sa.String(32), type_=sa.Text(), nullable=True)
    attempts = sa.cast(_audit.c.attempts, sa.Text)
    op.execute(
        sa.update(_audit)
        .where(_audit.c.result == "no_response")
        .values(result=sa.literal("no response after ") + attempts + sa.literal(" attempt(s)"))
    )
    op.execute(
        sa.update(_audit)
        .where(_audit.c.result.in_(("ok", "error")), _audit.c.attempts > 1)
        .values(result=_audit.c.result + sa.literal(" after ") + attempts + sa.literal(" attempts"))
    )
    op.execute(
        sa.update(_audit)
        .where(_audit.c.reason.is_not(None))
        .values(result=_audit.c.result + sa.literal(": ") + _audit.c.reason)
    )
    with op.batch_alter_table("wholesale_audit") as batch:
        batch.drop_column("reason")
        batch.drop_column("attempts")
