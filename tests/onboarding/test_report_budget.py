"""The report says what the API budget did across the subscriber batches."""

from __future__ import annotations

from webex_wholesale.hooks.budget_stats import BudgetStats
from webex_wholesale.onboarding.report import build_report


def batch(requests: int, throttled: int, paused: float, seconds: dict[int, int]) -> dict:
    stats = BudgetStats(requests=requests, throttled=throttled, paused_s=paused, first_at=min(seconds))
    stats.last_at = max(seconds) + 1
    stats.per_second.update(seconds)
    return stats.summary()


def report(**kwargs):
    return build_report(
        run_id="r1", dry_run=False, summary=None, customer_ref=None, customer=None, outcomes=[], setup_assist=None,
        steps=[], **kwargs,
    )  # fmt: skip


def test_budget_figures_of_all_batches_together():
    result = report(budget=[batch(30, 1, 2.0, {100: 10, 101: 20}), batch(20, 0, 0.5, {101: 5, 102: 15})])

    assert result.api_budget == {
        "requests": 50,
        "throttled": 1,
        "averageRate": round(50 / 3, 2),
        "peakRate": 25,
        "pausedSeconds": 2.5,
    }
    assert (
        "- API budget (subscriber steps): 50 requests, 1 answered 429, average 16.67/s, peak 25/s, paused 2.5 s"
        in result.to_markdown()
    )
    assert result.model_dump(by_alias=True)["apiBudget"]["requests"] == 50


def test_no_budget_line_when_no_batch_sent_anything():
    result = report()
    assert result.api_budget is None
    assert "API budget" not in result.to_markdown()
