"""The change DAG's first step: read the run's order as a desired state, then plan it against what Webex holds.

One step, not two: reading and validating the order takes a fraction of a second, and as a step of its own it
cost every change half a second more before its first change (``make bench``, scenario 6).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.utils.skipmixin import SkipMixin
from airflow.sdk import Context

from webex_wholesale.lifecycle.tasks import CHANGE_RUN_XCOM_KEYS
from webex_wholesale.operators.change import WebexPlanChangeOperator


class ChangePlanOperator(WebexPlanChangeOperator, SkipMixin):
    """``plan_change``: the order is the run's conf (never ``params``, which hold the demo order), read here.

    The inline order or the queued one ``{"orderId": N}`` names is validated as a desired state (an invalid one
    fails at once, naming every bad field), recorded as a run of its customer, whose lock it takes (a customer
    another run is working on is refused, naming that run); then the plan is computed and published as
    :class:`~webex_wholesale.operators.change.WebexPlanChangeOperator` does. Beside the plan's keys it pushes what
    the later steps and the report take from the order (``CHANGE_RUN_XCOM_KEYS``).

    A dry run (``dryRun``) ends with the plan: this step skips every step after it (the report aside, a teardown),
    so nothing is applied. Here rather than in a gate of its own: the approval skips the steps a plan leaves idle,
    so the batches run when the step before them was skipped, and only a skip of their own stops them.
    """

    inherits_from_skipmixin = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(order=None, **kwargs)

    def execute(self, context: Context) -> list[dict[str, Any]]:
        from webex_wholesale.lifecycle.run_state import change_for_run
        from webex_wholesale.onboarding.params import DRY_RUN_PARAM

        change = change_for_run(context["dag_run"].conf or {}, context)
        for key in CHANGE_RUN_XCOM_KEYS:
            context["ti"].xcom_push(key=key, value=change[key])
        self.on_behalf_of_sub_partner_org_id = change["subPartnerOrgId"]  # before the hook is built, on first use
        batches = self.plan(context, change["order"], remove_unlisted=change["removeUnlisted"])
        if change[DRY_RUN_PARAM]:
            self.log.info("A dry run ends with the plan: nothing is applied")
            # Raises: Airflow marks them skipped and ends this step as succeeded; the batches are not pushed.
            self.skip(ti=context["ti"], tasks=[t for t in self.get_flat_relatives(upstream=False) if not t.is_teardown])
        return batches
