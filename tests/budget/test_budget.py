"""ApiBudget as hooks use it (fake clock, real SQLite store): shared pause, stats, requests in flight."""

from __future__ import annotations

import pytest
from helpers.hook_helpers import CUSTOMERS, OK_LIST

from webex_wholesale.budget.stats import BudgetStats


def test_a_429_with_retry_after_pauses_the_other_workers_too(make_hook, make_budget, fake_time, requests_mock):
    worker_a, worker_b = make_hook(budget=make_budget()), make_hook(budget=make_budget())
    requests_mock.get(CUSTOMERS, [OK_LIST, {"status_code": 429, "headers": {"Retry-After": "7"}}, OK_LIST])
    worker_b.list_customers()  # B is busy too...
    with pytest.raises(Exception, match="429"):
        worker_a._request("GET", "/wholesale/customers", max_attempts=1)  # ...when A gets the 429
    fake_time.budget_waits.clear()
    worker_b.list_customers()
    assert fake_time.budget_waits == [pytest.approx(7.0, abs=0.2)]  # B waited the pause out before sending
    assert worker_b.budget.stats.paused_s == pytest.approx(7.0, abs=0.2)
    assert requests_mock.call_count == 3
    assert worker_a.budget.stats.throttled == 1
    assert worker_b.budget.stats.throttled == 0


def test_a_configured_ceiling_spaces_every_worker(make_hook, make_budget, fake_time, requests_mock):
    hooks = [make_hook(budget=make_budget(ceiling=5.0)) for _ in range(2)]
    requests_mock.get(CUSTOMERS, **OK_LIST)
    for _ in range(3):
        for hook in hooks:
            hook.list_customers()
    assert sum(fake_time.budget_waits) == pytest.approx(5 * 0.2)  # six requests, 0.2 s apart, first one free


def test_stats_of_several_tasks_merge():
    a = BudgetStats()
    for at in (100.0, 100.5, 101.0):
        a.record_start(at, [(99.0, 100.0)])  # three threads waited out the same pause: it counts once
    a.record_throttled()
    b = BudgetStats()
    b.record_start(100.2, [(99.5, 100.2)])  # another task, the same pause seen later
    b.record_start(102.0)
    total = BudgetStats.merged([a.summary(), b.summary()])
    assert (total.requests, total.throttled, total.paused_s) == (5, 1, pytest.approx(1.2))
    assert total.peak_rate == 3  # both tasks in the same second
    assert total.average_rate == pytest.approx(5 / 3)  # seconds 100, 101 and 102
    assert "requests=5 throttled_429=1" in total.describe()


def test_the_average_rate_of_requests_within_a_second_is_taken_over_a_second():
    burst = BudgetStats()
    burst.record_start(100.0)
    burst.record_start(100.1)
    assert (burst.average_rate, burst.peak_rate) == (2.0, 2)  # not 20/s
    burst.record_start(101.2)  # across a second's boundary: 3 requests in 2 seconds, 2 in the busier one
    assert (burst.average_rate, burst.peak_rate) == (1.5, 2)


def test_requests_in_flight_follow_rate_and_latency(make_budget):
    ceiling = make_budget(ceiling=20.0, key="c")
    assert ceiling.in_flight() == 12  # no latency observed yet: 20/s x (0.25 s x 1.5 + 0.15 s), + 1
    ceiling.store.succeeded("c", ceiling.policy, latency=0.1, queued=False)
    assert ceiling.in_flight() == 7  # 20/s x (0.1 s x 1.5 + 0.15 s), + 1
    learned = make_budget(key="l")
    learned.store.succeeded("l", learned.policy, latency=0.3, queued=False)
    assert learned.in_flight() == 32  # in the slow start: as many as allowed, the rate doubles every round trip
    assert learned.in_flight(limit=6) == 6
    learned.store.throttled("l", learned.policy, retry_after=0.0)  # found: 10/s answered 429, halved
    assert learned.in_flight() == 7  # room to grow: 2 x 5/s x (0.3 s x 1.5 + 0.15 s), + 1


def test_a_waiting_caller_follows_a_rate_raised_while_it_waits(make_budget, fake_time):
    budget = make_budget()  # learned: 10/s
    for _ in range(10):  # a second of queue ahead of the caller
        budget.store.reserve(budget.key, budget.policy)

    def sleep(seconds: float) -> None:
        fake_time.budget_sleep(seconds)
        if len(fake_time.budget_waits) == 1:  # an answer elsewhere doubles the rate to 20/s meanwhile
            budget.store.succeeded(budget.key, budget.policy, latency=0.1, queued=True)

    budget._sleep = sleep
    budget.acquire()
    # Its turn was 1.0 s away at 10/s; at 0.25 s the three tickets due by 0.3 s keep their times and the seven
    # before it come 1/20 s apart: it goes at 0.65 s, having asked again every 0.25 s.
    assert fake_time.budget_waits == pytest.approx([0.25, 0.25, 0.15])
