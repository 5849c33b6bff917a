"""The DAG folder imports cleanly and the onboarding DAG keeps the shape the ops team relies on."""

from __future__ import annotations

from airflow.dag_processing.dagbag import DagBag
from dag_helpers import DAG_ID, ROOT


def test_dag_folder_has_no_import_errors(airflow_db):
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    assert DAG_ID in bag.dag_ids


#: The tags of each DAG in the folder (the queue DAG starts the onboarding runs); any other DAG: webex, wholesale.
TAGS = {
    DAG_ID: {"webex", "wholesale", "onboarding"},
    "webex_wholesale_queue": {"webex", "wholesale", "queue"},
    "webex_wholesale_change": {"webex", "wholesale", "lifecycle"},
    "webex_wholesale_offboarding": {"webex", "wholesale", "lifecycle"},
}
#: Tasks that must not retry: a report is written once, from whatever the steps left.
NO_RETRIES = {
    (DAG_ID, "onboarding_report"),
    ("webex_wholesale_change", "change_report"),
    ("webex_wholesale_offboarding", "offboarding_report"),
}


def test_every_dag_is_tagged_and_every_task_retries(airflow_db):
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert TAGS.keys() <= set(bag.dag_ids)
    for dag in bag.dags.values():
        assert TAGS.get(dag.dag_id, {"webex", "wholesale"}) <= set(dag.tags), f"{dag.dag_id} lacks a tag"
        for task in dag.tasks:
            if (dag.dag_id, task.task_id) not in NO_RETRIES:
                assert task.retries >= 1, f"{dag.dag_id}.{task.task_id} has no retries"
                assert task.retry_exponential_backoff, f"{dag.dag_id}.{task.task_id} does not back off"


def test_tasks_run_in_the_documented_order(onboarding_dag):
    upstream = {t.task_id: set(t.upstream_task_ids) for t in onboarding_dag.tasks}
    assert {"check_template", "stop_if_dry_run"} <= upstream["provision_customer"]
    assert "provision_customer" in upstream["provision_admin"]  # which waits for the customer itself
    assert onboarding_dag.get_task("provision_customer").wait_for_provisioning
    # The batches are the validation's return value (each subscriber kept once in XCom), after the admin.
    assert {"provision_admin", "validate_order"} <= upstream["provision_subscribers"]
    # Only the template check and the dry-run gate run between the order and the customer: nothing else competes.
    assert {t for t, up in upstream.items() if up == {"validate_order"}} == {"check_template", "stop_if_dry_run"}
    # Decided beside the customer's creation; the dry-run gate skips it directly.
    assert {"check_template", "stop_if_dry_run"} <= upstream["setup_assistance_requested"]
    assert {"provision_admin", "provision_subscribers"} <= upstream["request_setup_assistance"]
    assert onboarding_dag.get_task("onboarding_report").is_teardown


def test_fan_out_is_mapped_in_the_api_pool(onboarding_dag):
    fan_out = onboarding_dag.get_task("provision_subscribers")
    assert fan_out.partial_kwargs["pool"] == "webex_wholesale_api"
    assert onboarding_dag.get_task("provision_admin").pool == "webex_wholesale_api"


def test_trigger_form_mirrors_the_order(onboarding_dag):
    params = onboarding_dag.params
    for field in (
        "provisioningId",
        "packages",
        "externalId",
        "address",
        "customerInfo",
        "subscribers",
        "setupAssistance",
        "dryRun",
    ):
        assert field in params, field
    assert params["dryRun"] is False
    assert params["provisioningId"] is None  # the form starts empty: no demo value before one is loaded


def test_plugin_loader_does_not_execute_the_package_a_second_time():
    """Airflow's plugin loader imports every .py under plugins/ by bare file name; .airflowignore stops that."""
    import sys

    from airflow._shared.plugins_manager.plugins_manager import _load_plugins_from_plugin_directory

    _, import_errors = _load_plugins_from_plugin_directory(plugins_folder=str(ROOT / "plugins"))

    assert import_errors == {}
    assert not {"wholesale", "subscribers", "customer", "rate_limit", "order"} & set(sys.modules)


def test_the_run_ends_on_a_leaf_that_fails_when_any_step_failed(onboarding_dag):
    """Airflow derives the run's state from its leaves, ignoring teardowns; a skipped leaf must not hide a failure."""
    from airflow.sdk import TriggerRule

    leaves = {task.task_id for task in onboarding_dag.leaves if not task.is_teardown}
    succeeded = onboarding_dag.get_task("onboarding_succeeded")
    steps = set(onboarding_dag.task_ids) - {"onboarding_succeeded", "onboarding_report"}

    assert leaves == {"onboarding_succeeded"}
    assert succeeded.trigger_rule == TriggerRule.NONE_FAILED
    assert succeeded.get_flat_relative_ids(upstream=True) == steps  # every step, directly or not
    assert (
        not {"stop_if_dry_run", "setup_assistance_requested"} & succeeded.upstream_task_ids
    )  # they skip direct children
