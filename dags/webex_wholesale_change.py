"""Change an existing Webex Wholesale customer to what an order says: plan, approve, apply.

The conf is an order in the onboarding's format, read as the customer's *desired state*, plus ``removeUnlisted``
(default ``false``: subscribers Webex holds that the order does not list are left alone; ``true``: they are
removed) and ``dryRun`` (plan only). The customer must exist (found by ``externalId``): an unknown one is refused
with "onboard it first".

1. **plan_change** reads the order from the conf (an invalid one fails here, naming every bad field; a customer
   another run is working on is refused, naming that run), reads what Webex holds (the customer and every
   subscriber) and publishes the plan (XCom ``plan`` as JSON, ``summary`` as Markdown): customer packages to add
   and remove, subscribers to remove, move, create, and how many stay as they are. A plan Webex cannot mean (a
   move onto calling without a number, a package removed that staying users hold) is refused, with the reasons,
   and nothing is applied. A dry run ends there: the plan skips every step after it.
2. **approve_plan** waits for a person (Airflow's human-in-the-loop ``ApprovalOperator``: Browse -> Required
   Actions, or the REST API) when the plan removes anything, or always when the Variable
   ``webex_wholesale_change_approval_always`` is ``true``. No answer within ``webex_wholesale_approval_timeout_seconds``
   (default 3 days) is a rejection. A rejected plan applies nothing; the run's outcome is ``rejected``. A plan that
   goes ahead skips the customer-package steps it gives nothing to do.
3. Apply: **add_customer_packages** (PUT, then a deferrable wait until ``updating`` ends), **apply_subscriber_changes**
   (removals, moves, creations, in batches sharing the connection's API budget), **remove_customer_packages**.

Every change is an audit record with its before and after. Re-running re-plans and applies only what is left; the
same change run twice changes nothing the second time. The run's report is on its **Wholesale report** tab and in
the ``change_report`` task's XCom.
"""

from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import TriggerRule, XComArg, dag

from webex_wholesale.ids import API_POOL, CHANGE_DAG_ID
from webex_wholesale.lifecycle.approval import PlanApprovalOperator
from webex_wholesale.lifecycle.params import change_params
from webex_wholesale.lifecycle.plan import ChangePlanOperator
from webex_wholesale.lifecycle.report_operator import LifecycleReportOperator
from webex_wholesale.models.change_outcome import ChangeAction
from webex_wholesale.onboarding.notify_outcome import RunOutcomeNotifier
from webex_wholesale.onboarding.tasks import LIFECYCLE_DAG_SETTINGS
from webex_wholesale.operators.change import (
    WebexApplySubscriberChangesOperator,
    WebexUpdateCustomerPackagesOperator,
)
from webex_wholesale.operators.change_xcom import (
    CUSTOMER_ID_XCOM_KEY,
    PACKAGES_AFTER_ADDITIONS_XCOM_KEY,
    PACKAGES_DESIRED_XCOM_KEY,
    PROVISIONING_PARAMETERS_XCOM_KEY,
    SUB_PARTNER_XCOM_KEY,
)


@dag(
    dag_id=CHANGE_DAG_ID,
    params=change_params(),
    tags=["webex", "wholesale", "lifecycle"],
    doc_md=__doc__,
    **LIFECYCLE_DAG_SETTINGS,
)
def webex_wholesale_change() -> None:
    plan = ChangePlanOperator(task_id="plan_change")
    sub_partner = XComArg(plan, key=SUB_PARTNER_XCOM_KEY)
    approval = PlanApprovalOperator(
        task_id="approve_plan",
        plan_task_id="plan_change",
        skip_idle_steps=True,
        subject="Approve the change of a Wholesale customer",
    )
    customer_id = XComArg(plan, key=CUSTOMER_ID_XCOM_KEY)
    add_packages = WebexUpdateCustomerPackagesOperator(
        task_id="add_customer_packages",
        customer_id=customer_id,
        packages=XComArg(plan, key=PACKAGES_AFTER_ADDITIONS_XCOM_KEY),
        provisioning_parameters=XComArg(plan, key=PROVISIONING_PARAMETERS_XCOM_KEY),
        action=ChangeAction.ADD_CUSTOMER_PACKAGES.value,
        on_behalf_of_sub_partner_org_id=sub_partner,
        poll_interval=5.0,
    )
    subscribers = WebexApplySubscriberChangesOperator.partial(
        task_id="apply_subscriber_changes",
        customer_id=customer_id,
        pool=API_POOL,
        on_behalf_of_sub_partner_org_id=sub_partner,
        map_index_template="{{ task.batch_label }}",
        trigger_rule=TriggerRule.NONE_FAILED,  # also when the approval skipped the additions: none to make
    ).expand_kwargs(plan.output)
    remove_packages = WebexUpdateCustomerPackagesOperator(
        task_id="remove_customer_packages",
        customer_id=customer_id,
        packages=XComArg(plan, key=PACKAGES_DESIRED_XCOM_KEY),
        action=ChangeAction.REMOVE_CUSTOMER_PACKAGES.value,
        on_behalf_of_sub_partner_org_id=sub_partner,
        poll_interval=5.0,
    )
    report = LifecycleReportOperator(
        task_id="change_report",
        kind="change",
        prepare_task_id="plan_change",
        plan_task_id="plan_change",
        approval_task_id="approve_plan",
        retries=0,
        on_success_callback=RunOutcomeNotifier(),  # tells the configured channels (email, Webex space), if any
    )
    # The run fails whenever a step failed (teardowns are left out of a run's state); a rejection skips every
    # step after the approval, this one too, so a rejected run succeeds: a person decided, nothing broke.
    applied = EmptyOperator(task_id="change_applied", trigger_rule=TriggerRule.NONE_FAILED)

    every_step = [plan, approval, add_packages, subscribers, remove_packages]
    plan >> approval >> add_packages >> subscribers >> remove_packages
    every_step >> report.as_teardown()
    [step for step in every_step if step is not approval] >> applied


webex_wholesale_change()
