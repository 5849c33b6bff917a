"""The customer lock (one lifecycle run per customer) and the offboarding snapshots, on SQLite and PostgreSQL.

The PostgreSQL database is shared by the session's tests, so each test names its own customer and runs.
"""

from __future__ import annotations

import threading
import uuid

import pytest

from webex_wholesale.state import locks, snapshots
from webex_wholesale.state.engine import create_state_engine


@pytest.fixture
def names() -> str:
    """A suffix that makes this test's customers and run ids its own."""
    return uuid.uuid4().hex[:8]


def never_ended(_dag_id: str, _run_id: str) -> bool:
    return False


def test_a_second_run_is_refused_naming_the_run_holding_the_customer(engine, names):
    customer, run_a = f"cafe-{names}", f"run-a-{names}"
    locks.acquire(engine, customer, "webex_wholesale_change", run_a, never_ended)

    with pytest.raises(locks.CustomerBusy, match=f"run {run_a} of DAG webex_wholesale_change"):
        locks.acquire(engine, customer, "webex_wholesale_offboarding", f"run-b-{names}", never_ended)
    locks.acquire(engine, f"other-{names}", "webex_wholesale_offboarding", f"run-b-{names}", never_ended)


def test_the_holding_run_may_take_it_again_and_releasing_frees_it(engine, names):
    customer, run_a = f"cafe-{names}", f"run-a-{names}"
    locks.acquire(engine, customer, "webex_wholesale_change", run_a, never_ended)
    locks.acquire(engine, customer, "webex_wholesale_change", run_a, never_ended)  # a retried first task

    assert not locks.release(engine, f"run-b-{names}")  # another run's release leaves it alone
    assert locks.holder(engine, customer)["dag_run_id"] == run_a
    assert locks.release(engine, run_a)
    assert locks.holder(engine, customer) is None


def test_a_holder_that_has_ended_is_replaced(engine, names):
    customer, asked = f"cafe-{names}", []
    locks.acquire(engine, customer, "webex_wholesale_onboarding", f"killed-{names}", never_ended)

    def ended(dag_id: str, run_id: str) -> bool:
        asked.append((dag_id, run_id))
        return True

    locks.acquire(engine, customer, "webex_wholesale_change", f"run-b-{names}", ended)

    assert asked == [("webex_wholesale_onboarding", f"killed-{names}")]
    assert locks.holder(engine, customer)["dag_run_id"] == f"run-b-{names}"


def test_two_runs_started_together_one_holds_and_the_other_is_refused(state_url, engine, names):
    customer = f"cafe-{names}"
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def run(run_id: str) -> None:
        own = create_state_engine(state_url)  # its own connections, as another worker's task has
        try:
            start.wait()
            locks.acquire(own, customer, "webex_wholesale_change", run_id, never_ended)
            results[run_id] = "holds"
        except locks.CustomerBusy as busy:
            results[run_id] = str(busy)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run, args=(run_id,)) for run_id in (f"run-1-{names}", f"run-2-{names}")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    holding = [run_id for run_id, result in results.items() if result == "holds"]
    assert len(holding) == 1
    [refused] = [result for result in results.values() if result != "holds"]
    assert f"run {holding[0]} of DAG" in refused
    assert locks.holder(engine, customer)["dag_run_id"] == holding[0]


def test_the_latest_snapshot_of_a_customer_is_kept_whole(engine, names):
    customer = f"cafe-{names}"
    held = {"id": "C-1", "externalId": customer, "packages": ["webex_meetings"]}
    subscribers = [{"id": "S-1", "email": "barista@lighthouse.example.org", "packages": ["webex_meetings"]}]
    snapshots.store_snapshot(
        engine, external_id=customer, customer_id="C-1", dag_run_id="r1", customer={}, subscribers=[]
    )
    snapshots.store_snapshot(
        engine, external_id=customer, customer_id="C-1", dag_run_id="r2", customer=held, subscribers=subscribers
    )

    latest = snapshots.latest_snapshot(engine, customer)

    assert (latest["dag_run_id"], latest["customer_json"], latest["subscribers_json"]) == ("r2", held, subscribers)
    assert snapshots.latest_snapshot(engine, "never-offboarded") is None
