"""Onboard one Webex Wholesale customer: check the template, provision the customer and wait for it, provision the
administrator alone, then the other subscribers in parallel batches sharing one API budget, request Setup Assist
when the order asks for it, and always finish with the onboarding report.

Trigger it from the form, from ``airflow dags trigger webex_wholesale_onboarding --conf "$(cat order.json)"`` or
from the REST API. The form starts empty (only **Dry run** has a value, the API's default): fill in the order, or
load the example on purpose by pasting `include/orders/demo-order.json` (the demo customer, for the simulator)
into **Advanced Options → Configuration JSON**.
Every step is idempotent: re-running an order, or clearing any task, adopts what already exists.

The run's report: the **Wholesale report** tab of this DAG run (failures first, every subscriber's outcome, the
audit records with Webex tracking ids), and the **Wholesale** page in the navigation bar for all orders and
runs. The `onboarding_report` task's **Storage → XCom** (`return_value`) holds the same report as JSON (for more
than 200 subscribers: counts and failures, the full table being in the state database). A failed run, or one
needing attention, is told by email and to a Webex space when their connections exist (docs/operating.md).
"""

from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import TriggerRule, chain, dag, get_current_context, task
from airflow.sdk.bases.xcom import BaseXCom

from webex_wholesale.ids import API_POOL, ONBOARDING_DAG_ID
from webex_wholesale.onboarding.notify_outcome import RunOutcomeNotifier
from webex_wholesale.onboarding.params import onboarding_params
from webex_wholesale.onboarding.report_operator import OnboardingReportOperator
from webex_wholesale.onboarding.tasks import LIFECYCLE_DAG_SETTINGS, prepare_order, publish_order
from webex_wholesale.operators import (
    WebexCheckTemplateOperator,
    WebexProvisionCustomerOperator,
    WebexProvisionSubscribersOperator,
    WebexSetupAssistanceOperator,
)


@dag(
    dag_id=ONBOARDING_DAG_ID,
    params=onboarding_params(),
    tags=["webex", "wholesale", "onboarding"],
    doc_md=__doc__,
    **LIFECYCLE_DAG_SETTINGS,
)
def webex_wholesale_onboarding() -> None:
    @task
    def validate_order() -> list[dict]:
        """Reject a bad order before any API call, naming each field and reason; hand each step what it sends.

        The order is the run's conf (inline), or the queued order the conf names (``{"orderId": N}``), never
        ``params``: Airflow fills keys a conf leaves out with the form's defaults. Each piece is its own XCom key;
        the return value is the subscribers after the admin, split into the fan-out's batches (all take from the
        connection's one API budget). Every subscriber is thus kept once in XCom.
        """
        from webex_wholesale.onboarding.run_state import order_for_run  # the state database: when the task runs

        context = get_current_context()
        return publish_order(context["ti"], prepare_order(order_for_run(context["dag_run"].conf or {}, context)))

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def stop_if_dry_run(dry_run: bool) -> bool:
        """A dry run ends here: checks done, nothing created."""
        return not dry_run

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def setup_assistance_requested(request: dict | str) -> bool:
        """Skip the Setup Assist step without starting it when the order does not ask for it (``""``)."""
        return bool(request)

    plan = validate_order()
    sub_partner = plan["subPartnerOrgId"]
    check = WebexCheckTemplateOperator(
        task_id="check_template", precheck_body=plan["precheckBody"], on_behalf_of_sub_partner_org_id=sub_partner
    )
    gate = stop_if_dry_run(plan["dryRun"])
    customer = WebexProvisionCustomerOperator(
        task_id="provision_customer",
        customer_body=plan["customerBody"],
        on_behalf_of_sub_partner_org_id=sub_partner,
        wait_for_provisioning=True,
        poll_interval=5.0,
    )
    customer_id = customer.output["customerId"]
    adopted = customer.output["adopted"]  # a customer this run created holds none of the order's users yet
    admin = WebexProvisionSubscribersOperator(
        task_id="provision_admin",
        customer_id=customer_id,
        subscribers=plan["admin"],
        is_admin_batch=True,
        customer_adopted=adopted,
        on_behalf_of_sub_partner_org_id=sub_partner,
        batch_label="administrator",
        pool=API_POOL,
    )
    others = WebexProvisionSubscribersOperator.partial(
        task_id="provision_subscribers",
        customer_id=customer_id,
        customer_adopted=adopted,
        pool=API_POOL,
        on_behalf_of_sub_partner_org_id=sub_partner,
        map_index_template="{{ task.batch_label }}",
    ).expand_kwargs(plan)
    setup_assist = WebexSetupAssistanceOperator(
        task_id="request_setup_assistance",
        request=plan["setupAssistRequest"],
        customer=customer.output["customer"],
        trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
    )
    steps = [plan, check, gate, customer, admin, others, setup_assist]
    report = OnboardingReportOperator(
        task_id="onboarding_report",
        prepare_task_id="validate_order",
        customer_ref_task_id="provision_customer",
        customer_task_id="provision_customer",
        # What each subscriber task sent: the admin piece, and the batches the validation returned.
        subscriber_tasks={"provision_admin": "admin", "provision_subscribers": BaseXCom.XCOM_RETURN_KEY},
        setup_assist_task_id="request_setup_assistance",
        retries=0,
        on_success_callback=RunOutcomeNotifier(),  # tells the configured channels (email, Webex space), if any
    )
    # Airflow derives a run's state from its leaves and ignores teardowns, and a skipped Setup Assist is a
    # leaf too: this leaf makes the run fail whenever a step failed, whatever else was skipped. No short
    # circuit is directly upstream of it, as a short circuit skips its direct downstream tasks.
    succeeded = EmptyOperator(task_id="onboarding_succeeded", trigger_rule=TriggerRule.NONE_FAILED)

    chain([check, gate], customer, admin, others)
    # Every step before the fan-out is on the run's critical path, and a task beside one takes CPU from it: the
    # Setup Assist gate is decided beside the customer's creation (which mostly sleeps between polls while Webex
    # provisions it), not beside the template check.
    asked = setup_assistance_requested(plan["setupAssistRequest"])
    [check, gate] >> asked
    # Either short circuit skips Setup Assist directly: in a dry run, or when the order does not ask for it.
    [gate, asked, admin, others] >> setup_assist
    steps >> report.as_teardown()
    [step for step in steps if step is not gate] >> succeeded


webex_wholesale_onboarding()
