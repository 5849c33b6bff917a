"""The one validation gate: the run's conf is the order, and each step gets exactly what it sends."""

from __future__ import annotations

import pytest
from helpers import DEMO_ORDER, demo_order
from helpers.order_values import BAD, PHONE, Value

from webex_wholesale.models import parse_order
from webex_wholesale.onboarding.tasks import order_from_conf, prepare_order
from webex_wholesale.operators import WebexInvalidInputError, build_setup_assist_request


def test_each_step_gets_the_piece_it_sends():
    order = parse_order(DEMO_ORDER)

    plan = prepare_order(DEMO_ORDER)

    assert plan["precheckBody"] == order.precheck_body()
    assert plan["customerBody"] == order.customer_body()
    assert plan["externalId"] == "acme-dental-0001"
    assert plan["subPartnerOrgId"] is None
    assert plan["admin"] == DEMO_ORDER["subscribers"][:1]
    assert [s for batch in plan["batches"] for s in batch["subscribers"]] == DEMO_ORDER["subscribers"][1:]
    assert plan["setupAssistRequest"] == build_setup_assist_request(order)
    assert plan["summary"] == {
        "externalId": "acme-dental-0001",
        "customerName": "Acme Dental Group",
        "provisioningId": "demo-us-all",
        "subscribers": 4,
        "setupAssistRequested": True,
        "normalized": [],
    }
    assert plan["dryRun"] is False


def test_an_order_without_setup_assistance_requests_none():
    conf = demo_order()
    del conf["setupAssistance"]

    plan = prepare_order(conf)

    assert plan["setupAssistRequest"] is None
    assert plan["summary"]["setupAssistRequested"] is False


def test_dry_run_and_null_fields_are_not_part_of_the_order():
    conf = demo_order(dryRun=True, setupAssistance=None, onBehalfOfSubPartnerOrgId=None)

    assert "dryRun" not in order_from_conf(conf)
    assert "setupAssistance" not in order_from_conf(conf)
    plan = prepare_order(conf)
    assert plan["dryRun"] is True
    assert plan["setupAssistRequest"] is None


def test_a_sub_partner_order_names_its_sub_partner_once():
    plan = prepare_order(demo_order(onBehalfOfSubPartnerOrgId="sub-9"))

    assert plan["subPartnerOrgId"] == "sub-9"
    assert "onBehalfOfSubPartnerOrgId" not in plan["customerBody"]  # a query parameter, never a body field


@pytest.mark.parametrize("conf", [None, {}, {"dryRun": True}])
def test_an_empty_conf_is_refused_naming_the_missing_fields(conf):
    with pytest.raises(WebexInvalidInputError, match="provisioningId"):
        prepare_order(conf)


def test_a_bad_order_is_refused_with_every_problem_and_no_retry():
    from airflow.sdk.exceptions import AirflowFailException

    conf = demo_order()
    del conf["address"]
    conf["subscribers"][1]["email"] = "not-an-email"

    with pytest.raises(WebexInvalidInputError) as info:
        prepare_order(conf)

    assert isinstance(info.value, AirflowFailException)
    assert "address" in str(info.value)
    assert "subscribers[1].email" in str(info.value)


@pytest.mark.parametrize("bad", BAD, ids=[bad.id for bad in BAD])
def test_validate_order_refuses_a_value_webex_refuses_naming_its_field(bad):
    with pytest.raises(WebexInvalidInputError) as info:
        prepare_order(bad.order())

    assert f"  - {bad.path}: " in str(info.value)
    assert bad.reason in str(info.value)


def test_validate_order_lists_the_values_it_normalized_for_the_report():
    conf = Value(PHONE, "(408) 555-0102").order()
    conf["address"]["country"] = "us"

    plan = prepare_order(conf)

    assert plan["summary"]["normalized"] == [
        {"field": "address.country", "given": "us", "sent": "US"},
        {"field": PHONE, "given": "(408) 555-0102", "sent": "+14085550102"},
    ]
    assert plan["batches"][0]["subscribers"][0]["provisioningParameters"]["primaryPhoneNumber"] == "+14085550102"
