"""The slow start finds an unknown limit: the budget's rules against a modelled API, on a fake clock.

The model is the simulator's own limiter on the model's clock (a token bucket of ``limit`` requests a second,
bursts of ``limit``, or a fixed window; a 429 with ``Retry-After`` at once when over), a fixed latency of the
answers that pass, and callers that each send one request at a time as the budget lets them (asking again every
``RECHECK_INTERVAL`` while they wait, as :meth:`ApiBudget.acquire` does). Everything is counted in round trips and
requests, never timed.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field

import pytest

from webex_wholesale.budget.api_budget import RECHECK_INTERVAL
from webex_wholesale.budget.rules import BudgetPolicy, BudgetState, reserve, succeeded, throttled, wait_for
from wholesale_sim.config import SimConfig
from wholesale_sim.traffic import rate_limiter

LATENCY = 0.1
START = 1_000.0


@dataclass
class Run:
    """What the callers saw: every request's send time, its answer, and the rate after each answer."""

    sent: list[float] = field(default_factory=list)
    throttled: int = 0
    rates: list[tuple[float, float]] = field(default_factory=list)

    def first_time_at(self, rate: float) -> float:
        return next(at for at, r in self.rates if r >= rate)

    def sent_between(self, start: float, end: float) -> int:
        return sum(1 for at in self.sent if start <= at < end)


def drive(
    policy: BudgetPolicy,
    *,
    limit: float | None,
    requests: int,
    window: float | None = None,
    callers: int = 64,
    state: BudgetState | None = None,
    latency: float | dict[float, float] = LATENCY,
) -> tuple[Run, BudgetState]:
    """Send ``requests`` through the budget from ``callers`` concurrent callers to an API limited to ``limit`` per
    second (per ``window`` seconds if given, else a token bucket); ``latency`` may change over time
    (``{from_time: latency}``, times relative to the start)."""
    state = state or BudgetState.initial(policy)
    clock = [START]
    config = SimConfig(rate_limit=limit, rate_window=window)
    limiter = rate_limiter(config, clock=lambda: clock[0])
    steps = sorted(latency.items()) if isinstance(latency, dict) else [(0.0, latency)]

    def latency_at(now: float) -> float:
        return next(value for at, value in reversed(steps) if now - START >= at)

    run = Run()
    order = itertools.count()
    # (time, order, kind, value, queued): value is the ticket of an "ask" (-1: a new request), the latency of an
    # "answer", the Retry-After of a "throttled".
    events: list[tuple[float, int, str, float, bool]] = []
    for _ in range(min(callers, requests)):
        heapq.heappush(events, (START, next(order), "ask", -1, False))
    left = requests
    while events:
        now, _, kind, value, queued = heapq.heappop(events)
        clock[0] = now
        if kind == "ask":
            ticket = int(value)
            if ticket < 0:
                if left == 0:
                    continue
                left -= 1
                ticket, wait, _paused = reserve(state, now)
                queued = wait > 0
            else:
                ticket, wait, _paused = wait_for(state, ticket, now)
            if wait > 0:
                heapq.heappush(events, (now + min(wait, RECHECK_INTERVAL), next(order), "ask", ticket, queued))
                continue
            run.sent.append(now)
            took = latency_at(now)
            retry_after = limiter.acquire() if limiter else None
            if retry_after is None:
                heapq.heappush(events, (now + took, next(order), "answer", took, queued))
            else:  # the simulator refuses at once, before its latency
                heapq.heappush(events, (now, next(order), "throttled", retry_after, queued))
        else:
            if kind == "throttled":
                run.throttled += 1
                throttled(state, policy, now, retry_after=value)
                left += 1  # sent again, as the hook retries a 429
            else:
                succeeded(state, policy, now, latency=value, queued=queued)
            run.rates.append((now, state.rate))
            heapq.heappush(events, (now, next(order), "ask", -1, False))
    return run, state


@pytest.mark.parametrize("limit", [5, 20, 100, 200])
def test_the_slow_start_reaches_an_unknown_limit_within_a_dozen_round_trips(limit):
    run, state = drive(BudgetPolicy(), limit=limit, requests=int(limit * 12))
    reached = run.first_time_at(0.7 * limit)
    assert (reached - START) / LATENCY <= 12
    assert not state.probing  # it found the limit...
    assert 0.6 * limit <= state.rate <= 1.5 * limit  # ...and is about there


@pytest.mark.parametrize("limit", [20, 100, 200])
def test_over_a_run_the_budget_sends_near_the_limit_with_few_429s(limit):
    run, _state = drive(BudgetPolicy(), limit=limit, requests=limit * 10)
    successes = len(run.sent) - run.throttled
    bound = successes / limit
    assert (run.sent[-1] - START) <= 1.15 * bound
    assert run.throttled <= 0.03 * len(run.sent)


@pytest.mark.parametrize("limit", [20, 100])
def test_a_fixed_window_limit_is_found_too(limit):
    """The same limit counted per 10 s window: a whole window's allowance may go at once, then a long wait."""
    run, state = drive(BudgetPolicy(), limit=limit, window=10.0, requests=limit * 30)
    successes = len(run.sent) - run.throttled
    assert (run.sent[-1] - START) <= 1.15 * successes / limit
    assert run.throttled <= 0.03 * len(run.sent)
    assert not state.probing


def test_a_configured_ceiling_is_never_passed_while_ramping():
    ceiling = BudgetPolicy(ceiling=50.0)
    state = BudgetState.initial(ceiling)
    state.rate = 5.0  # learned low, then a ceiling configured: the ramp climbs to the ceiling, never beyond
    run, state = drive(ceiling, limit=None, requests=1_000, state=state)
    assert max(rate for _at, rate in run.rates) == 50.0
    windows = range(math.floor(run.sent[0]), math.ceil(run.sent[-1]))
    assert max(run.sent_between(w, w + 1) for w in windows) <= 50 + 1


def test_a_429_ends_the_ramp_and_halves_the_rate():
    state = BudgetState(rate=80.0)
    throttled(state, BudgetPolicy(), now=START, retry_after=1.0)
    assert (state.rate, state.overshoot_rate, state.probing) == (40.0, 80.0, False)


def test_a_latency_rise_ends_the_ramp_without_any_429():
    """The API slowing down as the rate grows (it queues before it refuses): the ramp stops there."""
    run, state = drive(BudgetPolicy(), limit=None, requests=2_000, latency={0.0: LATENCY, 0.6: 3 * LATENCY})
    assert run.throttled == 0
    assert not state.probing
    peak = max(rate for _at, rate in run.rates)
    assert state.overshoot_rate == peak
    assert state.rate < peak


def test_without_a_limit_or_a_rise_the_ramp_runs_to_the_learned_maximum():
    policy = BudgetPolicy()
    run, state = drive(policy, limit=None, requests=5_000, callers=256)
    assert state.probing
    assert state.rate == policy.learned_max
    assert (run.first_time_at(policy.learned_max) - START) / LATENCY <= 8  # 10/s doubled 6 times: 640/s


def test_a_new_run_starts_from_the_rate_learned_last_time():
    policy = BudgetPolicy()
    _run, learned = drive(policy, limit=100, requests=1_000)
    later = START + 86_400.0
    assert reserve(learned, later)[1] == 0.0  # an idle budget: no queue, no burst...
    assert learned.rate >= 0.6 * 100  # ...at the rate found, not at the learned start
    assert learned.rate > policy.learned_start
