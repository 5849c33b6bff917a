"""The last step of every onboarding run: gather what each step did and publish the report.

It runs as a teardown, so it runs whatever happened upstream. Airflow leaves teardowns out when deciding the
run's state, so the DAG ends on a separate leaf that fails whenever a step failed. The report goes to the task
log, to XCom (``return_value``) and to the task's rendered-template view in the UI (``report_markdown``, re-sent
after execution).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context, TaskInstanceState

from webex_wholesale.onboarding.report_base import ReportOperatorBase
from webex_wholesale.onboarding.steps import pull, upstream_instances
from webex_wholesale.operators.batch_outcomes import join_outcomes
from webex_wholesale.operators.customer import CUSTOMER_REF_XCOM_KEY, CUSTOMER_XCOM_KEY
from webex_wholesale.operators.subscriber_xcom import BUDGET_XCOM_KEY, OUTCOMES_XCOM_KEY

if TYPE_CHECKING:
    from webex_wholesale.models.report import OnboardingReport


class OnboardingReportOperator(ReportOperatorBase):
    """Build the onboarding report from the run's XComs and task states.

    :param prepare_task_id: task that returned ``summary`` and ``dryRun`` (multiple outputs).
    :param customer_ref_task_id: task that pushed ``{customerId, adopted, ...}`` as XCom ``customer_ref``.
    :param customer_task_id: task that pushed the customer its wait saw last as XCom ``customer`` (the same task
        when the provision step waits itself).
    :param subscriber_tasks: the tasks (mapped or not) that pushed subscriber outcomes under ``outcomes``, each
        with the XCom key of ``prepare_task_id`` holding what it sent: the subscriber list of a task, the
        ``expand_kwargs`` entries (each with its ``subscribers``) of a mapped one. The outcomes carry no emails
        (the subscribers are kept once in XCom); the report joins them with these. The first task's first
        subscriber is the order's administrator.
    :param setup_assist_task_id: task that returned ``{reference, delivery, request}``.

    The report covers the tasks upstream of it, each with its state and, when it failed, the reason.
    """

    def __init__(
        self,
        *,
        prepare_task_id: str,
        customer_ref_task_id: str,
        customer_task_id: str,
        subscriber_tasks: Mapping[str, str],
        setup_assist_task_id: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.prepare_task_id = prepare_task_id
        self.customer_ref_task_id = customer_ref_task_id
        self.customer_task_id = customer_task_id
        self.subscriber_tasks = subscriber_tasks
        self.setup_assist_task_id = setup_assist_task_id

    def execute(self, context: Context) -> dict[str, Any]:
        # pydantic and the state database: imported when the task runs, not at every parse of the DAG file
        from webex_wholesale.onboarding.report import summary_line, to_markdown
        from webex_wholesale.onboarding.run_state import record_outcome

        report = self.build(context)
        self.report_markdown = to_markdown(report)
        self.log.info("%s", summary_line(report))
        self.log.info("Onboarding report:\n%s", self.report_markdown)
        took_order = any(
            step.task_id == self.prepare_task_id and step.state == TaskInstanceState.SUCCESS for step in report.steps
        )
        outcome = record_outcome(context, report, took_order=took_order)
        self.log.info("Recorded as %s in the wholesale state database", outcome)
        return _for_xcom(report.model_dump(mode="json", by_alias=True))

    def build(self, context: Context) -> OnboardingReport:
        from webex_wholesale.onboarding.report import build_report

        ti = context["ti"]
        instances = upstream_instances(self, context)
        steps = self.steps(context, instances)
        pieces = self.subscriber_tasks.items()
        sent = {task_id: self._pull(ti, self.prepare_task_id, None, key) or [] for task_id, key in pieces}
        outcomes = [
            outcome
            for task_id, map_index, _ in instances
            if task_id in self.subscriber_tasks
            for outcome in join_outcomes(
                sent[task_id] if map_index is None else sent[task_id][map_index]["subscribers"],
                self._pull(ti, task_id, map_index, OUTCOMES_XCOM_KEY),
            )
        ]
        budget = [
            figures
            for task_id, map_index, _ in instances
            if task_id in self.subscriber_tasks
            for figures in [self._pull(ti, task_id, map_index, BUDGET_XCOM_KEY)]
            if figures
        ]
        dag_run = context["dag_run"]
        return build_report(
            run_id=ti.run_id,
            dry_run=bool(self._pull(ti, self.prepare_task_id, None, "dryRun")),
            summary={**(self._pull(ti, self.prepare_task_id, None, "summary") or {}), "adminEmail": _admin(sent)},
            customer_ref=self._pull(ti, self.customer_ref_task_id, None, CUSTOMER_REF_XCOM_KEY),
            customer=self._pull(ti, self.customer_task_id, None, CUSTOMER_XCOM_KEY),
            outcomes=outcomes,
            budget=budget,
            setup_assist=self._pull(ti, self.setup_assist_task_id, None),
            steps=steps,
            started_at=dag_run.start_date,
            finished_at=datetime.now(UTC),
        )

    _pull = staticmethod(pull)


def _for_xcom(report: dict[str, Any]) -> dict[str, Any]:
    """The report as XCom keeps it: whole while its subscriber table is short (``MAX_TABLE_ROWS``). Longer, its
    rows are the failures alone (as many), and it names no administrator: every subscriber is kept once in XCom
    (what each step sent), and the state database keeps the whole report, which the UI shows."""
    from webex_wholesale.models import SubscriberResult
    from webex_wholesale.onboarding.report import MAX_TABLE_ROWS

    subscribers = report.get("subscribers") or []
    if len(subscribers) <= MAX_TABLE_ROWS:
        return report
    failed = [s for s in subscribers if s.get("result") == SubscriberResult.FAILED.value][:MAX_TABLE_ROWS]
    kept = {key: value for key, value in report.items() if key not in ("subscribers", "adminEmail")}
    return {**kept, "subscribers": failed, "subscriberTable": "in the state database (the Wholesale report tab)"}


def _admin(sent: Mapping[str, list[Any]]) -> str | None:
    """The administrator's email, known before its step ran (a dry run, a failure): the first task's first
    subscriber."""
    first = next(iter(sent.values()), [])
    return first[0].get("email") if first else None
