"""Small pieces of the onboarding DAG that are not API operations: turning the run's params into a
validated order and a fan-out plan, and recording why a step failed so the report can say it."""

from __future__ import annotations

from typing import Any

from airflow.sdk import Context, Variable
from airflow.sdk.exceptions import AirflowFailException

from webex_wholesale.models import OrderValidationError, parse_order
from webex_wholesale.onboarding.batching import plan_batches
from webex_wholesale.onboarding.params import DRY_RUN_PARAM

#: XCom key under which ``record_failure`` keeps a failed step's reason for the report.
FAILURE_XCOM_KEY = "failure"
#: How many fan-out batches may run at once; keep it equal to the ``webex_wholesale_api`` pool's slots.
PARALLEL_BATCHES_VARIABLE = "webex_wholesale_parallel_batches"
DEFAULT_PARALLEL_BATCHES = 4


class InvalidOrderError(AirflowFailException):
    """The run's order breaks a rule; retrying cannot help, so Airflow fails the task at once."""


def prepare_order(params: dict[str, Any]) -> dict[str, Any]:
    """Validate the run's order; raises ``InvalidOrderError`` before any API call.

    Returns the normalised order, the dry-run flag and the admin (the first subscriber, provisioned alone).
    """
    conf = {k: v for k, v in params.items() if k != DRY_RUN_PARAM and v is not None}
    try:
        order = parse_order(conf)
    except OrderValidationError as err:
        raise InvalidOrderError(str(err)) from None
    normalised = order.to_conf()
    return {
        "order": normalised,
        "dryRun": bool(params.get(DRY_RUN_PARAM, False)),
        "admin": normalised["subscribers"][:1],
    }


def plan_fan_out(order: dict[str, Any], *, requests_per_second: float | None) -> list[dict[str, Any]]:
    """Batches of the subscribers after the admin, each with its share of the API request budget."""
    parallel = int(Variable.get(PARALLEL_BATCHES_VARIABLE, default=DEFAULT_PARALLEL_BATCHES))
    return plan_batches(order["subscribers"][1:], parallel_batches=parallel, requests_per_second=requests_per_second)


def record_failure(context: Context) -> None:
    """``on_failure_callback``: keep the failed step's reason (type and message, never a token) in XCom."""
    exception = context.get("exception")
    if exception is not None:
        context["ti"].xcom_push(key=FAILURE_XCOM_KEY, value=f"{type(exception).__name__}: {exception}")
