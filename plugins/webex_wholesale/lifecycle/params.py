"""The trigger forms of the change and offboarding DAGs, and the conf keys they add to an order."""

from __future__ import annotations

from airflow.sdk import Param

from webex_wholesale.onboarding.params import onboarding_params

#: Change conf: remove the users Webex holds that the order does not list (default: leave them alone).
REMOVE_UNLISTED_PARAM = "removeUnlisted"
#: Offboarding conf: the customer to delete, and the same externalId again to confirm it.
EXTERNAL_ID_PARAM = "externalId"
CONFIRM_EXTERNAL_ID_PARAM = "confirmExternalId"


def change_params() -> dict[str, Param]:
    """The onboarding form (every order field, empty; ``dryRun``: plan only) plus ``removeUnlisted``."""
    return {
        **onboarding_params(),
        REMOVE_UNLISTED_PARAM: Param(
            False,
            type="boolean",
            title="Remove unlisted subscribers",
            description="Remove the subscribers Webex holds that the order does not list (a person approves first).",
        ),
    }


def offboarding_params() -> dict[str, Param]:
    """Two fields, with no default: a deletion names its customer twice, by hand."""
    return {
        EXTERNAL_ID_PARAM: Param(
            None, type=["null", "string"], title="External ID", description="The customer to delete."
        ),
        CONFIRM_EXTERNAL_ID_PARAM: Param(
            None,
            type=["null", "string"],
            title="Confirm external ID",
            description="The same externalId again: nothing is deleted unless the two match.",
        ),
    }
