"""The last step of every change and offboarding run: gather the plan, the decision and the changes; publish them.

A teardown, as the onboarding's report is, so it runs however the run went (a rejection skips every step after the
approval, but not this one).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import Context

from webex_wholesale.onboarding.report_base import ReportOperatorBase
from webex_wholesale.onboarding.steps import pull, upstream_instances
from webex_wholesale.operators.change_xcom import (
    CHANGES_XCOM_KEY,
    DECISION_XCOM_KEY,
    PLAN_XCOM_KEY,
    SUMMARY_XCOM_KEY,
)


class LifecycleReportOperator(ReportOperatorBase):
    """Build the report of a change or offboarding run from its XComs and task states, and record its outcome.

    :param kind: ``change`` or ``offboarding``.
    :param prepare_task_id: the task that returned ``externalId`` and ``dryRun`` (multiple outputs).
    :param plan_task_id: the task that pushed the plan (XCom ``plan``) and its summary (XCom ``summary``).
    :param approval_task_id: the approval task (it pushes the decision to XCom key ``decision``).
    """

    def __init__(
        self, *, kind: str, prepare_task_id: str, plan_task_id: str, approval_task_id: str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.prepare_task_id = prepare_task_id
        self.plan_task_id = plan_task_id
        self.approval_task_id = approval_task_id

    def execute(self, context: Context) -> dict[str, Any]:
        from webex_wholesale.lifecycle.run_state import record_lifecycle_outcome

        report = self.build(context)
        self.report_markdown = report.to_markdown()
        self.log.info("Report:\n%s", self.report_markdown)
        self.log.info("Recorded as %s in the wholesale state database", record_lifecycle_outcome(context, report))
        return report.model_dump(mode="json", by_alias=True)

    def build(self, context: Context) -> Any:
        from webex_wholesale.models.lifecycle_report import LifecycleReport

        ti = context["ti"]
        instances = upstream_instances(self, context)
        plan = pull(ti, self.plan_task_id, None, PLAN_XCOM_KEY)
        return LifecycleReport(
            run_id=ti.run_id,
            kind=self.kind,
            dry_run=bool(pull(ti, self.prepare_task_id, None, "dryRun")),
            external_id=pull(ti, self.prepare_task_id, None, "externalId"),
            customer_id=(plan or {}).get("customerId"),
            plan=plan,
            plan_summary=pull(ti, self.plan_task_id, None, SUMMARY_XCOM_KEY),
            approval=pull(ti, self.approval_task_id, None, DECISION_XCOM_KEY),
            changes=[
                change
                for task_id, map_index, _ in instances
                for change in (pull(ti, task_id, map_index, CHANGES_XCOM_KEY) or [])
            ],
            steps=self.steps(context, instances),
            started_at=context["dag_run"].start_date,
            finished_at=datetime.now(UTC),
        )
