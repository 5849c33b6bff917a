"""Change an existing customer to what an order says: plan against Webex, update its packages, change its users.

The steps of ``webex_wholesale_change``, each idempotent: the plan is computed afresh from what Webex holds
(:func:`~webex_wholesale.models.change_plan.plan_change`), so a re-run after a partial failure finds only what is
left, and a change applied twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from webex_wholesale.operators._base import WebexWholesaleBaseOperator
from webex_wholesale.operators.change_xcom import (
    CHANGES_XCOM_KEY,
    CUSTOMER_ID_XCOM_KEY,
    PACKAGES_AFTER_ADDITIONS_XCOM_KEY,
    PACKAGES_DESIRED_XCOM_KEY,
    PLAN_XCOM_KEY,
    SUMMARY_XCOM_KEY,
)
from webex_wholesale.operators.customer import CustomerWaitBaseOperator
from webex_wholesale.operators.exceptions import (
    WebexChangesFailedError,
    WebexChangesRefusedError,
    WebexPlanRefusedError,
)
from webex_wholesale.operators.subscriber_xcom import BUDGET_XCOM_KEY

if TYPE_CHECKING:
    from webex_wholesale.models.change_outcome import ChangeOutcome

#: Failed changes named in a batch's failure message; the rest are counted.
MAX_FAILURES_IN_MESSAGE = 20


def publish_plan(context: Context, plan: Any, summary: str) -> None:
    """Push the plan to XCom (JSON and Markdown) and keep its summary on the run, where the pages show it."""
    from webex_wholesale.state.runs import record_plan  # the state database, only when the task runs
    from webex_wholesale.state.store import open_state

    context["ti"].xcom_push(key=PLAN_XCOM_KEY, value=plan.model_dump(mode="json"))
    context["ti"].xcom_push(key=SUMMARY_XCOM_KEY, value=summary)
    record_plan(open_state(), context["ti"].run_id, summary)


def publish_changes(operator: WebexWholesaleBaseOperator, context: Context, outcomes: Sequence[ChangeOutcome]) -> None:
    """Push a step's change records to XCom (the report reads them) and write them to the audit trail."""
    context["ti"].xcom_push(key=CHANGES_XCOM_KEY, value=[o.model_dump(mode="json") for o in outcomes])
    if operator.audit is not None:
        operator.audit.record_changes(outcomes)


class WebexPlanChangeOperator(WebexWholesaleBaseOperator):
    """Read what Webex holds for the order's customer and publish the plan that makes it what the order says.

    The customer is found by ``externalId``; an unknown one is refused ("onboard it first"). Every subscriber is
    read (all pages). The plan (``ChangePlan`` JSON) goes to XCom key ``plan`` and its Markdown summary to key
    ``summary``, also when the plan is refused; a refused plan then fails the step, naming each reason.

    What the apply steps take from it is published here too, so no step of its own stands between the plan and
    its application: keys ``customerId``, ``packagesAfterAdditions`` and ``packagesDesired``, and as the return
    value the subscriber changes in batches (``ChangePlan.batches``, one ``expand_kwargs`` entry each).

    :param order: the order (``OnboardingOrder`` JSON, validated upstream as a desired state; templated).
    :param remove_unlisted: remove the users Webex holds that the order does not list (templated).
    """

    template_fields: Sequence[str] = (
        "order",
        "remove_unlisted",
        "webex_wholesale_conn_id",
        "on_behalf_of_sub_partner_org_id",
    )
    order_data_fields: Sequence[str] = ("order",)
    ui_color = "#fdf1c7"

    def __init__(self, *, order: Any, remove_unlisted: Any = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.order = order
        self.remove_unlisted = remove_unlisted

    def execute(self, context: Context) -> list[dict[str, Any]]:
        return self.plan(context, self.order, remove_unlisted=bool(self.remove_unlisted))

    def plan(self, context: Context, order_json: Any, *, remove_unlisted: bool) -> list[dict[str, Any]]:
        """Plan ``order_json`` against Webex, publish the plan, and return its batches (see the class)."""
        from webex_wholesale.models import parse_order
        from webex_wholesale.models.change_plan import plan_change

        order = parse_order(order_json, desired_state=True)
        hook = self.hook
        try:
            customer = hook.find_customer_by_external_id(order.external_id)
            if customer is None:
                raise WebexPlanRefusedError(
                    f"No customer has externalId {order.external_id!r}: onboard it first "
                    "(DAG webex_wholesale_onboarding); a change only changes an existing customer."
                )
            held = hook.list_subscribers(customer_id=customer.id)
        finally:
            hook.close()
        planned = plan_change(order, customer, held, remove_unlisted=remove_unlisted)
        summary = planned.summary_markdown()
        self.log.info("Change plan for %s:\n%s", order.external_id, summary)
        publish_plan(context, planned, summary)
        if planned.refused:
            reasons = "; ".join(f"{r.subject}: {r.reason}" for r in planned.refusals)
            raise WebexPlanRefusedError(f"The change plan is refused, nothing was applied: {reasons}")
        ti = context["ti"]
        ti.xcom_push(key=CUSTOMER_ID_XCOM_KEY, value=planned.customer_id)
        ti.xcom_push(key=PACKAGES_AFTER_ADDITIONS_XCOM_KEY, value=planned.packages_after_additions)
        ti.xcom_push(key=PACKAGES_DESIRED_XCOM_KEY, value=planned.packages_desired)
        return planned.batches()


class WebexUpdateCustomerPackagesOperator(CustomerWaitBaseOperator):
    """Give the customer exactly ``packages`` (``PUT``, 202), then wait until its ``updating`` ends.

    Webex's PUT takes the complete set: a package left out is removed. The change DAG runs this twice: first with
    the additions (what it holds plus the new packages), last with the desired set (the removals), once the users
    who held a removed package are gone, and skips either when the plan leaves it idle (``ChangePlan.idle_steps``).
    When the customer already holds ``packages`` nothing is sent (a re-run), and nothing is waited for either unless
    an earlier update is still under way.
    The change is pushed to XCom key ``changes`` (before and after) before the wait; the wait is the base's
    (deferrable, its ``timeout``, ``poll_interval``, outcomes).

    :param customer_id: the Wholesale customer id (templated).
    :param packages: the complete package set to give it (templated).
    :param action: ``add_customer_packages`` or ``remove_customer_packages`` (names the change in the audit).
    :param provisioning_parameters: the order's customer ``provisioningParameters`` (templated; Webex needs the
        calling location when a calling package is added).
    :return: the customer once the update is over.
    """

    template_fields: Sequence[str] = (
        "customer_id",
        "packages",
        "provisioning_parameters",
        "webex_wholesale_conn_id",
        "on_behalf_of_sub_partner_org_id",
    )
    order_data_fields: Sequence[str] = ("packages", "provisioning_parameters")
    ui_color = "#cfe6f7"

    def __init__(
        self,
        *,
        customer_id: Any,
        packages: Any,
        action: str,
        provisioning_parameters: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.customer_id = customer_id
        self.packages = packages
        self.action = action
        self.provisioning_parameters = provisioning_parameters

    def execute(self, context: Context) -> dict[str, Any]:
        from webex_wholesale.models.change_outcome import ChangeAction, ChangeOutcome

        customer_id = self.for_customer(self.customer_id)
        wanted = list(self.packages)
        unchanged = None  # the customer as read, when nothing is sent to it
        hook = self.hook
        try:
            customer = hook.get_customer(customer_id)
            change = ChangeOutcome(
                action=ChangeAction(self.action),
                subject=customer.external_id or customer_id,
                before=list(customer.packages),
                after=wanted,
                done=True,
            )
            if set(customer.packages) == set(wanted):
                change.message = "already held"
                self.log.info("Customer %s already holds %s: nothing to send", customer_id, wanted)
                unchanged = customer  # waited for only while an earlier run's update is still under way
            else:
                body: dict[str, Any] = {"packages": wanted}
                if self.provisioning_parameters:
                    body["provisioningParameters"] = dict(self.provisioning_parameters)
                hook.update_customer(customer_id, body)
                self.log.info("Customer %s packages %s -> %s: update accepted", customer_id, customer.packages, wanted)
        finally:
            hook.close()
        publish_changes(self, context, [change])
        return self.wait(context, customer_id, last_read=unchanged)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> dict[str, Any]:
        """Resume after a deferred wait: the customer as the update left it."""
        return self.end_wait(context, event, self.customer_id)


class WebexApplySubscriberChangesOperator(WebexWholesaleBaseOperator):
    """Apply one batch of a plan's subscriber changes: removals, then moves, then creations.

    Every change is a record in XCom key ``changes`` (before, after, HTTP status, trackingId), pushed also when
    some failed; then the step fails (retryably) naming them. A retry, or a re-run of the DAG (which re-plans),
    applies only what is left: a removed user is gone, a moved one holds its new package, a created one is found.

    :param customer_id: the Wholesale customer id (templated).
    :param removals: ``PlannedRemoval`` JSON (templated).
    :param moves: ``PlannedMove`` JSON (templated).
    :param creations: ``SubscriberOrder`` JSON (templated).
    :param batch_label: names the batch in logs (templated).
    :param max_concurrency: requests in flight at most; ``None`` sizes them from the API budget.
    """

    template_fields: Sequence[str] = (
        "customer_id",
        "removals",
        "moves",
        "creations",
        "batch_label",
        "webex_wholesale_conn_id",
        "on_behalf_of_sub_partner_org_id",
    )
    order_data_fields: Sequence[str] = ("removals", "moves", "creations")
    ui_color = "#a9d3f0"
    audit_buffered = True

    def __init__(
        self,
        *,
        customer_id: Any,
        removals: Any = (),
        moves: Any = (),
        creations: Any = (),
        batch_label: str | None = None,
        max_concurrency: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.customer_id = customer_id
        self.removals = removals
        self.moves = moves
        self.creations = creations
        self.batch_label = batch_label
        self.max_concurrency = max_concurrency

    def execute(self, context: Context) -> None:
        from webex_wholesale.models.change_plan import PlannedMove, PlannedRemoval
        from webex_wholesale.operators.subscriber_batch import parse_subscribers
        from webex_wholesale.operators.subscriber_changes import SubscriberChanges

        customer_id = self.for_customer(self.customer_id)
        label = self.batch_label or self.task_id
        outcomes: list[ChangeOutcome] = []
        try:
            changes = SubscriberChanges(self.hook, label, self.max_concurrency, self.log)
            outcomes = changes.apply(
                customer_id,
                [PlannedRemoval.model_validate(r) for r in self.removals or ()],
                [PlannedMove.model_validate(m) for m in self.moves or ()],
                parse_subscribers(self.creations),
            )
        finally:
            publish_changes(self, context, outcomes)
            budget = self.hook.budget_stats()
            if budget is not None:
                self.log.info("Batch %s API budget: %s", label, budget.describe())
                context["ti"].xcom_push(key=BUDGET_XCOM_KEY, value=budget.summary())
            if self.audit is not None:
                self.audit.close()
        raise_if_changes_failed(outcomes, label)


def raise_if_changes_failed(outcomes: Sequence[ChangeOutcome], label: str) -> None:
    """Fail the step when a change failed: retryably when one failure may pass (no answer, 423, 429, 5xx), at once
    when Webex refused them all (a retry would be refused again; fix the order, then run the change again)."""
    failed = [o for o in outcomes if not o.done]
    if not failed:
        return
    transient = [o for o in failed if o.is_transient]
    lines = [f"  - {o.action.value} {o.subject}: {o.message} (http {o.http_status})" for o in failed]
    more = len(failed) - MAX_FAILURES_IN_MESSAGE
    header = f"{len(failed)} of {len(outcomes)} changes failed in batch {label}" + (
        f" ({len(transient)} transiently: a retry applies what is left)" if transient else " (all refused by Webex)"
    )
    message = "\n".join(
        [f"{header}:"]
        + lines[:MAX_FAILURES_IN_MESSAGE]
        + ([f"  ... and {more} more (all in XCom '{CHANGES_XCOM_KEY}')"] if more > 0 else [])
    )
    raise (WebexChangesFailedError if transient else WebexChangesRefusedError)(message)
