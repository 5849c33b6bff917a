"""The trigger form's Params: built from the shipped schema file, which is what the models generate; package
fields offer only the allowed values; and a refusal, as Airflow words it, names the field in words.

Refusals are checked through Airflow's own validation on both sides: the SDK's ``ParamsDict`` (``airflow dags
test``, ``dag.test(conf=...)``) and the API server's ``SerializedParamsDict`` of the serialized DAG (what
``POST /api/v2/dags/{dag_id}/dagRuns`` and the trigger form go through, answering 400 with this text).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest
from airflow.exceptions import ParamValidationError as ServerParamValidationError
from airflow.sdk import DAG
from airflow.sdk.definitions.param import ParamsDict
from airflow.sdk.exceptions import ParamValidationError
from airflow.serialization.serialized_objects import DagSerialization
from helpers import DEMO_ORDER
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

from webex_wholesale.models import CUSTOMER_PACKAGES, SUBSCRIBER_PACKAGES
from webex_wholesale.onboarding.params import (
    DRY_RUN_PARAM,
    PARAM_SCHEMAS_FILE,
    SCHEMA_DIALECT,
    SharedDict,
    load_param_schemas,
    onboarding_params,
    render_param_schemas,
)


def test_shipped_schemas_are_what_the_models_generate():
    """Fails after a model change until ``python -m webex_wholesale.onboarding.params`` is run."""
    assert PARAM_SCHEMAS_FILE.read_text(encoding="utf-8") == render_param_schemas()


def test_one_param_per_order_field_plus_dry_run_with_its_title_and_description():
    params = onboarding_params()

    assert list(params) == [*load_param_schemas(), DRY_RUN_PARAM]
    for name, param in params.items():
        assert param.schema["title"], name
        assert param.description, name
        assert "default" not in param.schema, name


def test_every_schema_is_read_as_draft_7_and_uses_only_its_keywords():
    """Airflow checks each schema against its dialect's metaschema in every task: draft 7's check is the cheap one.
    The dialect must not change what the form accepts: each schema is a valid draft 7 schema, and draft 7 and the
    default dialect (2020-12) agree on the demo order and on a refused value."""
    default_dialect = validator_for({})
    for name, param in onboarding_params().items():
        assert param.schema["$schema"] == SCHEMA_DIALECT, name
        assert validator_for(param.schema) is Draft7Validator, name
        Draft7Validator.check_schema(param.schema)
        plain = {key: value for key, value in param.schema.items() if key != "$schema"}
        for value in (param.value, {"not": "this field"}, 7):
            assert Draft7Validator(param.schema).is_valid(value) == default_dialect(plain).is_valid(value), name


def test_customer_packages_render_as_a_multi_select_of_the_allowed_values():
    """Airflow 3.3's form (FieldSelector) shows a multi-select for an array whose schema has a top-level
    ``examples`` (or ``enum``) list, offering exactly those values; ``items.enum`` still refuses others."""
    schema = onboarding_params()["packages"].schema

    assert [kind for kind in schema["type"] if kind != "null"] == ["array"]  # the form picks by the non-null type
    assert schema["examples"] == list(CUSTOMER_PACKAGES)
    assert schema["items"]["enum"] == list(CUSTOMER_PACKAGES)
    assert "enum" not in schema  # a top-level enum would list allowed *arrays*, refusing every real order


def test_subscriber_packages_are_limited_to_the_allowed_values():
    """Subscribers are edited as JSON (array of objects); their package is still a closed list."""
    subscriber = onboarding_params()["subscribers"].schema["items"]

    assert subscriber["properties"]["packages"]["items"]["enum"] == list(SUBSCRIBER_PACKAGES)


def test_the_form_starts_empty_but_for_the_api_defaults():
    """No value of the demo order (or of any order) is in the form before someone types or loads one."""
    params = onboarding_params()

    assert {name: param.value for name, param in params.items()} == {
        **dict.fromkeys(load_param_schemas()),
        DRY_RUN_PARAM: False,
    }


def test_an_empty_field_keeps_its_own_type_beside_null():
    """Empty is allowed (``validate_order`` names a missing required field); a value of the wrong kind is not."""
    shipped = load_param_schemas()
    params = onboarding_params()

    assert params["externalId"].schema["type"] == [shipped["externalId"]["type"], "null"]
    assert params["orgId"].schema["type"] == shipped["orgId"]["type"]  # already nullable: unchanged
    for name, param in params.items():
        assert Draft7Validator(param.schema).is_valid(None) == (name != DRY_RUN_PARAM), name
    assert not Draft7Validator(params["subscribers"].schema).is_valid("not a list")


def test_schemas_are_shared_read_only_not_copied_into_each_task():
    """Airflow deep-copies the DAG's params into every task; the schemas survive that as the same objects, and
    since every task shares them, they refuse changes (a task changing one must not change another task's)."""
    params = ParamsDict(onboarding_params())

    copied = copy.deepcopy(params)

    for name in load_param_schemas():
        assert type(params.get_param(name).schema) is SharedDict, name
        assert copied.get_param(name).schema is params.get_param(name).schema, name
    address = copied.get_param("address").schema
    with pytest.raises(TypeError, match="shared by every task"):
        address["properties"]["city"]["minLength"] = 0
    with pytest.raises(TypeError, match="shared by every task"):
        address["required"].append("addressLine2")
    assert params.get_param("address").schema["properties"]["city"]["minLength"] == 1


def _bad_email(order: dict[str, Any]) -> None:
    order["subscribers"][1]["email"] = "john.anderson"


def _bad_country(order: dict[str, Any]) -> None:
    order["address"]["country"] = "usa"


def _no_first_name(order: dict[str, Any]) -> None:
    del order["subscribers"][1]["provisioningParameters"]["firstName"]


def _unknown_subscriber_package(order: dict[str, Any]) -> None:
    order["subscribers"][1]["packages"] = ["webex_teleport"]


def _bad_contact_email(order: dict[str, Any]) -> None:
    order["setupAssistance"]["contactEmail"] = "dana"


# (how the order is broken, the field it breaks, the words the refusal must show)
REFUSALS = {
    "subscriber email": (_bad_email, "subscribers", "'title': 'Email'"),
    "address country": (_bad_country, "address", "'title': 'Country'"),
    "missing first name": (_no_first_name, "subscribers", "'title': 'First name'"),
    "unknown subscriber package": (_unknown_subscriber_package, "subscribers", "'title': 'One of the packages'"),
    "setup assist contact email": (_bad_contact_email, "setupAssistance", "'title': 'Contact email'"),
}


def sdk_validate(dag: DAG, conf: dict[str, Any]) -> dict[str, Any]:
    """Validate ``conf`` as the SDK does for ``dag.test(conf=...)`` and ``airflow dags test --conf``."""
    params = copy.deepcopy(dag.params)
    params.update(conf)
    return params.validate()


@pytest.fixture(scope="module")
def form_dag() -> DAG:
    return DAG("form_refusals", schedule=None, start_date=datetime(2026, 1, 1), params=onboarding_params())


@pytest.mark.parametrize(("break_order", "field", "words"), REFUSALS.values(), ids=REFUSALS.keys())
def test_sdk_refusal_names_the_field_in_words(form_dag, break_order, field, words):
    order = copy.deepcopy(DEMO_ORDER)
    break_order(order)

    with pytest.raises(ParamValidationError) as refusal:
        sdk_validate(form_dag, order)

    message = str(refusal.value)
    assert message.startswith(f"Invalid input for param {field}: ")
    assert words in message


@pytest.mark.parametrize(("break_order", "field", "words"), REFUSALS.values(), ids=REFUSALS.keys())
def test_api_server_refusal_names_the_field_in_words(form_dag, break_order, field, words):
    order = copy.deepcopy(DEMO_ORDER)
    break_order(order)
    served = DagSerialization.from_dict(DagSerialization.to_dict(form_dag))

    with pytest.raises(ServerParamValidationError) as refusal:
        served.params.deep_merge(order).validate()  # SerializedDAG.create_dagrun does exactly this

    message = str(refusal.value)
    assert message.startswith(f"Invalid input for param {field}: ")
    assert words in message


def test_the_demo_order_passes_both_validations(form_dag):
    served = DagSerialization.from_dict(DagSerialization.to_dict(form_dag))

    assert served.params.deep_merge(DEMO_ORDER).validate()["subscribers"] == DEMO_ORDER["subscribers"]
    assert sdk_validate(form_dag, DEMO_ORDER)["packages"] == DEMO_ORDER["packages"]


@pytest.mark.parametrize("conf", [{"orderId": 3}, {}], ids=["queued order", "empty form"])
def test_a_conf_without_order_fields_passes_both_validations(form_dag, conf):
    """A queued run's conf names its order only, and Airflow fills the other fields from the form: empty."""
    served = DagSerialization.from_dict(DagSerialization.to_dict(form_dag))

    assert served.params.deep_merge(conf).validate()["externalId"] is None
    assert sdk_validate(form_dag, conf)["subscribers"] is None
