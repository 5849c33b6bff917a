"""The verdict on a change or offboarding run: one reading, also of a stored report (pages, CLI, orders API)."""

from __future__ import annotations

from typing import Any

import pytest

from webex_wholesale.models.lifecycle_report import LifecycleReport, judge_lifecycle, verdict_of
from webex_wholesale.models.states import RunOutcome

DELETED = {"action": "delete_customer", "subject": "quay-kiosk-5", "before": "C-5", "done": True}
MOVED = {"action": "move_subscriber", "subject": "clerk@quay.example.org", "before": "a", "after": "b", "done": True}


def report(**fields: Any) -> LifecycleReport:
    return LifecycleReport.model_validate({"runId": "r", "kind": "change", "externalId": "quay-kiosk-5", **fields})


@pytest.mark.parametrize("decision", ["rejected", "expired"])
def test_a_plan_nobody_approved_is_rejected(decision):
    verdict = judge_lifecycle(report(approval={"decision": decision}))

    assert verdict.outcome is RunOutcome.REJECTED
    assert decision in verdict.problem


def test_an_approved_change_that_applied_succeeds():
    assert judge_lifecycle(report(approval={"decision": "approved", "by": "ops"}, changes=[MOVED])).outcome is (
        RunOutcome.SUCCEEDED
    )


def test_a_failed_change_or_step_fails_the_run_whatever_the_decision():
    failed_change = report(approval={"decision": "approved"}, changes=[{**MOVED, "done": False}])
    refused_plan = report(steps=[{"taskId": "plan_change", "state": "failed", "message": "onboard it first"}])

    assert judge_lifecycle(failed_change).outcome is RunOutcome.FAILED
    assert judge_lifecycle(refused_plan).problem == "plan_change: onboard it first"


def test_an_offboarding_that_deleted_its_customer_is_offboarded():
    done = report(kind="offboarding", approval={"decision": "approved"}, changes=[DELETED])

    assert judge_lifecycle(done).outcome is RunOutcome.OFFBOARDED
    assert judge_lifecycle(report(kind="offboarding", approval={"decision": "rejected"})).outcome is RunOutcome.REJECTED


def test_a_stored_report_is_read_with_the_judge_of_its_kind():
    stored = report(approval={"decision": "rejected"}).model_dump(mode="json", by_alias=True)
    onboarding = {"runId": "r", "dryRun": False, "steps": [{"taskId": "check_template", "state": "failed"}]}

    assert stored["outcome"] == "rejected"
    assert verdict_of(stored).outcome is RunOutcome.REJECTED
    assert verdict_of(onboarding).outcome is RunOutcome.FAILED
