"""Fan-out planning: batches of at most batch_size, every subscriber exactly once, no share of the budget."""

from __future__ import annotations

import pytest

from webex_wholesale.onboarding.batching import plan_batches


def subs(n: int) -> list[dict]:
    return [{"email": f"u{i}@example.com"} for i in range(n)]


def test_every_subscriber_once_in_even_batches_that_carry_no_budget_share():
    batches = plan_batches(subs(4999))

    assert [len(b["subscribers"]) for b in batches] == [625] * 7 + [624]  # two full waves of the pool's 4
    emails = [s["email"] for b in batches for s in b["subscribers"]]
    assert emails == [s["email"] for s in subs(4999)]
    assert all(set(b) == {"subscribers", "batch_label"} for b in batches)


def test_labels_name_positions_in_the_order_after_the_admin():
    batches = plan_batches(subs(999))

    assert [b["batch_label"] for b in batches] == [
        "subscribers 2-251 of 1000",
        "subscribers 252-501 of 1000",
        "subscribers 502-751 of 1000",
        "subscribers 752-1000 of 1000",
    ]


def test_small_orders_make_one_batch():
    assert len(plan_batches(subs(30), batch_size=25)) == 2
    assert len(plan_batches(subs(3))) == 1
    assert plan_batches([]) == []


def test_more_subscribers_than_max_map_length_still_map_to_few_instances():
    assert len(plan_batches(subs(20_000))) == 20


def test_an_order_of_a_few_hundred_fills_the_pool_in_one_wave():
    assert [len(b["subscribers"]) for b in plan_batches(subs(2000))] == [500] * 4
    assert [len(b["subscribers"]) for b in plan_batches(subs(499))] == [125] * 3 + [124]
    assert [len(b["subscribers"]) for b in plan_batches(subs(250))] == [125] * 2  # batches of 100 at least


def test_nonsense_batch_size_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        plan_batches(subs(3), batch_size=0)
