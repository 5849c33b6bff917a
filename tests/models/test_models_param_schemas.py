"""The trigger form's schemas agree with the models: good orders pass both, bad ones fail both.

Airflow validates each ``Param`` with jsonschema and a ``FormatChecker``; the tests do the same, field by field,
with ``None`` for an absent field, as the form sends a Param's null default.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from webex_wholesale.models import (
    CUSTOMER_PACKAGES,
    OnboardingOrder,
    OrderValidationError,
    order_param_schemas,
    parse_order,
)
from webex_wholesale.models._jsonschema import field_words

EXAMPLES = ["full_order", "minimal_order", "attach_order"]


def schema_errors(order: dict[str, Any]) -> dict[str, list[str]]:
    """Per top-level field, what the Param schemas reject in ``order``."""
    errors = {}
    for name, schema in order_param_schemas().items():
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        messages = [error.message for error in validator.iter_errors(order.get(name))]
        if messages:
            errors[name] = messages
    return errors


def test_one_schema_per_top_level_field():
    schemas = order_param_schemas()

    assert list(schemas) == [field.alias for field in OnboardingOrder.model_fields.values()]
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        assert schema["title"], name
        assert schema["description"], name
        assert "default" not in schema, f"{name}: would clash with Param(default, ...)"


def _properties(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every property schema below ``node``, with its dotted path."""
    found = []
    if isinstance(node, dict):
        for name, child in node.get("properties", {}).items():
            found.append((f"{path}.{name}", child))
        for key, child in node.items():
            found.extend(_properties(child, f"{path}.{key}" if key != "properties" else path))
    return found


def test_every_nested_field_is_titled_in_words_first():
    """jsonschema prints the failing schema in key order, and that print is how a refusal names the field."""
    nested = [found for name, schema in order_param_schemas().items() for found in _properties(schema, name)]

    assert "subscribers.items.provisioningParameters.firstName" in dict(nested)
    for path, child in nested:
        assert next(iter(child)) == "title", path
        assert child["title"] == field_words(path.rsplit(".", 1)[-1]), path


def test_developer_text_is_dropped():
    """Class names and class docstrings are not operator text; pydantic's nested ``default: null`` is noise."""
    text = json.dumps(order_param_schemas())

    assert "SubscriberOrder" not in text
    assert "(API ``Address``)" not in text
    assert '"default"' not in text


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("addressLine1", "Address line 1"),
        ("zipOrPostalCode", "Zip or postal code"),
        ("locationId", "Location ID"),
        ("email", "Email"),
    ],
)
def test_field_words(name, words):
    assert field_words(name) == words


def test_schemas_are_self_contained_json():
    text = json.dumps(order_param_schemas())

    assert "$ref" not in text
    assert "$defs" not in text
    assert "anyOf" not in text  # nullable fields use type: [..., "null"], which the form renders


def test_optional_fields_accept_null_and_required_ones_do_not():
    schemas = order_param_schemas()
    nullable = {name for name, schema in schemas.items() if "null" in schema["type"]}

    assert nullable == {
        "orgId",
        "customerInfo",
        "provisioningParameters",
        "subPartnerAdminEmail",
        "setupAssistance",
        "onBehalfOfSubPartnerOrgId",
    }


def test_subscribers_are_bounded():
    schema = order_param_schemas()["subscribers"]

    assert (schema["minItems"], schema["maxItems"]) == (1, 20_000)


def test_packages_list_the_spec_enum():
    schema = order_param_schemas()["packages"]

    assert schema["uniqueItems"] is True
    assert schema["items"]["enum"] == list(CUSTOMER_PACKAGES)
    assert schema["examples"] == list(CUSTOMER_PACKAGES)  # what the trigger form offers


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_orders_pass_both(request, name):
    order = request.getfixturevalue(name)

    assert schema_errors(order) == {}
    parse_order(order)


def _parent(order: dict[str, Any], path: str) -> tuple[Any, str]:
    """The container holding the last segment of a dotted path (digits index lists), and that segment."""
    *parents, leaf = path.split(".")
    target: Any = order
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    return target, leaf


def _drop(path: str):
    def mutate(order):
        target, leaf = _parent(order, path)
        del target[leaf]

    return mutate


def _set(path: str, value: Any):
    def mutate(order):
        target, leaf = _parent(order, path)
        target[leaf] = value

    return mutate


BAD_FOR_BOTH = {
    "missing provisioningId": _drop("provisioningId"),
    "unknown package": _set("packages", ["webex_calling", "webex_teleport"]),
    "duplicate package": _set("packages", ["webex_calling", "webex_calling"]),
    "addressLine1 over 50": _set("address.addressLine1", "x" * 51),
    "three-letter country": _set("address.country", "usa"),
    "percent in name": _set("customerInfo.name", "100% Pizza"),
    "bad language": _set("customerInfo.language", "english"),
    "bad email": _set("customerInfo.primaryEmail", "john.anderson"),
    "unknown address key": _set("address.floor", "3"),
    "two packages for a user": _set("subscribers.2.packages", ["webex_meetings", "webex_calling"]),
    "bad extension": _set("subscribers.1.provisioningParameters.extension", "x1"),
    "no subscribers": _set("subscribers", []),
    "uncappable limit": _set("provisioningParameters.packages.limits", {"cisco_calling_plan": 1}),
    "long notes": _set("setupAssistance.notes", "n" * 2001),
}


@pytest.mark.parametrize("mutate", BAD_FOR_BOTH.values(), ids=BAD_FOR_BOTH.keys())
def test_bad_orders_fail_both(full_order, mutate):
    mutate(full_order)

    assert schema_errors(full_order)
    with pytest.raises(OrderValidationError):
        parse_order(full_order)


def test_cross_field_rules_are_only_in_the_models(full_order):
    """What a per-field schema cannot see (here: a duplicate email) is still caught before any API call."""
    full_order["subscribers"][2]["email"] = "MARIA.LOPEZ@example.com"

    assert schema_errors(full_order) == {}
    with pytest.raises(OrderValidationError):
        parse_order(full_order)
