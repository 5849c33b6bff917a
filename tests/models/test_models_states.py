"""The shared words: each spelled once, the derived ones agreeing with their source."""

from __future__ import annotations

from webex_wholesale.models import SubscriberResult
from webex_wholesale.models.states import AUDIT_FAILURES, AuditResult, OrderState, RunOutcome


def test_every_run_outcome_is_an_order_state_an_order_settles_in():
    assert {OrderState(outcome) for outcome in RunOutcome} == {
        OrderState.SUCCEEDED,
        OrderState.FAILED,
        OrderState.NEEDS_ATTENTION,
        OrderState.REJECTED,
        OrderState.OFFBOARDED,
    }


def test_every_subscriber_result_is_an_audit_result_and_only_failed_is_a_failure():
    assert {AuditResult(result) for result in SubscriberResult} & AUDIT_FAILURES == {AuditResult.FAILED}
    assert {AuditResult(result).is_failure for result in SubscriberResult if result != SubscriberResult.FAILED} == {
        False
    }


def test_a_call_result_follows_its_http_status():
    assert [AuditResult.of_call(status) for status in (200, 204, 399, 400, 409, 503, None)] == [
        AuditResult.OK,
        AuditResult.OK,
        AuditResult.OK,
        AuditResult.ERROR,
        AuditResult.ERROR,
        AuditResult.ERROR,
        AuditResult.NO_RESPONSE,
    ]
    assert {result for result in AuditResult if result.is_failure} == AUDIT_FAILURES
