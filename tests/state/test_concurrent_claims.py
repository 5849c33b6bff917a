"""Two claimers racing over 100 queued orders: every order is claimed exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select
from state_helpers import queued

from webex_wholesale.state import orders
from webex_wholesale.state.engine import create_state_engine
from webex_wholesale.state.schema import transition_table

ORDERS = 100
BATCH = 7
#: Enough rounds for two claimers to drain the queue (each round claims up to 2 x BATCH), and one more.
ROUNDS = ORDERS // BATCH + 1


def claim_in_rounds(url: str, rounds: threading.Barrier, claimed: list[int]) -> None:
    """One claimer with its own engine (its own connections), as a second queue worker would have.

    Both claimers meet at the barrier before every claim, so every round is a real race for the same rows,
    and neither can drain the queue alone while the other is still starting (which made "both took part"
    a matter of luck).
    """
    engine = create_state_engine(url)
    try:
        for _ in range(ROUNDS):
            rounds.wait()
            claimed.extend(claim.order_id for claim in orders.claim(engine, BATCH))
    finally:
        engine.dispose()


def test_two_claimers_claim_each_order_exactly_once(engine, state_url):
    ids = orders.enqueue(engine, [queued(f"race-{n}", subscribers=1) for n in range(ORDERS)])
    rounds = threading.Barrier(2, timeout=60)
    results: list[list[int]] = [[], []]
    errors: list[BaseException] = []

    def run(claimed: list[int]) -> None:
        try:
            claim_in_rounds(state_url, rounds, claimed)
        except BaseException as error:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=run, args=(claimed,)) for claimed in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    first, second = results
    print(f"{engine.dialect.name}: claimer 1 took {len(first)}, claimer 2 took {len(second)} of {ORDERS}")
    assert first, "both claimers must have taken part for the race to mean anything"
    assert second, "both claimers must have taken part for the race to mean anything"
    assert set(first).isdisjoint(second)
    assert sorted(first + second) == sorted(ids)
    assert Counter(first + second) == Counter(ids)
    with engine.connect() as conn:
        claims_recorded = conn.execute(
            select(func.count()).select_from(transition_table).where(transition_table.c.to_state == "claimed")
        ).scalar()
    assert claims_recorded == ORDERS
    assert {row["state"] for row in orders.list_orders(engine)} == {"claimed"}
    assert all(row["attempts"] == 1 for row in orders.list_orders(engine))


def test_claim_takes_the_oldest_queued_orders_up_to_the_limit(engine):
    ids = orders.enqueue(engine, [queued(f"fifo-{n}") for n in range(5)])
    orders.cancel(engine, ids[1])
    claims = orders.claim(engine, 3)
    assert [c.order_id for c in claims] == [ids[0], ids[2], ids[3]]
    assert [c.dag_run_id for c in claims] == [f"order-{i}" for i in (ids[0], ids[2], ids[3])]
    assert claims[0].trigger_kwargs == {
        "trigger_dag_id": "webex_wholesale_onboarding",
        "trigger_run_id": f"order-{ids[0]}",
        "conf": {"orderId": ids[0]},
    }
    assert orders.claim(engine, 0) == []
    assert [c.order_id for c in orders.claim(engine, 10)] == [ids[4]]
    assert orders.claim(engine, 10) == []
