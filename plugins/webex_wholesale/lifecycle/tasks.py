"""The part of the change DAG that is not an API operation: read the order and its options from the run's conf."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webex_wholesale.lifecycle.params import EXTERNAL_ID_PARAM, REMOVE_UNLISTED_PARAM
from webex_wholesale.onboarding.params import DRY_RUN_PARAM, is_dry_run
from webex_wholesale.operators.change_xcom import PROVISIONING_PARAMETERS_XCOM_KEY, SUB_PARTNER_XCOM_KEY
from webex_wholesale.operators.exceptions import WebexInvalidInputError

#: The conf keys of a change that are not part of the order.
CHANGE_OPTIONS = (DRY_RUN_PARAM, REMOVE_UNLISTED_PARAM)
#: What the plan step pushes from :func:`prepare_change` for the later steps and the report, one XCom key each.
CHANGE_RUN_XCOM_KEYS = (EXTERNAL_ID_PARAM, DRY_RUN_PARAM, SUB_PARTNER_XCOM_KEY, PROVISIONING_PARAMETERS_XCOM_KEY)


def prepare_change(conf: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the run's order as a desired state; hand the plan step the order and its options.

    Raises :class:`~webex_wholesale.operators.exceptions.WebexInvalidInputError` (no retry) naming every bad field.
    Returns XCom-safe JSON: ``order``, ``removeUnlisted``, ``dryRun``, ``externalId``, ``subPartnerOrgId`` (empty
    when the order is the partner's own) and ``provisioningParameters`` (the customer's, which a package addition
    may need; empty when the order has none).
    """
    from webex_wholesale.models import OrderValidationError, parse_order  # pydantic: when the task runs

    conf = dict(conf or {})
    data = {key: value for key, value in conf.items() if key not in CHANGE_OPTIONS and value is not None}
    try:
        order = parse_order(data, desired_state=True)
    except OrderValidationError as err:
        raise WebexInvalidInputError(str(err)) from None
    as_conf = order.to_conf()
    return {
        "order": as_conf,
        "removeUnlisted": bool(conf.get(REMOVE_UNLISTED_PARAM, False)),
        DRY_RUN_PARAM: is_dry_run(conf),
        EXTERNAL_ID_PARAM: order.external_id,
        # Empty rather than None: Airflow reads an XCom holding None as one never pushed.
        SUB_PARTNER_XCOM_KEY: order.on_behalf_of_sub_partner_org_id or "",
        PROVISIONING_PARAMETERS_XCOM_KEY: as_conf.get("provisioningParameters") or {},
    }
