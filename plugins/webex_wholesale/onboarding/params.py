"""The DAG's trigger form: one Param per top-level order field, plus ``dryRun``.

The form starts empty: a field holds a value only where the API itself has a default (``dryRun`` is false). It
used to open filled with the demo order, and an order for another customer that did not clear every field sent
the demo customer's Setup Assist contact. An example is loaded on purpose, from a file
(``include/orders/demo-order.json``, pasted into the form's "Advanced Options" configuration), never by default.
Every order field therefore also accepts ``null`` here: an empty field, and a queued run's conf
``{"orderId": N}``, pass Airflow's check, and ``validate_order`` names each required field that is missing.

The JSON schemas come from the order models (``order_param_schemas``), so the form, the CLI's ``--conf``, the
REST API and the models agree on every rule the schema can express; the models then check the rest. Building
them means importing pydantic and the models and walking their schema, about 60 ms on every parse of the DAG
file, so they are generated once into ``param_schemas.json`` next to this module and the DAG reads that file.
A test checks that the file is what the models give today; after changing a model, regenerate it with

    python -m webex_wholesale.onboarding.params

Airflow deep-copies the DAG's params into every task it builds (``BaseOperator`` defaults, once per class in an
operator's ``__init__`` chain: 37 copies for this DAG), which cost more than everything else in the file. The
schemas are only read, never changed, so each Param holds its schema read-only (``shared``), and it deep-copies
as itself. A run never reads the Params either: its order is its conf.

Airflow also validates every Param against its schema at the start of every task, and jsonschema first checks
each schema against its dialect's metaschema. The schemas declare JSON Schema draft 7 (``SCHEMA_DIALECT``): they
use only keywords draft 7 and the default dialect (2020-12) read alike, and draft 7's metaschema check is about
3x faster (12 ms a task for the whole form here, against 41 ms).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airflow.sdk import Param

DRY_RUN_PARAM = "dryRun"
PARAM_SCHEMAS_FILE = Path(__file__).with_name("param_schemas.json")
#: The form's only values before anyone types: the defaults the API itself has (an order field has none).
API_DEFAULTS: dict[str, Any] = {DRY_RUN_PARAM: False}
#: The JSON Schema dialect every Param of the form declares (see the module's docstring).
SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"


def is_dry_run(conf: Mapping[str, Any] | None) -> bool:
    """Whether a run's conf asks for the plan only (onboarding, change): ``dryRun`` true; absent is false."""
    return bool((conf or {}).get(DRY_RUN_PARAM, False))


def _refuse_change(self: Any, *args: Any, **kwargs: Any) -> None:
    raise TypeError("the form's schemas are shared by every task: copy one to change it")


class SharedDict(dict):
    """A JSON object every task of the DAG shares: read-only, so ``copy.deepcopy`` can return it as is. Still a
    ``dict`` to jsonschema and to Airflow's DAG serialization.
    """

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse_change

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedDict:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return SharedDict, (dict(self),)


class SharedList(list):
    """A JSON array every task of the DAG shares: read-only, so ``copy.deepcopy`` can return it as is."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse_change
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse_change

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedList:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return SharedList, (list(self),)


def shared(value: Any) -> Any:
    """``value`` made read-only all the way down (:class:`SharedDict`, :class:`SharedList`); strings, numbers,
    booleans and ``None`` as they are (``deepcopy`` does not copy them either)."""
    if isinstance(value, dict):
        return SharedDict((key, shared(item)) for key, item in value.items())
    if isinstance(value, list):
        return SharedList(shared(item) for item in value)
    return value


def load_param_schemas(path: Path = PARAM_SCHEMAS_FILE) -> dict[str, dict[str, Any]]:
    """The shipped schemas, one per top-level order field, in the order the form shows them."""
    return json.loads(path.read_text(encoding="utf-8"))


def render_param_schemas() -> str:
    """The text ``param_schemas.json`` must hold: the models' schemas as indented JSON, field order kept."""
    from webex_wholesale.models import order_param_schemas  # pydantic: only when (re)generating, never at parse

    return json.dumps(order_param_schemas(), indent=2, ensure_ascii=False) + "\n"


def may_be_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` accepting ``null`` as well: the value of a field left empty (see the module's docstring)."""
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return schema if "null" in kinds else {**schema, "type": [*kinds, "null"]}


def onboarding_params() -> dict[str, Param]:
    """Build the form: every order field with its schema, empty; ``dryRun`` with the API's default (false)."""
    fields = {name: may_be_empty(schema) for name, schema in load_param_schemas().items()}
    schemas = {
        **fields,
        DRY_RUN_PARAM: {
            "type": "boolean",
            "title": "Dry run",
            "description": "Validate the order and precheck it with Webex, then stop before creating anything.",
        },
    }
    return {
        name: Param(
            API_DEFAULTS.get(name),
            description=schema.pop("description", None),
            schema=shared({"$schema": SCHEMA_DIALECT, **schema}),
        )
        for name, schema in schemas.items()
    }


if __name__ == "__main__":
    PARAM_SCHEMAS_FILE.write_text(render_param_schemas(), encoding="utf-8")
    print(f"wrote {PARAM_SCHEMAS_FILE}")
