"""The report says what the API budget did across the subscriber batches."""

from __future__ import annotations

from webex_wholesale.budget.stats import BudgetStats
from webex_wholesale.onboarding.report import build_report, to_markdown


def batch(throttled: int, pause: tuple[float, float], seconds: dict[int, int]) -> dict:
    stats = BudgetStats()
    for second, count in seconds.items():
        for _ in range(count):
            stats.record_start(float(second), [pause])
    stats.record_start(float(max(seconds) + 1))
    for _ in range(throttled):
        stats.record_throttled()
    return stats.summary()


def report(**kwargs):
    return build_report(
        run_id="r1", dry_run=False, summary=None, customer_ref=None, customer=None, outcomes=[], setup_assist=None,
        steps=[], **kwargs,
    )  # fmt: skip


def test_budget_figures_of_all_batches_together():
    first = batch(1, (98.0, 100.0), {100: 10, 101: 19})
    second = batch(0, (99.5, 100.5), {101: 5, 102: 14})  # overlaps the first pause: counted once
    result = report(budget=[first, second])

    assert result.api_budget == {
        "requests": 50,
        "throttled": 1,
        "averageRate": 12.5,  # 50 requests started in the seconds 100 to 103
        "peakRate": 24,
        "pausedSeconds": 2.5,
    }
    assert (
        "- API budget (subscriber steps): 50 requests, 1 answered 429, average 12.5/s, peak 24/s, paused 2.5 s"
        in to_markdown(result)
    )
    assert result.model_dump(by_alias=True)["apiBudget"]["requests"] == 50


def test_no_budget_line_when_no_batch_sent_anything():
    result = report()
    assert result.api_budget is None
    assert "API budget" not in to_markdown(result)
