"""What a report means: ``judge`` decides the outcome and the problem line from the report's facts alone."""

from __future__ import annotations

import pytest

from webex_wholesale.models.report import OnboardingReport, judge
from webex_wholesale.models.states import RunOutcome

FAILED_STEP = {"taskId": "provision_subscribers[0]", "state": "failed", "message": "1 of 3 subscribers failed"}
PROVISIONED = {"email": "b@x.example.com", "result": "provisioned"}


def report(**fields) -> OnboardingReport:
    return OnboardingReport.model_validate({"runId": "order-1", "dryRun": False, **fields})


@pytest.mark.parametrize(
    ("fields", "outcome"),
    [
        ({"subscribers": [PROVISIONED]}, RunOutcome.SUCCEEDED),
        ({"dryRun": True}, RunOutcome.SUCCEEDED),
        ({"steps": [FAILED_STEP]}, RunOutcome.FAILED),
        ({"steps": [{"taskId": "provision_admin", "state": "upstream_failed"}]}, RunOutcome.FAILED),
        ({"subscribers": [{"email": "a@x.example.com", "result": "failed"}, PROVISIONED]}, RunOutcome.FAILED),
        (
            {"subscribers": [{"email": "a@x.example.com", "result": "pending_user_migration"}]},
            RunOutcome.NEEDS_ATTENTION,
        ),
        ({"customerStatus": "pending_rpl_review", "steps": [FAILED_STEP]}, RunOutcome.NEEDS_ATTENTION),
    ],
)
def test_the_outcome_follows_from_the_facts(fields, outcome):
    assert judge(report(**fields)).outcome is outcome
    assert report(**fields).model_dump(mode="json", by_alias=True)["outcome"] == outcome.value


def test_a_stored_outcome_is_judged_again_never_read():
    """Reports written before the outcome was typed said "dry run passed" or "succeeded, some users must consent"."""
    assert report(outcome="dry run passed", dryRun=True).outcome is RunOutcome.SUCCEEDED
    assert report(outcome="succeeded", steps=[FAILED_STEP]).outcome is RunOutcome.FAILED


def test_the_problem_names_failed_steps_and_subscribers():
    failed = report(
        steps=[
            FAILED_STEP,
            {"taskId": "onboarding_succeeded", "state": "upstream_failed", "message": None},
            {"taskId": "validate_order", "state": "success", "message": None},
        ],
        subscribers=[{"email": "a@x.example.com", "result": "failed"}, PROVISIONED],
    )
    assert judge(failed).problem == "provision_subscribers[0]: 1 of 3 subscribers failed; 1 subscriber(s) failed"


def test_a_step_that_failed_without_a_message_is_still_named():
    silent = report(steps=[{"taskId": "provision_customer", "state": "failed"}])
    assert judge(silent).problem == "failed without a message: provision_customer"


def test_the_problem_of_a_held_customer_or_pending_users_says_what_to_do():
    held = report(customerStatus="pending_rpl_review")
    assert judge(held).problem == "customer held in pending_rpl_review: clear it in Partner Hub, then retry"
    pending = report(subscribers=[{"email": f"u{i}@x.example.com", "result": "pending_user_migration"} for i in (1, 2)])
    assert judge(pending).problem == "2 user(s) must consent to join the customer's organisation"
    assert judge(report(subscribers=[PROVISIONED])).problem is None
