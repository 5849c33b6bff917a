"""Fan-out planning: bounded batch count, every subscriber exactly once, the request budget shared out."""

from __future__ import annotations

import pytest

from webex_wholesale.onboarding.batching import plan_batches


def subs(n: int) -> list[dict]:
    return [{"email": f"u{i}@example.com"} for i in range(n)]


def test_large_orders_use_at_most_the_parallel_batches_and_keep_every_subscriber_once():
    batches = plan_batches(subs(4999), parallel_batches=4, requests_per_second=20)

    assert len(batches) == 4
    emails = [s["email"] for b in batches for s in b["subscribers"]]
    assert emails == [s["email"] for s in subs(4999)]
    assert all(b["requests_per_second"] == 5 for b in batches)


def test_labels_name_positions_in_the_order_after_the_admin():
    batches = plan_batches(subs(999), parallel_batches=4)

    assert [b["batch_label"] for b in batches] == [
        "subscribers 2-251 of 1000",
        "subscribers 252-501 of 1000",
        "subscribers 502-751 of 1000",
        "subscribers 752-1000 of 1000",
    ]
    assert batches[0]["requests_per_second"] is None


def test_small_orders_are_not_split_below_the_minimum_batch_size():
    assert len(plan_batches(subs(30), parallel_batches=4, min_batch_size=25)) == 2
    assert len(plan_batches(subs(3), parallel_batches=4)) == 1
    assert plan_batches([], parallel_batches=4) == []


def test_more_subscribers_than_max_map_length_still_map_to_few_instances():
    assert len(plan_batches(subs(20_000), parallel_batches=8)) == 8


@pytest.mark.parametrize("kwargs", [{"parallel_batches": 0}, {"parallel_batches": 2, "min_batch_size": 0}])
def test_nonsense_settings_are_refused(kwargs):
    with pytest.raises(ValueError, match="at least 1"):
        plan_batches(subs(3), **kwargs)
