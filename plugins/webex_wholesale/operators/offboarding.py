"""Offboard a customer: plan what its deletion takes away, then delete it and wait until Webex no longer has it.

The steps of ``webex_wholesale_offboarding`` that call Webex; the approval and the snapshot in the state database
sit between them in the DAG.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from airflow.sdk import Context

from webex_wholesale.exceptions import WebexApiError
from webex_wholesale.operators._base import WebexWholesaleBaseOperator
from webex_wholesale.operators.change import publish_changes, publish_plan
from webex_wholesale.operators.customer import CustomerWaitBaseOperator
from webex_wholesale.operators.exceptions import WebexPlanRefusedError


class WebexPlanOffboardingOperator(WebexWholesaleBaseOperator):
    """Check the confirmation, find the customer, and publish what deleting it takes away.

    ``confirm_external_id`` must repeat ``external_id`` exactly: a destructive run names its customer twice. The
    plan (``OffboardingPlan`` JSON) goes to XCom key ``plan`` and its Markdown to key ``summary``.

    :param external_id: the customer's externalId (templated).
    :param confirm_external_id: the same externalId again (templated).
    """

    template_fields: Sequence[str] = (
        "external_id",
        "confirm_external_id",
        "webex_wholesale_conn_id",
        "on_behalf_of_sub_partner_org_id",
    )
    ui_color = "#fdf1c7"

    def __init__(self, *, external_id: Any, confirm_external_id: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.external_id = external_id
        self.confirm_external_id = confirm_external_id

    def execute(self, context: Context) -> None:
        from webex_wholesale.models.offboarding_plan import plan_offboarding

        if not isinstance(self.external_id, str) or not self.external_id:
            raise WebexPlanRefusedError(f"externalId must name the customer to offboard, got {self.external_id!r}")
        if self.confirm_external_id != self.external_id:
            raise WebexPlanRefusedError(
                f"confirmExternalId {self.confirm_external_id!r} does not repeat externalId {self.external_id!r}: "
                "nothing was deleted"
            )
        hook = self.hook
        try:
            customer = hook.find_customer_by_external_id(self.external_id)
            if customer is None:
                raise WebexPlanRefusedError(f"No customer has externalId {self.external_id!r}: nothing to offboard")
            held = hook.list_subscribers(customer_id=customer.id)
        finally:
            hook.close()
        plan = plan_offboarding(customer, held)
        summary = plan.summary_markdown()
        self.log.info("Offboarding plan:\n%s", summary)
        publish_plan(context, plan, summary)


class WebexDeleteCustomerOperator(CustomerWaitBaseOperator):
    """``DELETE`` the customer (202), then wait (deferrable) until Webex no longer returns it.

    A customer already gone (a re-run) counts as deleted. The deletion is pushed to XCom key ``changes``.

    :param customer_id: the Wholesale customer id (templated).
    :param external_id: the customer's externalId (templated; names the change in the audit).
    :return: ``{"id", "status": "gone"}``.
    """

    template_fields: Sequence[str] = (
        "customer_id",
        "external_id",
        "webex_wholesale_conn_id",
        "on_behalf_of_sub_partner_org_id",
    )
    ui_color = "#f7d4cf"
    until_gone = True

    def __init__(self, *, customer_id: Any, external_id: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.customer_id = customer_id
        self.external_id = external_id

    def execute(self, context: Context) -> dict[str, Any]:
        from webex_wholesale.models.change_outcome import ChangeAction, ChangeOutcome

        customer_id = self.for_customer(self.customer_id)
        change = ChangeOutcome(
            action=ChangeAction.DELETE_CUSTOMER, subject=self.external_id, before=customer_id, done=True
        )
        hook = self.hook
        try:
            hook.delete_customer(customer_id)
        except WebexApiError as e:
            if e.status_code != HTTPStatus.NOT_FOUND:
                raise
            change.message = "already gone"
        finally:
            hook.close()
        publish_changes(self, context, [change])
        return self.wait(context, customer_id)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> dict[str, Any]:
        """Resume after a deferred wait: the customer is gone."""
        return self.end_wait(context, event, self.customer_id)
