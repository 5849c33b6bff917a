"""The DAG's trigger form: one Param per top-level order field, plus ``dryRun``.

The JSON schemas come from the order models (``order_param_schemas``), so the form, the CLI's ``--conf``, the
REST API and the models agree on every rule the schema can express; the models then check the rest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from airflow.sdk import Param

from webex_wholesale.models import order_param_schemas

DRY_RUN_PARAM = "dryRun"


def load_order_file(path: Path) -> dict[str, Any]:
    """Read an example order (JSON); the DAG uses the demo order as the form's defaults."""
    return json.loads(path.read_text(encoding="utf-8"))


def onboarding_params(defaults: dict[str, Any]) -> dict[str, Param]:
    """Build the form: every order field with its schema, defaulting to ``defaults`` (the demo order)."""
    params = {name: Param(defaults.get(name), **schema) for name, schema in order_param_schemas().items()}
    params[DRY_RUN_PARAM] = Param(
        False,
        type="boolean",
        title="Dry run",
        description="Validate the order and precheck it with Webex, then stop before creating anything.",
    )
    return params
