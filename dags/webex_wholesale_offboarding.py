"""Offboard a Webex Wholesale customer: plan what goes, wait for a person's approval, keep a snapshot, delete.

Conf: ``{"externalId": "...", "confirmExternalId": "..."}``; the two must match, or nothing happens.

1. **plan_offboarding** finds the customer and publishes what its deletion takes away (the customer, its packages,
   its subscribers counted by package): XCom ``plan`` (JSON) and ``summary`` (Markdown).
2. **approve_offboarding** always waits for a person (Airflow's ``ApprovalOperator``: Browse -> Required Actions, or
   the REST API); a rejection, or no answer within ``webex_wholesale_approval_timeout_seconds`` (default 3 days),
   deletes nothing and the outcome is ``rejected``.
3. **snapshot_customer** stores the customer and every subscriber in the state database (``wholesale_snapshot``).
4. **delete_customer** sends ``DELETE`` and waits (deferrable) until Webex no longer returns the customer.

The run's outcome, on its report and its order, is then ``offboarded``.
"""

from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import TriggerRule, dag, get_current_context, task

from webex_wholesale.ids import OFFBOARDING_DAG_ID
from webex_wholesale.lifecycle.approval import PlanApprovalOperator
from webex_wholesale.lifecycle.params import offboarding_params
from webex_wholesale.lifecycle.report_operator import LifecycleReportOperator
from webex_wholesale.onboarding.notify_outcome import RunOutcomeNotifier
from webex_wholesale.onboarding.tasks import LIFECYCLE_DAG_SETTINGS
from webex_wholesale.operators.offboarding import WebexDeleteCustomerOperator, WebexPlanOffboardingOperator


@dag(
    dag_id=OFFBOARDING_DAG_ID,
    params=offboarding_params(),
    tags=["webex", "wholesale", "lifecycle"],
    doc_md=__doc__,
    **LIFECYCLE_DAG_SETTINGS,
)
def webex_wholesale_offboarding() -> None:
    @task(multiple_outputs=True)
    def validate_offboarding() -> dict:
        """Read the customer to offboard from the conf, and record the run."""
        from webex_wholesale.lifecycle.run_state import offboarding_for_run

        context = get_current_context()
        return offboarding_for_run(context["dag_run"].conf or {}, context)

    @task
    def snapshot_customer(customer_id: str) -> str:
        """Keep what Webex holds for the customer in the state database before it is deleted."""
        from webex_wholesale.lifecycle.run_state import snapshot_customer as snapshot

        return snapshot(get_current_context(), customer_id)

    target = validate_offboarding()
    plan = WebexPlanOffboardingOperator(
        task_id="plan_offboarding",
        external_id=target["externalId"],
        confirm_external_id=target["confirmExternalId"],
    )
    approval = PlanApprovalOperator(
        task_id="approve_offboarding",
        plan_task_id="plan_offboarding",
        always=True,
        subject="Approve the deletion of a Wholesale customer",
    )
    snapshot = snapshot_customer("{{ ti.xcom_pull(task_ids='plan_offboarding', key='plan')['customerId'] }}")
    delete = WebexDeleteCustomerOperator(
        task_id="delete_customer", customer_id=snapshot, external_id=target["externalId"], poll_interval=5.0
    )
    report = LifecycleReportOperator(
        task_id="offboarding_report",
        kind="offboarding",
        prepare_task_id="validate_offboarding",
        plan_task_id="plan_offboarding",
        approval_task_id="approve_offboarding",
        retries=0,
        on_success_callback=RunOutcomeNotifier(),  # tells the configured channels (email, Webex space), if any
    )
    offboarded = EmptyOperator(task_id="customer_offboarded", trigger_rule=TriggerRule.NONE_FAILED)

    every_step = [target, plan, approval, snapshot, delete]
    target >> plan >> approval >> snapshot
    every_step >> report.as_teardown()
    [target, plan, snapshot, delete] >> offboarded


webex_wholesale_offboarding()
