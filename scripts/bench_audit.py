"""How fast the audit trail is written: records per second through AuditWriter, on SQLite and PostgreSQL.

The fan-out calls the writer once per API call; the writer only appends to a buffer until a batch is full, then
writes the batch in one INSERT. This measures both the whole write rate and what one call costs the caller on
average, to compare with an API call's own duration (tens of milliseconds against real Webex).

    .venv/bin/python scripts/bench_audit.py [--records 20000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from local_stack import launch

from webex_wholesale.models.call_record import ApiCallRecord
from webex_wholesale.state import migrate
from webex_wholesale.state.audit import DEFAULT_BATCH_SIZE, AuditWriter, RunContext
from webex_wholesale.state.engine import create_state_engine

CONTEXT = RunContext("webex_wholesale_onboarding", "bench", "provision_subscribers", 0, 1, 1, "bench-customer")


def measure(url: str, records: int) -> tuple[float, float]:
    """(records written per second, microseconds one observer call costs the caller on average)."""
    engine = create_state_engine(url)
    migrate.upgrade(engine)
    record = ApiCallRecord(
        at=datetime.now(UTC),
        method="POST",
        path="/v1/wholesale/subscribers",
        http_status=201,
        tracking_id="ROUTER_bench",
        duration_ms=40,
        attempts=1,
        subscriber_email="user@bench.example.com",
    )
    writer = AuditWriter(engine, CONTEXT, batch_size=DEFAULT_BATCH_SIZE)
    start = time.perf_counter()
    for _ in range(records):
        writer(record)
    writer.close()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return records / elapsed, elapsed / records * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        rate, per_call = measure(f"sqlite:///{Path(tmp) / 'wholesale.db'}", args.records)
        print(f"SQLite (WAL):  {rate:>9,.0f} audit records/s  ({per_call:.0f} us per call, batches of 200)")

    server = sa.make_url(args.postgres).set(drivername="postgresql+psycopg2")
    name = f"wwa_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL:    skipped ({error.orig})")
        return
    try:
        rate, per_call = measure(server.set(database=name).render_as_string(hide_password=False), args.records)
        print(f"PostgreSQL:    {rate:>9,.0f} audit records/s  ({per_call:.0f} us per call, batches of 200)")
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(launch(main))
