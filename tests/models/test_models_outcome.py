"""Per-subscriber outcomes travel through XCom as camelCase JSON and come back the same."""

from __future__ import annotations

import json

from webex_wholesale.models import SubscriberOutcome, SubscriberResult


def test_outcome_round_trips_through_json():
    outcome = SubscriberOutcome(
        email="maria.lopez@example.com",
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
