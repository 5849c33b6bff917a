"""The last step of every onboarding run: gather what each step did and publish the report.

It runs as a teardown, so it runs whatever happened upstream. Airflow leaves teardowns out when deciding the
run's state, so the DAG ends on a separate leaf that fails whenever a step failed. The report goes to the task
log, to XCom (``return_value``) and to the task's rendered-template view in the UI (``report_markdown``, re-sent
after execution).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context

from webex_wholesale.onboarding.tasks import FAILURE_XCOM_KEY
from webex_wholesale.operators.batch_outcomes import join_outcomes
from webex_wholesale.operators.customer import CUSTOMER_REF_XCOM_KEY, CUSTOMER_XCOM_KEY
from webex_wholesale.operators.subscribers import BUDGET_XCOM_KEY, OUTCOMES_XCOM_KEY

if TYPE_CHECKING:
    from webex_wholesale.onboarding.report import OnboardingReport


class OnboardingReportOperator(BaseOperator):
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

    template_fields: Sequence[str] = ("report_markdown",)
    template_fields_renderers = {"report_markdown": "md"}
    overwrite_rtif_after_execution = True
    ui_color = "#e8f4ea"

    def __init__(
        self,
        *,
        prepare_task_id: str,
        customer_ref_task_id: str,
        customer_task_id: str,
        subscriber_tasks: Mapping[str, str],
        setup_assist_task_id: str,
        report_markdown: str = "The report is written here when the run has finished.",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.prepare_task_id = prepare_task_id
        self.customer_ref_task_id = customer_ref_task_id
        self.customer_task_id = customer_task_id
        self.subscriber_tasks = subscriber_tasks
        self.setup_assist_task_id = setup_assist_task_id
        self.report_markdown = report_markdown

    def execute(self, context: Context) -> dict[str, Any]:
        report = self.build(context)
        self.report_markdown = report.to_markdown()
        self.log.info("%s", report.summary_line())
        self.log.info("Onboarding report:\n%s", self.report_markdown)
        published = report.model_dump(mode="json", by_alias=True)
        from webex_wholesale.state.onboarding import record_outcome  # the state database, only when the task runs

        self.log.info("Recorded as %s in the wholesale state database", record_outcome(context, published))
        return _for_xcom(published)

    def build(self, context: Context) -> OnboardingReport:
        from webex_wholesale.onboarding.report import StepResult, build_report  # pydantic: at run time, not parse

        ti = context["ti"]
        states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[ti.run_id]).get(ti.run_id, {})
        steps_upstream = self.get_flat_relative_ids(upstream=True)
        instances = [
            (task_id, map_index, state)
            for key, state in states.items()
            for task_id, map_index in [_split_state_key(key, self.dag.task_ids)]
            if task_id in steps_upstream
        ]
        steps = [
            StepResult(
                task_id=task_id if map_index is None else f"{task_id}[{map_index}]",
                state=state,
                message=self._pull(ti, task_id, map_index, FAILURE_XCOM_KEY) if state == "failed" else None,
            )
            for task_id, map_index, state in sorted(instances, key=lambda i: (i[0], i[1] or -1))
        ]
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

    @staticmethod
    def _pull(ti: Any, task_id: str, map_index: int | None, key: str = "return_value") -> Any:
        return ti.xcom_pull(task_ids=task_id, key=key, map_indexes=-1 if map_index is None else map_index)


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


def _split_state_key(key: str, task_ids: Sequence[str]) -> tuple[str, int | None]:
    """Task-state keys are ``task_id`` or ``task_id_<map_index>`` for mapped instances."""
    if key in task_ids:
        return key, None
    task_id, _, index = key.rpartition("_")
    return task_id, int(index)
