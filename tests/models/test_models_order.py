"""The onboarding order: valid shapes, one test per rule with its exact field path, and the request bodies."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from webex_wholesale.models import (
    OnboardingOrder,
    OrderValidationError,
    SubscriberOrder,
    parse_order,
)


def problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(OrderValidationError) as raised:
        parse_order(data)
    return raised.value.problems


def paths(data: Any) -> list[str]:
    return [path for path, _ in problems(data)]


# --- valid orders ------------------------------------------------------------------------------------------


def test_full_order_parses(full_order):
    order = parse_order(full_order)

    assert order.admin.email == "john.anderson@example.com"
    assert [s.package for s in order.other_subscribers] == ["webex_calling", "webex_meetings"]
    assert order.setup_assistance is not None
    assert order.setup_assistance.contact_email == "dana.ops@example.com"
    assert order.provisioning_parameters.packages.limits == {"webex_calling": 50, "webex_suite": 10}


def test_minimal_order_parses(minimal_order):
    order = parse_order(minimal_order)

    assert order.packages == ["webex_meetings"]
    assert order.provisioning_parameters is None
    assert order.setup_assistance is None
    assert order.other_subscribers == []


def test_attach_order_needs_no_customer_info(attach_order):
    order = parse_order(attach_order)

    assert order.customer_info is None
    assert order.address.country == "CA"
    assert order.on_behalf_of_sub_partner_org_id == "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi8wZTE4"


def test_strings_are_stripped_and_country_upper_cased(minimal_order):
    minimal_order["externalId"] = "  crm-0001 "
    minimal_order["address"]["country"] = " fr "

    order = parse_order(minimal_order)

    assert order.external_id == "crm-0001"
    assert order.address.country == "FR"


def test_snake_case_names_are_accepted_too(minimal_order):
    data = {
        "provisioning_id": "tmpl",
        "packages": ["webex_meetings"],
        "external_id": "x-1",
        "address": {"address_line1": "1 Main St", "city": "Paris", "country": "FR"},
        "customer_info": {"name": "Acme", "primary_email": "a@example.com"},
        "subscribers": minimal_order["subscribers"],
    }

    assert parse_order(data).address.address_line1 == "1 Main St"


def test_attendant_console_subscriber_is_allowed(full_order):
    full_order["packages"].append("attendant_console")
    full_order["subscribers"][1]["packages"] = ["attendant_console"]

    assert parse_order(full_order).subscribers[1].package == "attendant_console"


def test_email_key_ignores_case():
    subscriber = SubscriberOrder.model_validate(
        {
            "email": "John.Anderson@Example.COM",
            "packages": ["webex_meetings"],
            "provisioningParameters": {"firstName": "J", "lastName": "A"},
        }
    )

    assert subscriber.email_key == "john.anderson@example.com"


# --- one rule each, with its exact path ------------------------------------------------------------------


def test_missing_provisioning_id(full_order):
    del full_order["provisioningId"]
    assert problems(full_order) == [("provisioningId", "required field is missing")]


def test_blank_provisioning_id(full_order):
    full_order["provisioningId"] = "   "
    assert paths(full_order) == ["provisioningId"]


def test_unknown_package(full_order):
    full_order["packages"].append("webex_teleport")
    assert paths(full_order) == ["packages[4]"]


def test_duplicate_package(full_order):
    full_order["packages"].append("webex_calling")
    (problem,) = problems(full_order)
    assert problem == ("packages[4]", "webex_calling is listed twice")


def test_add_on_without_its_base_package(minimal_order):
    minimal_order["packages"] = ["webex_meetings", "attendant_console"]
    (problem,) = problems(minimal_order)
    assert problem[0] == "packages"
    assert "attendant_console needs one of" in problem[1]
    assert "webex_calling, webex_suite, cx_essentials" in problem[1]


def test_calling_package_without_location(full_order):
    del full_order["provisioningParameters"]["calling"]
    (problem,) = problems(full_order)
    assert problem[0] == "provisioningParameters.calling.location"
    assert "webex_calling, webex_suite" in problem[1]


def test_calling_package_without_any_provisioning_parameters(minimal_order):
    minimal_order["packages"] = ["common_area_calling", "webex_meetings"]
    assert paths(minimal_order) == ["provisioningParameters.calling.location"]


def test_calling_location_missing_timezone(full_order):
    del full_order["provisioningParameters"]["calling"]["location"]["timezone"]
    assert paths(full_order) == ["provisioningParameters.calling.location.timezone"]


def test_us_address_without_state_and_zip(full_order):
    del full_order["address"]["stateOrProvince"]
    del full_order["address"]["zipOrPostalCode"]
    assert problems(full_order) == [
        ("address.stateOrProvince", "required when country is US"),
        ("address.zipOrPostalCode", "required when country is US"),
    ]


def test_canadian_calling_location_without_zip(attach_order):
    del attach_order["provisioningParameters"]["calling"]["location"]["address"]["zipOrPostalCode"]
    assert paths(attach_order) == ["provisioningParameters.calling.location.address.zipOrPostalCode"]


def test_other_countries_need_no_state_or_zip(minimal_order):
    assert parse_order(minimal_order).address.state_or_province is None


def test_address_line_longer_than_50(full_order):
    full_order["address"]["addressLine1"] = "x" * 51
    assert problems(full_order) == [("address.addressLine1", "String should have at most 50 characters")]


def test_address_line_of_exactly_50_is_fine(full_order):
    full_order["address"]["addressLine2"] = "x" * 50
    assert len(parse_order(full_order).address.address_line2) == 50


@pytest.mark.parametrize("country", ["usa", "U", "1A", ""])
def test_country_not_two_letters(full_order, country):
    full_order["address"]["country"] = country
    (problem,) = problems(full_order)
    assert problem[0] == "address.country"
    assert "is not an ISO 3166-1 alpha-2 country code" in problem[1]


def test_customer_name_with_percent(full_order):
    full_order["customerInfo"]["name"] = "100% Pizza"
    assert problems(full_order) == [("customerInfo.name", "must not contain the '%' character")]


@pytest.mark.parametrize("language", ["english", "EN", "en-US", "en_us", "e"])
def test_bad_customer_language(full_order, language):
    full_order["customerInfo"]["language"] = language
    assert paths(full_order) == ["customerInfo.language"]


@pytest.mark.parametrize("language", ["en", "fr_CA"])
def test_good_customer_language(full_order, language):
    full_order["customerInfo"]["language"] = language
    assert parse_order(full_order).customer_info.language == language


def test_invalid_primary_email(full_order):
    full_order["customerInfo"]["primaryEmail"] = "john.anderson"
    (problem,) = problems(full_order)
    assert problem[0] == "customerInfo.primaryEmail"
    assert "not a valid email address" in problem[1]


def test_new_customer_without_customer_info(full_order):
    del full_order["customerInfo"]
    assert paths(full_order) == ["customerInfo"]


def test_duplicate_email_ignores_case(full_order):
    duplicate = copy.deepcopy(full_order["subscribers"][2])
    duplicate["email"] = "Maria.Lopez@EXAMPLE.com"
    full_order["subscribers"].append(duplicate)

    (problem,) = problems(full_order)

    assert problem[0] == "subscribers[3].email"
    assert "subscribers[1].email" in problem[1]


def test_subscriber_with_two_packages(full_order):
    full_order["subscribers"][2]["packages"] = ["webex_meetings", "webex_calling"]
    assert paths(full_order) == ["subscribers[2].packages"]


def test_subscriber_without_package(full_order):
    full_order["subscribers"][2]["packages"] = []
    assert paths(full_order) == ["subscribers[2].packages"]


def test_subscriber_with_customer_only_package(full_order):
    full_order["subscribers"][2]["packages"] = ["cisco_calling_plan"]
    assert paths(full_order) == ["subscribers[2].packages[0]"]


def test_calling_subscriber_without_extension_or_phone(full_order):
    del full_order["subscribers"][1]["provisioningParameters"]["extension"]
    (problem,) = problems(full_order)
    assert problem[0] == "subscribers[1].provisioningParameters.extension"
    assert "give an extension or a primaryPhoneNumber" in problem[1]


def test_calling_subscriber_with_phone_only(full_order):
    params = full_order["subscribers"][1]["provisioningParameters"]
    del params["extension"]
    params["primaryPhoneNumber"] = "+4930123456"
    assert parse_order(full_order).subscribers[1].provisioning_parameters.extension is None


def test_location_id_with_meetings_package(full_order):
    full_order["subscribers"][2]["provisioningParameters"]["locationId"] = "Y2lzY29zcGFyazovL3VzL0xPQ0FUSU9O"
    (problem,) = problems(full_order)
    assert problem[0] == "subscribers[2].provisioningParameters.locationId"
    assert "webex_meetings is not one" in problem[1]


@pytest.mark.parametrize(
    ("field", "value"),
    [("primaryPhoneNumber", "5551212"), ("primaryPhoneNumber", "+0123456789"), ("extension", "5")],
)
def test_bad_phone_number_or_extension(full_order, field, value):
    full_order["subscribers"][0]["provisioningParameters"][field] = value
    assert paths(full_order) == [f"subscribers[0].provisioningParameters.{field}"]


def test_subscriber_without_last_name(full_order):
    del full_order["subscribers"][2]["provisioningParameters"]["lastName"]
    assert paths(full_order) == ["subscribers[2].provisioningParameters.lastName"]


def test_unknown_top_level_key(full_order):
    full_order["setupAssist"] = True
    assert problems(full_order) == [("setupAssist", "unknown field (not part of the onboarding order format)")]


def test_unknown_nested_key(full_order):
    full_order["subscribers"][1]["provisioningParameters"]["department"] = "Sales"
    assert paths(full_order) == ["subscribers[1].provisioningParameters.department"]


def test_deprecated_single_package_field_is_rejected(full_order):
    full_order["subscribers"][2]["package"] = "webex_meetings"
    assert paths(full_order) == ["subscribers[2].package"]


def test_subscriber_package_not_in_order_packages(minimal_order):
    minimal_order["subscribers"][0]["packages"] = ["webex_suite"]
    minimal_order["subscribers"][0]["provisioningParameters"]["extension"] = "1001"
    assert problems(minimal_order) == [("subscribers[0].packages", "webex_suite is not in the order's packages")]


def test_empty_subscribers(full_order):
    full_order["subscribers"] = []
    assert paths(full_order) == ["subscribers"]


def test_limit_on_a_package_that_cannot_be_capped(full_order):
    full_order["provisioningParameters"]["packages"]["limits"]["cisco_calling_plan"] = 5
    assert paths(full_order) == ["provisioningParameters.packages.limits.cisco_calling_plan"]


def test_limit_must_be_positive(full_order):
    full_order["provisioningParameters"]["packages"]["limits"]["webex_calling"] = 0
    assert paths(full_order) == ["provisioningParameters.packages.limits.webex_calling"]


def test_setup_assistance_notes_longer_than_2000(full_order):
    full_order["setupAssistance"]["notes"] = "n" * 2001
    assert paths(full_order) == ["setupAssistance.notes"]


def test_setup_assistance_without_contact_email(full_order):
    del full_order["setupAssistance"]["contactEmail"]
    assert paths(full_order) == ["setupAssistance.contactEmail"]


def test_every_problem_is_reported_at_once(full_order):
    del full_order["provisioningId"]
    full_order["address"]["country"] = "usa"
    full_order["subscribers"][2]["provisioningParameters"]["locationId"] = "loc"
    full_order["bogus"] = 1

    assert sorted(paths(full_order)) == [
        "address.country",
        "bogus",
        "provisioningId",
        "subscribers[2].provisioningParameters.locationId",
    ]


@pytest.mark.parametrize("data", [None, [], "order", 42])
def test_non_mapping_input(data):
    assert paths(data) == ["<order>"]


# --- the error itself --------------------------------------------------------------------------------------


def test_error_message_lists_every_problem():
    error = OrderValidationError([("address.country", "bad"), ("subscribers[3].email", "duplicate")])

    assert str(error) == (
        "invalid onboarding order (2 problems):\n  - address.country: bad\n  - subscribers[3].email: duplicate"
    )
    assert str(OrderValidationError([("x", "y")])).startswith("invalid onboarding order (1 problem):")
    assert isinstance(error, ValueError)


def test_error_survives_pickling(full_order):
    del full_order["externalId"]
    with pytest.raises(OrderValidationError) as raised:
        parse_order(full_order)

    clone = pickle.loads(pickle.dumps(raised.value))  # noqa: S301 - our own bytes, round-tripped in-process

    assert clone.problems == raised.value.problems
    assert str(clone) == str(raised.value)


def test_direct_model_validation_still_names_the_field(full_order):
    """Code that skips parse_order gets pydantic's error: the rule's location, then the field within it."""
    del full_order["address"]["zipOrPostalCode"]
    with pytest.raises(ValueError, match=r"address\n  zipOrPostalCode: required when country is US"):
        OnboardingOrder.model_validate(full_order)


# --- request bodies and round trip -------------------------------------------------------------------------


def test_customer_body_is_the_provision_request(full_order):
    body = parse_order(full_order).customer_body()

    expected = {key: full_order[key] for key in full_order if key not in ("subscribers", "setupAssistance")}
    assert body == expected


def test_customer_body_omits_absent_fields(minimal_order):
    assert parse_order(minimal_order).customer_body() == {
        "provisioningId": "tmpl-meetings",
        "packages": ["webex_meetings"],
        "externalId": "crm-0001",
        "address": {"addressLine1": "1 Rue de la Paix", "city": "Paris", "country": "FR"},
        "customerInfo": {"name": "Café Lumière", "primaryEmail": "owner@example.com"},
    }


def test_customer_body_carries_org_id_and_sub_partner_admin(attach_order):
    attach_order["subPartnerAdminEmail"] = "admin@subpartner.example.com"
    body = parse_order(attach_order).customer_body()

    assert body["orgId"] == attach_order["orgId"]
    assert body["subPartnerAdminEmail"] == "admin@subpartner.example.com"
    assert body["address"]["country"] == "CA"
    assert "onBehalfOfSubPartnerOrgId" not in body
    assert "customerInfo" not in body


def test_precheck_body_follows_the_validate_schema(full_order):
    full_order["subPartnerAdminEmail"] = "admin@subpartner.example.com"
    body = parse_order(full_order).precheck_body()

    assert body == {
        "provisioningId": full_order["provisioningId"],
        "packages": full_order["packages"],
        "externalId": full_order["externalId"],
        "address": full_order["address"],
        "customerInfo": {"name": "John's Pizza", "primaryEmail": "john.anderson@example.com"},
        "provisioningParameters": full_order["provisioningParameters"],
    }


def test_provision_body_for_each_subscriber(full_order):
    order = parse_order(full_order)

    assert order.subscribers[1].provision_body("CUST-1") == {
        "customerId": "CUST-1",
        "email": "maria.lopez@example.com",
        "packages": ["webex_calling"],
        "provisioningParameters": {
            "firstName": "Maria",
            "lastName": "Lopez",
            "extension": "51213",
            "locationId": "Y2lzY29zcGFyazovL3VzL0xPQ0FUSU9OLzAxMjM0NTY3",
        },
    }
    assert order.subscribers[2].provision_body("CUST-1") == {
        "customerId": "CUST-1",
        "email": "sam.lee@example.com",
        "packages": ["webex_meetings"],
        "provisioningParameters": {"firstName": "Sam", "lastName": "Lee"},
    }


@pytest.mark.parametrize("name", ["full_order", "minimal_order", "attach_order"])
def test_to_conf_round_trips(request, name):
    order = parse_order(request.getfixturevalue(name))

    assert parse_order(order.to_conf()) == order


def test_to_conf_is_the_input_when_the_input_is_canonical(full_order):
    assert parse_order(full_order).to_conf() == full_order


def test_to_conf_leaves_out_what_was_not_given(attach_order):
    conf = parse_order(attach_order).to_conf()

    assert "setupAssistance" not in conf
    assert "customerInfo" not in conf
