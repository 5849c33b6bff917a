"""Test DAG (own bundle, see test_wait_under_dag_test.py): three deferrable waits on customers named in the conf."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from webex_wholesale.operators import WebexWaitForCustomerOperator


def record_failure(context) -> None:
    """Keep the exception's type and message in XCom, where the test can read it."""
    exception = context["exception"]
    context["ti"].xcom_push(key="failure", value=f"{type(exception).__name__}: {exception}")


with DAG(
    "webex_wait_operator_test",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 0, "on_failure_callback": record_failure},
):
    for name in ("ok", "error", "on_hold"):
        WebexWaitForCustomerOperator(
            task_id=f"wait_{name}",
            customer_id=f"{{{{ dag_run.conf['{name}'] }}}}",
            poll_interval=0.1,
            worker_wait=0,  # defer after the first poll: this DAG tests the triggerer's wait
        )
