"""Orders are checked as Webex checks them: each value of the shared table refused with its field, reason and
suggestion, by the models and, where a schema can say it, by the trigger form; edge values accepted as Webex
spells them, with every change listed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from helpers.order_values import (
    BAD,
    COUNTRY,
    GOOD,
    LANGUAGE,
    LOCATION_COUNTRY,
    LOCATION_LANGUAGE,
    LOCATION_ZONE,
    MEETINGS_ZONE,
    PHONE,
    Value,
)
from pydantic import BaseModel, ValidationError
from test_models_param_schemas import schema_errors

from webex_wholesale.models import (
    Address,
    CallingLocation,
    CustomerInfo,
    MeetingsParameters,
    OrderValidationError,
    SubscriberOrder,
    normalized_values,
    parse_order,
)
from webex_wholesale.models._types import ORDER_REGION
from webex_wholesale.models.errors import format_path

#: The smallest model holding each field, and where that model sits in the order.
OWNERS: dict[str, tuple[type[BaseModel], str]] = {
    COUNTRY: (Address, "address"),
    LOCATION_COUNTRY: (CallingLocation, "provisioningParameters.calling.location"),
    LANGUAGE: (CustomerInfo, "customerInfo"),
    LOCATION_LANGUAGE: (CallingLocation, "provisioningParameters.calling.location"),
    LOCATION_ZONE: (CallingLocation, "provisioningParameters.calling.location"),
    MEETINGS_ZONE: (MeetingsParameters, "provisioningParameters.meetings"),
    PHONE: (SubscriberOrder, "subscribers[1]"),
}


def ids(values: list[Value]) -> list[str]:
    return [value.id for value in values]


def get_path(order: dict[str, Any], path: str) -> Any:
    node: Any = order
    for key in re.findall(r"[^.\[\]]+", path):
        node = node[int(key)] if key.isdigit() else node[key]
    return node


def assert_refusal(reason: str, bad: Value) -> None:
    assert bad.reason in reason
    if bad.suggestion:
        assert reason.endswith(f"did you mean {bad.suggestion}?")
    else:
        assert "did you mean" not in reason


def test_the_table_covers_at_least_40_bad_values_in_every_checked_field():
    assert len(BAD) >= 40
    assert {bad.path for bad in BAD} == set(OWNERS)


@pytest.mark.parametrize("bad", BAD, ids=ids(BAD))
def test_the_order_refuses_a_bad_value_naming_its_field(bad):
    with pytest.raises(OrderValidationError) as raised:
        parse_order(bad.order())

    ((path, reason),) = raised.value.problems
    assert path == bad.path
    assert_refusal(reason, bad)


@pytest.mark.parametrize("bad", BAD, ids=ids(BAD))
def test_the_model_holding_the_field_refuses_it_alone(bad):
    """The rule is on the field's type: the smallest model holding it refuses it without the rest of the order."""
    model, where = OWNERS[bad.path]
    order = bad.order()

    with pytest.raises(ValidationError) as raised:
        model.model_validate(get_path(order, where), context={ORDER_REGION: order["address"]["country"]})

    (error,) = raised.value.errors()
    assert f"{where}.{format_path(error['loc'])}".replace(".[", "[") == bad.path
    assert_refusal(error["msg"], bad)


@pytest.mark.parametrize("bad", BAD, ids=ids(BAD))
def test_the_form_refuses_what_a_schema_can_say(bad):
    """Countries and time zones are exact lists in the form; locales and phone numbers only their shape."""
    top = bad.path.split(".")[0].split("[")[0]

    assert (top in schema_errors(bad.order())) is bad.form


@pytest.mark.parametrize("good", GOOD, ids=ids(GOOD))
def test_an_edge_value_is_accepted_and_sent_as_webex_spells_it(good):
    given = good.order()

    order = parse_order(given)

    assert get_path(order.to_conf(), good.path) == good.sent
    changed = [{"field": good.path, "given": good.value, "sent": good.sent}] if good.value != good.sent else []
    assert normalized_values(given, order) == changed
    assert schema_errors(given) == {}


def test_a_number_without_plus_is_refused_when_the_order_has_no_country_to_read_it_in():
    order = Value(PHONE, "4085550102", also={COUNTRY: "XX"}).order()

    with pytest.raises(OrderValidationError) as raised:
        parse_order(order)

    assert [path for path, _ in raised.value.problems] == [COUNTRY, PHONE]
    assert "has no '+' country code, and the order's address.country is not valid" in raised.value.problems[1][1]
