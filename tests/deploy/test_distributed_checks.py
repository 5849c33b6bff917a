"""The judgements ``make distributed`` passes on a run (scripts/distributed.py), on made-up outcomes.

The run itself needs the whole topology and minutes (``make distributed``, in CI after ``make test``); what it
concludes from the simulator's state and request counts is checked here, each check against the failure it exists
to catch.
"""

from __future__ import annotations

import pytest
from distributed import TrafficSampler, by_worker, make_order, subscriber_problems

from webex_wholesale.models.order import parse_order


def held(order: dict, emails: list[str] | None = None) -> list[dict]:
    """The simulator's subscribers for ``order``, created one second apart in the order given."""
    emails = emails if emails is not None else [s["email"] for s in order["subscribers"]]
    return [
        {"email": email, "externalCustomerId": order["externalId"], "created": f"2026-12-01T10:00:{i:02d}.000Z"}
        for i, email in enumerate(emails)
    ]


@pytest.fixture
def orders() -> list[dict]:
    return [make_order(i, 5) for i in (1, 2)]


def test_orders_are_valid_and_share_no_subscriber(orders):
    for order in orders:
        parse_order(order)  # raises on anything the onboarding DAG would refuse
        assert order["subscribers"][0]["email"] == order["customerInfo"]["primaryEmail"]
    emails = [s["email"] for order in orders for s in order["subscribers"]]
    assert len(emails) == len(set(emails)) == 10


def test_a_complete_onboarding_passes(orders):
    state = {"subscribers": held(orders[0]) + held(orders[1])}
    assert subscriber_problems(state, orders) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda emails: [*emails, emails[2]], "1 subscribers twice"),
        (lambda emails: emails[:-1], "1 subscribers missing"),
        (lambda emails: [*emails, "stranger@example.com"], "1 subscribers not ordered"),
        (lambda emails: [emails[1], emails[0], *emails[2:]], "1 created no later than the admin"),
    ],
    ids=["twice", "missing", "not ordered", "admin not first"],
)
def test_each_subscriber_failure_is_named(orders, change, expected):
    emails = [s["email"] for s in orders[0]["subscribers"]]
    state = {"subscribers": held(orders[0], change(emails)) + held(orders[1])}
    problems = subscriber_problems(state, orders)
    assert len(problems) == 1
    assert problems[0].startswith("distributed-01: ")
    assert expected in problems[0]


def test_a_subscriber_created_with_the_admin_is_not_after_it(orders):
    subscribers = held(orders[0])
    subscribers[3]["created"] = subscribers[0]["created"]
    problems = subscriber_problems({"subscribers": subscribers + held(orders[1])}, orders)
    assert problems == [
        f"distributed-01: 1 created no later than the admin admin@distributed-01.example.com: "
        f"['{orders[0]['subscribers'][3]['email']}']"
    ]


def test_peak_rate_is_the_busiest_window():
    sampler = TrafficSampler("http://unused")
    # 10 requests/s for 10 s, then 30/s for 6 s, then idle.
    counts = [10 * t for t in range(11)] + [100 + 30 * t for t in range(1, 7)] + [280] * 5
    sampler.samples = [(float(t), count, 0) for t, count in enumerate(counts)]
    assert sampler.peak_rate(window=5.0) == pytest.approx(30.0)
    assert sampler.peak_rate(window=15.0) == pytest.approx((280 - 10) / 15)


def test_which_worker_ran_what_is_grouped_by_host():
    from collections import Counter

    hosts = Counter({"worker-a validate_order": 2, "worker-b validate_order": 1, "worker-a provision_admin": 3})
    assert by_worker(hosts) == {
        "worker-a": Counter({"validate_order": 2, "provision_admin": 3}),
        "worker-b": Counter({"validate_order": 1}),
    }


def test_only_the_victims_running_subscriber_batches_count_as_interrupted():
    from worker_loss import running_batches

    instances = [
        {"dag_run_id": "r1", "map_index": 0, "task_id": "provision_subscribers", "state": "running", "hostname": "a"},
        {"dag_run_id": "r1", "map_index": 1, "task_id": "provision_subscribers", "state": "running", "hostname": "b"},
        {"dag_run_id": "r2", "map_index": 0, "task_id": "provision_subscribers", "state": "success", "hostname": "a"},
        {"dag_run_id": "r2", "map_index": -1, "task_id": "provision_admin", "state": "running", "hostname": "a"},
    ]

    assert running_batches(instances, "a") == [("r1", 0)]


def test_the_worker_running_the_most_subscriber_batches_is_the_one_killed():
    from worker_loss import busiest_worker

    batch = {"task_id": "provision_subscribers", "state": "running"}
    instances = [
        {**batch, "dag_run_id": "r1", "map_index": 0, "hostname": "a"},
        {**batch, "dag_run_id": "r1", "map_index": 1, "hostname": "b"},
        {**batch, "dag_run_id": "r2", "map_index": 0, "hostname": "b"},
    ]

    assert busiest_worker(instances, ["a", "b"]) == ("b", [("r1", 1), ("r2", 0)])
    assert busiest_worker(instances[:1], ["b", "a"]) == ("a", [("r1", 0)])
    assert busiest_worker([], ["a", "b"]) == ("a", [])


def test_recovery_is_the_time_to_the_last_interrupted_batch_succeeding_elsewhere():
    from datetime import UTC, datetime

    from worker_loss import WorkerKill, recovery

    kill = WorkerKill("a", killed_at=datetime(2026, 12, 6, 10, 0, 0, tzinfo=UTC), interrupted=[("r1", 0), ("r1", 1)])
    done = [
        {"dag_run_id": "r1", "map_index": 0, "state": "success", "hostname": "b", "end_date": "2026-12-06T10:00:41Z"},
        {"dag_run_id": "r1", "map_index": 1, "state": "success", "hostname": "b", "end_date": "2026-12-06T10:00:52Z"},
    ]

    assert recovery(kill, done) == (52.0, [])
    slow = [{**done[0], "end_date": "2026-12-06T10:05:08Z"}]
    assert recovery(kill, slow)[1] == ["recovery took 308 s, not under 90 s"]
    failed = [{**done[0], "state": "failed"}]
    assert recovery(kill, failed) == (None, ["batch r1[0] ended failed after a was killed"])
    assert recovery(WorkerKill(), [])[1] == ["no worker was seen running a subscriber batch: nothing was killed"]
