"""The TaskFlow bodies of the onboarding DAG that are not API operations: the one validation gate, handing each
step its piece of the order, and recording why a step failed so the report can say it (the fan-out plan is
:mod:`~webex_wholesale.onboarding.batching`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from webex_wholesale.onboarding.batching import plan_batches
from webex_wholesale.onboarding.params import DRY_RUN_PARAM, is_dry_run
from webex_wholesale.operators.exceptions import WebexInvalidInputError
from webex_wholesale.operators.setup_assist import build_setup_assist_request

if TYPE_CHECKING:
    from webex_wholesale.models import Normalized, OnboardingOrder

#: XCom key under which ``record_failure`` keeps a failed step's reason for the report.
FAILURE_XCOM_KEY = "failure"
#: The piece of :func:`prepare_order` that is the fan-out's ``expand_kwargs``: the validation task's return value.
BATCHES_KEY = "batches"


def order_from_conf(conf: Mapping[str, Any] | None) -> dict[str, Any]:
    """The run's order: its ``dag_run.conf`` and nothing else, without ``dryRun`` and without ``null`` fields.

    Read from the conf, never from ``params``: Airflow fills every key a conf leaves out with the Param's
    default (the demo order), so an order without ``setupAssistance`` would get the demo customer's contact.
    The seam for orders kept elsewhere (a queue's ``{"orderId": N}``) is here.
    """
    return {key: value for key, value in (conf or {}).items() if key != DRY_RUN_PARAM and value is not None}


def prepare_order(conf: Mapping[str, Any] | None) -> dict[str, Any]:
    """The one validation gate: parse the run's order once and hand each step what it sends.

    Raises :class:`~webex_wholesale.operators.exceptions.WebexInvalidInputError` (no retry) naming every bad
    field before any API call. The returned pieces are XCom-safe JSON: ``precheckBody``, ``customerBody``,
    ``externalId``, ``subPartnerOrgId`` (``None`` to act as the partner), ``admin`` (a one-subscriber list),
    ``batches`` (the other subscribers, as the fan-out's ``expand_kwargs``), ``setupAssistRequest`` (the request
    without the customer's ids, or ``None`` when not requested), ``summary`` (what the report names, with the values
    validation normalized) and ``dryRun``.
    """
    from webex_wholesale.models import (  # pydantic: when the task runs, not at parse
        OrderValidationError,
        normalized_values,
        parse_order,
    )

    given = order_from_conf(conf)
    try:
        order = parse_order(given)
    except OrderValidationError as err:
        raise WebexInvalidInputError(str(err)) from None
    plan = split_order(order, normalized_values(given, order))
    return {**plan, DRY_RUN_PARAM: is_dry_run(conf)}


def split_order(order: OnboardingOrder, normalized: Sequence[Normalized] = ()) -> dict[str, Any]:
    """The pieces of a valid order each step sends (see :func:`prepare_order`); typed until this XCom edge.

    ``normalized`` lists the values validation changed from how the order wrote them; the report shows them.
    """
    return {
        "precheckBody": order.precheck_body(),
        "customerBody": order.customer_body(),
        "externalId": order.external_id,
        "subPartnerOrgId": order.on_behalf_of_sub_partner_org_id,
        "admin": [order.admin.model_dump(mode="json", exclude_none=True)],
        BATCHES_KEY: plan_batches([s.model_dump(mode="json", exclude_none=True) for s in order.other_subscribers]),
        "setupAssistRequest": build_setup_assist_request(order) if order.setup_assistance else None,
        "summary": {
            "externalId": order.external_id,
            "customerName": order.customer_info.name if order.customer_info else None,
            "provisioningId": order.provisioning_id,
            "subscribers": len(order.subscribers),
            "setupAssistRequested": order.setup_assistance is not None,
            "normalized": list(normalized),
        },
    }


def publish_order(ti: Any, plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Push each piece of the order under its own XCom key, but the fan-out's batches; return those.

    Not ``multiple_outputs``: it pushes the whole dict as ``return_value`` besides the keys, a second copy of
    every subscriber. And the batches must be the return value: Airflow expands a mapped task only over one.
    A piece without a value (no sub-partner, no Setup Assist) is pushed as ``""``: Airflow reads a stored
    ``None`` as no XCom at all, and a consumer's ``XComArg`` fails on it; every consumer takes ``""`` as none.
    """
    for key, value in plan.items():
        if key != BATCHES_KEY:
            ti.xcom_push(key=key, value="" if value is None else value)
    return list(plan[BATCHES_KEY])


def record_failure(context: Context) -> None:
    """``on_failure_callback``: keep the failed step's reason (type and message, never a token) in XCom."""
    exception = context.get("exception")
    if exception is not None:
        context["ti"].xcom_push(key=FAILURE_XCOM_KEY, value=f"{type(exception).__name__}: {exception}")


#: What the onboarding, change and offboarding DAGs share: triggered on demand (never scheduled or caught up), up
#: to 8 runs at once, and steps retried with backoff unless they fail for good; a failure is recorded for the report.
LIFECYCLE_DAG_SETTINGS: dict[str, Any] = {
    "schedule": None,
    "start_date": datetime(2026, 1, 1),
    "catchup": False,
    "max_active_runs": 8,
    "default_args": {
        "owner": "wholesale-ops",
        "retries": 3,
        "retry_delay": timedelta(seconds=10),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=5),
        "on_failure_callback": record_failure,
    },
}
