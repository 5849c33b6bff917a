"""A person approves a plan in Airflow itself: ``ApprovalOperator`` (human in the loop) with the plan as its body.

A plan that removes anything waits for an answer in the Airflow UI (Browse -> Required Actions) or over its REST
API (``PATCH .../taskInstances/{task_id}/-1/hitlDetails`` with ``{"chosen_options": ["Approve"]}``). A plan that
only adds goes on at once, unless the Variable ``webex_wholesale_change_approval_always`` is ``true``. Nobody
answering within the timeout (Variable ``webex_wholesale_approval_timeout_seconds``, default 3 days) is a
rejection: the operator's default answer is ``Reject``, which Airflow's scheduler gives when the time is up.

A plan that goes ahead (approved, or needing no approval) may leave some apply steps nothing to do
(``ChangePlan.idle_steps``): the approval skips them, so the scheduler does not start them (about a second each).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Context, Variable

from webex_wholesale.operators.change_xcom import DECISION_XCOM_KEY, PLAN_XCOM_KEY, SUMMARY_XCOM_KEY

if TYPE_CHECKING:
    from webex_wholesale.models.change_plan import ChangePlan

#: Airflow Variable: ``true`` makes every change wait for approval, also one that only adds.
ALWAYS_VARIABLE = "webex_wholesale_change_approval_always"
#: Airflow Variable: seconds a plan waits for an answer before it counts as rejected.
TIMEOUT_VARIABLE = "webex_wholesale_approval_timeout_seconds"
DEFAULT_TIMEOUT = timedelta(days=3)


class PlanApprovalOperator(ApprovalOperator):
    """Wait for a person to approve the plan another task published, when it needs approval.

    Downstream tasks are skipped on ``Reject`` and on a timeout (all of them, teardowns aside), so nothing is
    applied. The decision (``Approval`` JSON: ``not_needed``, ``approved``, ``rejected`` or ``expired``) is pushed to
    XCom key ``decision`` first: Airflow ends a task that skips its downstream tasks by an exception, so a rejected
    approval has no return value.

    :param plan_task_id: the task that pushed the plan (XCom ``plan``) and its Markdown (XCom ``summary``).
    :param always: the plan always waits (offboarding), whatever it holds.
    :param skip_idle_steps: the plan is a ``ChangePlan``: once it goes ahead, skip the customer-package steps
        downstream (``WebexUpdateCustomerPackagesOperator``) whose action it leaves idle.
    """

    def __init__(
        self, *, plan_task_id: str, always: bool = False, skip_idle_steps: bool = False, **kwargs: Any
    ) -> None:
        from webex_wholesale.models.approval import REJECT

        super().__init__(
            body=f"{{{{ ti.xcom_pull(task_ids='{plan_task_id}', key='{SUMMARY_XCOM_KEY}') }}}}",
            defaults=REJECT,
            ignore_downstream_trigger_rules=True,
            **kwargs,
        )
        self.plan_task_id = plan_task_id
        self.always = always
        self.skip_idle_steps = skip_idle_steps

    def execute(self, context: Context) -> Any:
        from webex_wholesale.models.approval import Approval, ApprovalDecision

        plan = None if self.always else self._change_plan(context)  # read once: it may hold thousands of users
        if not self._needs_approval(plan):
            self.log.info("The plan only adds: it applies without waiting for approval")
            decision = self._decided(context, Approval(decision=ApprovalDecision.NOT_NEEDED))
            self._skip_idle(context, plan)
            return decision
        self.response_timeout = timedelta(
            seconds=float(Variable.get(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT.total_seconds()))
        )
        self.log.info("Waiting up to %s for a person to approve the plan", self.response_timeout)
        return super().execute(context)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        """Record the answer, then let ``ApprovalOperator`` act on it (a rejection skips what follows)."""
        from webex_wholesale.models.approval import Approval

        if "error" in event:
            return super().execute_complete(context, event)  # raises: no answer came, and no default either
        approval = Approval.of_answer(event, timed_out=bool(event.get("timedout")))
        self.log.info("Plan %s by %s", approval.decision.value, approval.by or "nobody (the timeout)")
        decision = self._decided(context, approval)
        super().execute_complete(context, event)  # on Reject this skips what follows, by raising
        self._skip_idle(context)
        return decision

    @staticmethod
    def _decided(context: Context, approval: Any) -> dict[str, Any]:
        decision = approval.model_dump(mode="json")
        context["ti"].xcom_push(key=DECISION_XCOM_KEY, value=decision)
        return decision

    def _needs_approval(self, plan: ChangePlan | None) -> bool:
        """``plan``: the ``ChangePlan``, ``None`` when every plan waits (``always``)."""
        if plan is None or str(Variable.get(ALWAYS_VARIABLE, "false")).lower() == "true":
            return True
        return plan.removes_anything

    def _skip_idle(self, context: Context, plan: ChangePlan | None = None) -> None:
        """Skip the steps the plan (read here when not given) leaves idle. Skipping raises (Airflow marks them
        skipped and ends this task as succeeded, without pushing a return value): call it after the decision is
        pushed."""
        from webex_wholesale.operators.change import WebexUpdateCustomerPackagesOperator

        if not self.skip_idle_steps:
            return
        idle = set((plan or self._change_plan(context)).idle_steps())
        steps = [
            task
            for task in self.get_flat_relatives(upstream=False)
            if isinstance(task, WebexUpdateCustomerPackagesOperator) and task.action in idle
        ]
        if steps:
            self.log.info("Nothing to do for %s: skipped", ", ".join(sorted(task.task_id for task in steps)))
            self.skip(ti=context["ti"], tasks=steps)

    def _change_plan(self, context: Context) -> ChangePlan:
        from webex_wholesale.models.change_plan import ChangePlan

        return ChangePlan.model_validate(context["ti"].xcom_pull(task_ids=self.plan_task_id, key=PLAN_XCOM_KEY))
