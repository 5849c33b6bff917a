"""Check the health of every onboarded customer on a schedule, keep what is found, and tell people what changed.

Webex sends no webhooks for wholesale resources, so this DAG reads them. Each run:

1. **check_health**: for every customer the state database knows as onboarded (and, with the Variable
   ``webex_wholesale_health_every_customer`` set to true, every customer of the partner): its status
   (``error``, ``provisioned_with_errors`` with the package errors, ``pending_rpl_review``), its subscribers waiting
   for consent longer than ``webex_wholesale_health_consent_hours`` (default 24), and its drift from the last order
   applied (subscribers missing, not in the order, on another package; customer packages that differ); and every
   lifecycle run still running ``webex_wholesale_health_stuck_run_hours`` (default 4) after it started. Reads go
   through the connection's shared API budget; a customer that cannot be read is a finding. Findings are kept in
   the state database: one that persists is one finding with an age.
2. **notify_findings**: one message per finding opened or resolved, by email (connection
   ``webex_wholesale_notify_smtp``) and to a Webex space (``webex_wholesale_notify_webex``), each when its
   connection exists. A message that cannot be delivered is logged; it never fails the run.

Schedule: hourly, or the cron expression in the environment variable ``WEBEX_WHOLESALE_HEALTH_SCHEDULE`` of the
scheduler/DAG processor (``none`` for trigger-only). ``wholesale-queue health`` and the Wholesale page's Health view
show the open findings.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, get_current_context, task

from webex_wholesale.ids import HEALTH_DAG_ID
from webex_wholesale.schedules import scheduled_dag_settings

DEFAULT_SCHEDULE = "@hourly"


@dag(
    dag_id=HEALTH_DAG_ID,
    **scheduled_dag_settings("WEBEX_WHOLESALE_HEALTH_SCHEDULE", DEFAULT_SCHEDULE),
    default_args={
        "owner": "wholesale-ops",
        "retries": 2,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": 2.0,
    },
    tags=["webex", "wholesale", "health"],
    doc_md=__doc__,
)
def webex_wholesale_health() -> None:
    @task
    def check_health() -> dict:
        """Read every watched customer and unfinished run; store the findings; return the check's figures."""
        from webex_wholesale.health.run import HealthSettings
        from webex_wholesale.health.run import check_health as check
        from webex_wholesale.state.store import open_state

        summary = check(open_state(), HealthSettings.from_variables(), dag_run_id=get_current_context()["run_id"])
        print(
            f"checked {summary['customers']} customers with {summary['requests']} requests "
            f"({summary['requestsPerCustomer']} per customer): {summary['opened']} new findings, "
            f"{summary['persisting']} persisting, {summary['resolved']} resolved"
        )
        return summary

    @task
    def notify_findings(_checked: dict) -> dict:
        """One message per finding opened or resolved, on each configured channel; never fails on delivery."""
        from webex_wholesale.health.run import notify_findings as notify
        from webex_wholesale.state.store import open_state

        return notify(open_state())

    notify_findings(check_health())


webex_wholesale_health()
