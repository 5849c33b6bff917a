"""The TaskFlow body of the change DAG that is not an API operation: read the order as a desired state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webex_wholesale.lifecycle.params import REMOVE_UNLISTED_PARAM
from webex_wholesale.onboarding.params import DRY_RUN_PARAM
from webex_wholesale.operators.exceptions import WebexInvalidInputError

#: The conf keys of a change that are not part of the order.
CHANGE_OPTIONS = (DRY_RUN_PARAM, REMOVE_UNLISTED_PARAM)


def prepare_change(conf: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the run's order as a desired state; hand the plan step the order and its options.

    Raises :class:`~webex_wholesale.operators.exceptions.WebexInvalidInputError` (no retry) naming every bad field.
    Returns XCom-safe JSON: ``order``, ``removeUnlisted``, ``dryRun``, ``externalId``, ``subPartnerOrgId`` and
    ``provisioningParameters`` (the customer's, which a package addition may need).
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
        "dryRun": bool(conf.get(DRY_RUN_PARAM, False)),
        "externalId": order.external_id,
        "subPartnerOrgId": order.on_behalf_of_sub_partner_org_id,
        "provisioningParameters": as_conf.get("provisioningParameters"),
    }
