"""The budget's rules as pure functions: tickets, slow start, additive increase, multiplicative decrease, the shared
pause (the slow start against a modelled API: test_budget_ramp.py)."""

from __future__ import annotations

import itertools

import pytest

from webex_wholesale.budget.rules import BudgetPolicy, BudgetState, reserve, succeeded, throttled, wait_for

LEARNED = BudgetPolicy()
CEILING = BudgetPolicy(ceiling=20.0)


def waits(state: BudgetState, tickets: list[int], now: float) -> list[float]:
    return [wait_for(state, ticket, now)[1] for ticket in tickets]


def test_tickets_are_spaced_by_one_over_the_rate_in_arrival_order():
    state = BudgetState(rate=10.0)
    taken = [reserve(state, now=100.0) for _ in range(4)]
    assert [ticket for ticket, _wait, _paused in taken] == [0, 1, 2, 3]
    assert [wait for _ticket, wait, _paused in taken] == pytest.approx([0.0, 0.1, 0.2, 0.3])


def test_an_idle_budget_grants_no_burst():
    state = BudgetState(rate=10.0)
    reserve(state, now=100.0)
    assert reserve(state, now=200.0)[1] == 0.0
    assert reserve(state, now=200.0)[1] == pytest.approx(0.1)  # still one per 1/rate: the ceiling holds in any window


def test_a_raised_rate_brings_the_queued_tickets_forward():
    state = BudgetState(rate=10.0)
    tickets = [reserve(state, now=100.0)[0] for _ in range(5)]  # due at 100.0, 100.1 ... 100.4
    state_before = BudgetState(**vars(state))
    succeeded(state, LEARNED, 100.05, latency=0.1, queued=True)  # the slow start's first doubling: 10/s -> 20/s
    assert state.rate == 20.0
    # Ticket 0 is due already and stays due; ticket 1 keeps its time; the rest are 1/20 s apart after it.
    assert waits(state, tickets, now=100.05) == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2])
    assert waits(state_before, tickets, now=100.05) == pytest.approx([0.0, 0.05, 0.15, 0.25, 0.35])
    assert reserve(state, now=100.05)[1] == pytest.approx(0.25)  # a new caller queues behind them


def test_a_cut_rate_spaces_the_queued_tickets_out_at_once():
    state = BudgetState(rate=20.0, probing=False)
    tickets = [reserve(state, now=100.0)[0] for _ in range(3)]
    throttled(state, LEARNED, now=100.0, retry_after=0.0)  # 20/s -> 16/s
    # Ticket 0 is due; ticket 1 keeps its time, 1/20 s on; ticket 2 comes 1/16 s after it.
    assert waits(state, tickets, now=100.0) == pytest.approx([0.0, 0.05, 0.05 + 1 / 16])


def test_a_configured_ceiling_spaces_every_ticket_in_any_window():
    state = BudgetState.initial(CEILING)
    times = []
    for step in range(200):
        now = 100.0 + step * 0.01
        ticket, wait, _paused = reserve(state, now)
        succeeded(state, CEILING, now, latency=0.1, queued=wait > 0)
        times.append(now + wait_for(state, ticket, now)[1])
    assert all(b - a == pytest.approx(1 / 20) for a, b in itertools.pairwise(times))


def test_a_ticket_due_when_a_429_pauses_everybody_goes_behind_the_queue_not_with_it():
    """Its request had not left yet: sent at the pause's end beside the next ticket, it would break the ceiling."""
    state = BudgetState.initial(CEILING)
    due, queued = (reserve(state, now=100.0)[0] for _ in range(2))  # due at 100.0 and 100.05
    throttled(state, CEILING, now=100.01, retry_after=1.0)  # before the due ticket's caller asked again
    queued_turn, queued_wait, _paused = wait_for(state, queued, now=100.02)
    new_turn, due_wait, paused = wait_for(state, due, now=100.02)
    assert queued_turn == queued
    assert new_turn > queued  # a new ticket after the queued one
    assert paused == pytest.approx(0.99)
    assert due_wait - queued_wait == pytest.approx(1 / state.rate)


def test_start_rates():
    assert BudgetState.initial(LEARNED).rate == 10.0
    assert BudgetState.initial(CEILING).rate == 20.0


def test_the_slow_start_doubles_the_rate_once_per_round_trip_while_callers_queue():
    state = BudgetState.initial(LEARNED)
    for answer in range(40):  # 10 answers per round trip of 0.1 s: 4 round trips
        succeeded(state, LEARNED, 100.0 + answer * 0.01, latency=0.1, queued=True)
    assert state.rate == 10.0 * LEARNED.ramp_factor**4
    assert state.probing


def test_the_slow_start_never_passes_a_configured_ceiling():
    state = BudgetState(rate=5.0)
    for answer in range(100):
        succeeded(state, CEILING, 100.0 + answer * 0.1, latency=0.1, queued=True)
        assert state.rate <= CEILING.ceiling
    assert state.rate == CEILING.ceiling


def test_a_latency_rise_in_the_slow_start_halves_the_rate_and_ends_it():
    state = BudgetState.initial(LEARNED)
    succeeded(state, LEARNED, 100.0, latency=0.1, queued=True)  # 20/s
    succeeded(state, LEARNED, 100.2, latency=0.1, queued=True)  # a round trip later: 40/s
    assert state.rate == 40.0
    slow = 0
    while state.probing and slow < 10:  # the API queues: 0.5 s answers (smoothed: 0.18 s, then 0.244 s)
        succeeded(state, LEARNED, 100.22 + slow * 0.01, latency=0.5, queued=True)
        slow += 1
    assert slow == 2  # the second is above 0.1 s x 1.5 + 0.05 s
    assert (state.rate, state.overshoot_rate, state.probing) == (20.0, 40.0, False)


def test_a_slow_answer_nobody_queued_for_ends_nothing():
    state = BudgetState(rate=40.0, ramp_latency=0.1, latency=0.1)
    for _ in range(10):
        succeeded(state, LEARNED, 100.0, latency=1.0, queued=False)
    assert (state.rate, state.probing) == (40.0, True)


def test_no_raise_when_nobody_queued():
    state = BudgetState.initial(LEARNED)
    succeeded(state, LEARNED, 100.0, latency=0.1, queued=False)
    assert state.rate == 10.0


def test_after_the_slow_start_the_rate_grows_by_a_fixed_amount_per_second_of_successes():
    state = BudgetState(rate=10.0, probing=False)  # no rate answered 429 yet: the smallest step
    for _ in range(10):  # one second of answers at 10/s
        succeeded(state, LEARNED, 100.0, latency=0.1, queued=True)
    assert state.rate - 10.0 == pytest.approx(LEARNED.increase_per_second, rel=0.02)


def test_near_the_rate_a_429_answered_the_rate_creeps_instead_of_growing():
    state = BudgetState(rate=20.0, probing=False)
    throttled(state, LEARNED, now=100.0, retry_after=1.0)
    assert state.overshoot_rate == 20.0
    state.rate = 19.0  # regrown to within 10% of it
    for _ in range(19):  # one second of answers at 19/s
        succeeded(state, LEARNED, 100.0, latency=0.1, queued=True)
    far = LEARNED.increase_share * 20.0  # per second, below 90% of the rate that answered 429
    assert state.rate - 19.0 == pytest.approx(far * LEARNED.near_overshoot_slowdown, rel=0.02)


def test_the_additive_steps_scale_with_the_rate_the_api_pushed_back_at():
    """Regrowing to a limit of 200/s takes as many seconds as to one of 20/s."""
    grown = []
    for limit in (20.0, 200.0):
        state = BudgetState(rate=limit, probing=False)
        throttled(state, LEARNED, now=100.0, retry_after=0.0)
        start, seconds = state.rate, 0
        while state.rate < LEARNED.near_overshoot * limit:
            for _ in range(round(state.rate)):  # a second of answers
                succeeded(state, LEARNED, 200.0 + seconds, latency=0.1, queued=True)
            seconds += 1
        grown.append((seconds, start))
    assert grown[0][0] == grown[1][0] <= 5


def test_a_configured_ceiling_is_never_exceeded():
    state = BudgetState.initial(CEILING)
    for _ in range(1000):
        succeeded(state, CEILING, 100.0, latency=0.1, queued=True)
    assert state.rate == 20.0


def test_a_429_cuts_the_rate_multiplicatively_and_pauses_everybody():
    state = BudgetState(rate=20.0, base_time=100.0, probing=False)
    queued = [reserve(state, now=100.0)[0] for _ in range(3)]
    throttled(state, LEARNED, now=100.0, retry_after=2.0)
    assert state.rate == pytest.approx(20.0 * LEARNED.decrease_factor)
    assert not state.probing
    assert state.paused_until == 102.0
    ticket, wait, paused = reserve(state, now=100.5)
    assert wait >= paused == pytest.approx(1.5)  # nobody goes before the pause ends
    # The queued callers go after the pause, in their order, at the cut rate; the one that was due (its request not
    # sent yet) lost its turn and goes behind them.
    spacing = 1 / state.rate
    assert waits(state, [*queued, ticket], now=100.0) == pytest.approx(
        [2.0 + 3 * spacing, 2.0, 2.0 + spacing, 2.0 + 2 * spacing]
    )


def test_429s_of_one_overshoot_cut_once():
    state = BudgetState(rate=20.0, probing=False)
    throttled(state, LEARNED, now=100.0, retry_after=1.0)
    throttled(state, LEARNED, now=100.05, retry_after=1.0)  # an answer to a request sent before the pause
    assert state.rate == pytest.approx(20.0 * LEARNED.decrease_factor)
    assert state.paused_until == pytest.approx(101.05)
    throttled(state, LEARNED, now=103.0, retry_after=1.0)  # well after the pause: a new overshoot
    assert state.rate == pytest.approx(20.0 * LEARNED.decrease_factor**2)


def test_a_429_soon_after_a_pause_halves_the_rate():
    """A limit that refilled in the pause drained within a second: the rate is about twice the limit or more."""
    state = BudgetState(rate=80.0, probing=False)
    throttled(state, LEARNED, now=100.0, retry_after=1.0)
    throttled(state, LEARNED, now=101.2, retry_after=1.0)
    assert state.rate == pytest.approx(80.0 * LEARNED.decrease_factor * LEARNED.halving_factor)


def test_the_rate_never_falls_below_the_floor():
    state = BudgetState(rate=1.0)
    for second in range(20):
        throttled(state, LEARNED, now=100.0 + 10 * second, retry_after=1.0)
    assert state.rate == LEARNED.min_rate


def test_latency_is_smoothed():
    state = BudgetState(rate=10.0)
    succeeded(state, LEARNED, 100.0, latency=0.1, queued=False)
    assert state.latency == 0.1
    succeeded(state, LEARNED, 100.0, latency=0.6, queued=False)
    assert state.latency == pytest.approx(0.8 * 0.1 + 0.2 * 0.6)
