"""The TaskFlow bodies of the change DAG that are not API operations: read the order, split the plan into batches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webex_wholesale.lifecycle.params import REMOVE_UNLISTED_PARAM
from webex_wholesale.onboarding.batching import BATCH_SIZE, batch_slices
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


def plan_steps(plan: Mapping[str, Any]) -> dict[str, Any]:
    """What the customer steps take from an approved plan: the customer and both package sets."""
    from webex_wholesale.models.change_plan import ChangePlan

    parsed = ChangePlan.model_validate(plan)
    return {
        "customerId": parsed.customer_id,
        "packagesAfterAdditions": parsed.packages_after_additions,
        "packagesDesired": parsed.packages_desired,
    }


def change_batches(plan: Mapping[str, Any], *, batch_size: int = BATCH_SIZE) -> list[dict[str, Any]]:
    """The plan's subscriber changes, one ``expand_kwargs`` entry per batch of up to ``batch_size`` changes.

    Removals first, then moves, then creations, as the plan orders them; the batches share the connection's one
    API budget, as the onboarding's do.
    """
    from webex_wholesale.models.change_plan import ChangePlan

    parsed = ChangePlan.model_validate(plan)
    changes: list[tuple[str, Any]] = [
        *(("removals", r.model_dump(mode="json")) for r in parsed.subscribers_to_remove),
        *(("moves", m.model_dump(mode="json")) for m in parsed.subscribers_to_move),
        *(("creations", c) for c in parsed.subscribers_to_create),
    ]
    batches = []
    for part in batch_slices(len(changes), batch_size):
        batch: dict[str, Any] = {"removals": [], "moves": [], "creations": []}
        for kind, change in changes[part]:
            batch[kind].append(change)
        batch["batch_label"] = f"changes {part.start + 1}-{part.stop} of {len(changes)}"
        batches.append(batch)
    return batches
