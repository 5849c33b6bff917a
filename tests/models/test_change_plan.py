"""The change plan: one test per kind of difference, the refused plans, and the offboarding plan's counts."""

from __future__ import annotations

from typing import Any

import pytest

from webex_wholesale.models import Customer, OrderValidationError, Subscriber, parse_order
from webex_wholesale.models.change_outcome import ChangeAction
from webex_wholesale.models.change_plan import plan_change
from webex_wholesale.models.offboarding_plan import plan_offboarding

EXTERNAL_ID = "harbour-vets-3317"
ADDRESS = {"addressLine1": "4 Quay Lane", "city": "Cork", "country": "IE"}
LOCATION = {"name": "Quay", "address": ADDRESS, "timezone": "Europe/Dublin", "language": "en_ie"}


def user(email: str, package: str, **numbers: str) -> dict[str, Any]:
    return {
        "email": email,
        "packages": [package],
        "provisioningParameters": {"firstName": "Ada", "lastName": email.split("@")[0], **numbers},
    }


def order(packages: list[str], subscribers: list[dict[str, Any]]) -> Any:
    data = {
        "provisioningId": "UFJPVi1IQVJCT1VSLVZFVFM",
        "packages": packages,
        "externalId": EXTERNAL_ID,
        "address": ADDRESS,
        "customerInfo": {"name": "Harbour Vets", "primaryEmail": "owner@harbourvets.example.org"},
        "provisioningParameters": {"calling": {"location": LOCATION}},
        "subscribers": subscribers,
    }
    return parse_order(data, desired_state=True)


def customer(packages: list[str], status: str = "provisioned") -> Customer:
    return Customer.model_validate({"id": "CUST-HV", "externalId": EXTERNAL_ID, "status": status, "packages": packages})


def held(email: str, package: str) -> Subscriber:
    return Subscriber.model_validate(
        {"id": f"SUB-{email}", "email": email, "packages": [package], "status": "provisioned"}
    )


OWNER = "owner@harbourvets.example.org"
NURSE = "nurse@harbourvets.example.org"
LOCUM = "locum@harbourvets.example.org"


def test_same_state_plans_nothing() -> None:
    plan = plan_change(order(["webex_meetings"], [user(OWNER, "webex_meetings")]), customer(["webex_meetings"]),
                       [held(OWNER, "webex_meetings")])  # fmt: skip
    assert plan.is_empty
    assert plan.unchanged == 1
    assert not plan.removes_anything
    assert not plan.refused


def test_a_new_customer_package_is_added_and_one_left_out_is_removed() -> None:
    plan = plan_change(
        order(["webex_calling"], [user(OWNER, "webex_calling", extension="2001")]),
        customer(["webex_meetings"]),
        [],
    )
    assert plan.packages_to_add == ["webex_calling"]
    assert plan.packages_to_remove == ["webex_meetings"]
    assert plan.packages_after_additions == ["webex_meetings", "webex_calling"]
    assert plan.packages_desired == ["webex_calling"]
    assert plan.removes_anything


ADDITIONS, REMOVALS = ChangeAction.ADD_CUSTOMER_PACKAGES, ChangeAction.REMOVE_CUSTOMER_PACKAGES


@pytest.mark.parametrize(
    ("ordered", "status", "idle"),
    [
        (["webex_meetings"], "provisioned", {ADDITIONS, REMOVALS}),
        (["webex_meetings"], "updating", {REMOVALS}),  # an earlier update: the additions step waits for it
        (["webex_meetings"], "error", {REMOVALS}),  # the additions step fails on it
        (["webex_meetings", "webex_suite"], "provisioned", {REMOVALS}),
        (["webex_suite"], "provisioned", set()),
    ],
)
def test_idle_steps_are_the_customer_steps_with_nothing_to_send_or_wait_for(ordered, status, idle) -> None:
    subscriber = user(OWNER, ordered[-1], extension="2001")
    plan = plan_change(order(ordered, [subscriber]), customer(["webex_meetings"], status), [])
    assert set(plan.idle_steps()) == idle


def test_a_user_webex_lacks_is_created() -> None:
    plan = plan_change(order(["webex_meetings"], [user(OWNER, "webex_meetings")]), customer(["webex_meetings"]), [])
    assert [s["email"] for s in plan.subscribers_to_create] == [OWNER]
    assert not plan.removes_anything


def test_a_user_on_another_package_is_moved_with_the_order_s_number() -> None:
    plan = plan_change(
        order(["webex_meetings", "webex_calling"], [user(OWNER, "webex_calling", extension="2001")]),
        customer(["webex_meetings", "webex_calling"]),
        [held(OWNER.upper(), "webex_meetings")],
    )
    [move] = plan.subscribers_to_move
    assert (move.from_package, move.to_package) == ("webex_meetings", "webex_calling")
    assert move.body == {"packages": ["webex_calling"], "provisioningParameters": {"extension": "2001"}}
    assert move.subscriber_id == f"SUB-{OWNER.upper()}"


def test_unlisted_users_are_left_alone_unless_remove_unlisted() -> None:
    wanted = order(["webex_meetings"], [user(OWNER, "webex_meetings")])
    webex = [held(OWNER, "webex_meetings"), held(LOCUM, "webex_meetings")]
    kept = plan_change(wanted, customer(["webex_meetings"]), webex)
    assert kept.left_alone == 1
    assert not kept.subscribers_to_remove
    assert not kept.removes_anything
    removed = plan_change(wanted, customer(["webex_meetings"]), webex, remove_unlisted=True)
    assert [(r.email, r.package) for r in removed.subscribers_to_remove] == [(LOCUM, "webex_meetings")]
    assert removed.left_alone == 0
    assert removed.removes_anything


def test_a_move_onto_calling_without_a_number_is_refused() -> None:
    plan = plan_change(
        order(["webex_meetings", "webex_calling"], [user(OWNER, "webex_calling")]),
        customer(["webex_meetings", "webex_calling"]),
        [held(OWNER, "webex_meetings")],
    )
    assert plan.refused
    assert not plan.subscribers_to_move
    assert plan.refusals[0].subject == OWNER
    assert "extension or a primaryPhoneNumber" in plan.refusals[0].reason


def test_a_user_staying_on_calling_needs_no_number_in_the_order() -> None:
    plan = plan_change(
        order(["webex_calling"], [user(OWNER, "webex_calling")]),
        customer(["webex_calling"]),
        [held(OWNER, "webex_calling")],
    )
    assert plan.is_empty
    assert not plan.refused


def test_a_new_calling_user_without_a_number_is_refused() -> None:
    plan = plan_change(order(["webex_calling"], [user(NURSE, "webex_calling")]), customer(["webex_calling"]), [])
    assert [r.subject for r in plan.refusals] == [NURSE]


def test_removing_a_package_users_who_stay_still_hold_is_refused() -> None:
    plan = plan_change(
        order(["webex_calling"], [user(OWNER, "webex_calling", extension="2001")]),
        customer(["webex_calling", "webex_meetings"]),
        [held(OWNER, "webex_calling"), held(LOCUM, "webex_meetings")],
    )
    [refusal] = plan.refusals
    assert refusal.subject == "webex_meetings"
    assert "1 subscriber(s) who stay still hold it (such as locum@" in refusal.reason


def test_removing_a_package_whose_users_go_too_is_not_refused() -> None:
    plan = plan_change(
        order(["webex_calling"], [user(OWNER, "webex_calling", extension="2001")]),
        customer(["webex_calling", "webex_meetings"]),
        [held(OWNER, "webex_calling"), held(LOCUM, "webex_meetings")],
        remove_unlisted=True,
    )
    assert not plan.refused
    assert plan.packages_to_remove == ["webex_meetings"]


def test_an_onboarding_order_still_needs_a_calling_user_s_number() -> None:
    data = order(["webex_calling"], [user(OWNER, "webex_calling", extension="2001")]).to_conf()
    del data["subscribers"][0]["provisioningParameters"]["extension"]
    with pytest.raises(OrderValidationError, match="extension"):
        parse_order(data)


def test_the_summary_names_what_goes() -> None:
    plan = plan_change(
        order(["webex_meetings"], [user(OWNER, "webex_meetings")]),
        customer(["webex_meetings"]),
        [held(OWNER, "webex_meetings"), held(LOCUM, "webex_meetings")],
        remove_unlisted=True,
    )
    text = plan.summary_markdown()
    assert f"remove `{LOCUM}` (webex_meetings)" in text
    assert "subscribers to remove: 1" in text


def test_offboarding_plan_counts_subscribers_by_package() -> None:
    plan = plan_offboarding(
        customer(["webex_calling", "webex_meetings"]),
        [held(OWNER, "webex_calling"), held(NURSE, "webex_calling"), held(LOCUM, "webex_meetings")],
    )
    assert plan.subscribers_by_package == {"webex_calling": 2, "webex_meetings": 1}
    assert plan.subscriber_count == 3
    assert "subscribers deleted with it: 3" in plan.summary_markdown()


def test_batches_keep_removals_then_moves_then_creations_in_even_batches() -> None:
    plan = plan_change(
        order(["webex_calling"], [user(OWNER, "webex_calling", extension="2001"), user(NURSE, "webex_calling",
              extension="2002")]),
        customer(["webex_calling"]),
        [held(OWNER, "webex_meetings"), held(LOCUM, "webex_meetings")],
        remove_unlisted=True,
    )  # fmt: skip

    batches = plan.batches(batch_size=2)

    assert [(len(b["removals"]), len(b["moves"]), len(b["creations"])) for b in batches] == [(1, 1, 0), (0, 0, 1)]
    assert [b["batch_label"] for b in batches] == ["changes 1-2 of 3", "changes 3-3 of 3"]


def test_a_plan_without_subscriber_changes_has_one_empty_batch() -> None:
    plan = plan_change(order(["webex_meetings"], [user(OWNER, "webex_meetings")]), customer(["webex_meetings"]),
                       [held(OWNER, "webex_meetings")])  # fmt: skip

    assert plan.batches() == [{"removals": [], "moves": [], "creations": [], "batch_label": "no subscriber changes"}]
