"""Per-subscriber outcomes travel through XCom as camelCase JSON and come back the same."""

from __future__ import annotations

import json

import pytest

from webex_wholesale.models import SubscriberOutcome, SubscriberResult


def test_outcome_round_trips_through_json():
    outcome = SubscriberOutcome(
        email="maria.lopez@example.com",
        name="Maria Lopez",
        result=SubscriberResult.FAILED,
        package="webex_calling",
        http_status=409,
        error_codes=[10022],
        message="The email is already associated with an existing user.",
        tracking_id="ROUTER_0123",
        attempts=2,
    )

    wire = json.loads(json.dumps(outcome.model_dump(mode="json")))

    assert wire == {
        "email": "maria.lopez@example.com",
        "result": "failed",
        "name": "Maria Lopez",
        "isAdmin": False,
        "subscriberId": None,
        "status": None,
        "package": "webex_calling",
        "httpStatus": 409,
        "errorCodes": [10022],
        "message": "The email is already associated with an existing user.",
        "trackingId": "ROUTER_0123",
        "attempts": 2,
    }
    assert SubscriberOutcome.model_validate(wire) == outcome


def test_only_failed_counts_as_failed():
    outcomes = {
        result: SubscriberOutcome(email="a@example.com", result=result, is_admin=True) for result in SubscriberResult
    }

    assert [result for result, outcome in outcomes.items() if outcome.failed] == [SubscriberResult.FAILED]
    assert outcomes[SubscriberResult.PENDING_USER_MIGRATION].attempts == 1


def test_outcome_accepts_camel_case_keys():
    outcome = SubscriberOutcome.model_validate(
        {"email": "a@example.com", "result": "already_present", "isAdmin": True, "subscriberId": "S1"}
    )

    assert (outcome.result, outcome.is_admin, outcome.subscriber_id) == (SubscriberResult.ALREADY_PRESENT, True, "S1")


@pytest.mark.parametrize(
    ("http_status", "transient"), [(None, True), (423, True), (429, True), (500, True), (503, True), (400, False)]
)
def test_a_failed_outcome_knows_whether_a_retry_may_help(http_status, transient):
    failed = SubscriberOutcome(email="a@example.com", result=SubscriberResult.FAILED, http_status=http_status)

    assert failed.is_transient is transient


def test_a_subscriber_that_did_not_fail_is_never_transient():
    assert not SubscriberOutcome(email="a@example.com", result=SubscriberResult.PROVISIONED).is_transient
