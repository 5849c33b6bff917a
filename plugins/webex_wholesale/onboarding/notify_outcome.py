"""Tell people how a lifecycle run ended: a notifier on the report task, which knows the run's outcome.

Every lifecycle DAG (onboarding, change, offboarding) ends on a report task that runs whatever happened upstream,
so its success callback fires for every run that got as far as a report. Failed runs and runs needing attention are
told; successes (an offboarding included) and rejected changes only when the Variable
``webex_wholesale_notify_on_success`` is true. The callback runs in the task's process after the report is
published (``dag.test()`` runs it too) and reads the report from XCom with :func:`verdict_of`, the one reading of any
report; delivery failures are logged by :func:`~webex_wholesale.notify.deliver.deliver`, never raised, so a mail
server that is down cannot fail the run it reports on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseNotifier

if TYPE_CHECKING:  # the models are imported when a run ends, not when a DAG file that names this notifier is parsed
    from webex_wholesale.models.notification import NotificationEvent

__all__ = ["NOTIFY_ON_SUCCESS_VARIABLE", "RunOutcomeNotifier", "outcome_event"]

#: Airflow Variable: "true" to be told of every run that succeeded too (dry runs, offboardings, rejections included).
NOTIFY_ON_SUCCESS_VARIABLE = "webex_wholesale_notify_on_success"


def outcome_event(report: dict[str, Any], *, dag_id: str, order_id: int | None) -> NotificationEvent:
    """The message for a published report (its JSON, as a report task returns it) of any lifecycle run."""
    from webex_wholesale.models.lifecycle_report import verdict_of
    from webex_wholesale.models.notification import EventKind, NotificationEvent
    from webex_wholesale.models.outcome import SubscriberResult
    from webex_wholesale.models.states import RunOutcome
    from webex_wholesale.ui.links import order_url, run_url

    told_by_kind = {RunOutcome.FAILED: EventKind.RUN_FAILED, RunOutcome.NEEDS_ATTENTION: EventKind.RUN_NEEDS_ATTENTION}
    named = (SubscriberResult.FAILED, SubscriberResult.PENDING_USER_MIGRATION)  # failed, or a person must chase them
    verdict = verdict_of(report)
    kind = told_by_kind.get(verdict.outcome, EventKind.RUN_SUCCEEDED)  # succeeded, offboarded, rejected
    what = f"{str(report.get('kind') or 'onboarding').capitalize()} {verdict.outcome.value.replace('_', ' ')}"
    what += " (dry run)." if report.get("dryRun") else "."
    counts = ", ".join(f"{name} {count}" for name, count in sorted((report.get("counts") or {}).items()))
    if counts:
        what += f" Subscribers: {counts}."
    details = [verdict.problem] if verdict.problem else []
    details += [f"step {s['taskId']}: {s['message']}" for s in report.get("steps", []) if s.get("message")]
    details += [
        f"{s['email']}: {s['result']}" + (f": {s['message']}" if s.get("message") else "")
        for s in report.get("subscribers", [])
        if s["result"] in named
    ]
    return NotificationEvent(
        kind=kind,
        external_id=report.get("externalId") or report["runId"],
        customer_name=report.get("customerName"),
        what=what,
        todo=kind.advice,
        link=order_url(order_id) if order_id is not None else run_url(dag_id, report["runId"]),
        details=tuple(dict.fromkeys(details)),
    )


class RunOutcomeNotifier(BaseNotifier):
    """A report task's ``on_success_callback``: one message per finished run, on every configured channel."""

    template_fields = ()

    def notify(self, context: Any) -> None:
        from airflow.sdk import Variable

        from webex_wholesale.models.notification import EventKind
        from webex_wholesale.notify.deliver import deliver

        ti = context["ti"]
        report = ti.xcom_pull(task_ids=ti.task_id)
        if not report:
            self.log.warning("No report in XCom of %s: nothing to tell", ti.task_id)
            return
        event = outcome_event(report, dag_id=ti.dag_id, order_id=_order_id(context["dag_run"].conf or {}))
        success_told = Variable.get(NOTIFY_ON_SUCCESS_VARIABLE, default=False, deserialize_json=True) is True
        if event.kind is not EventKind.RUN_SUCCEEDED or success_told:
            deliver(event)


def _order_id(conf: dict[str, Any]) -> int | None:
    """The queued order the run works on (``{"orderId": N}``), or ``None`` for an order given inline."""
    value = conf.get("orderId")
    return value if isinstance(value, int) else None
