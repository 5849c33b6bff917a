"""The onboarding report, and the one function that decides what a report means.

The report is what one run did, as facts: each step's end, each subscriber's outcome, the customer's status.
:func:`judge` turns those facts into the run's :class:`~webex_wholesale.models.states.RunOutcome` and a one-line
problem; the report task, the state database, ``wholesale-queue`` and the pages all ask it, so they cannot
disagree. The report's ``outcome`` field is :func:`judge`'s answer, derived and never read back: a stored report
written by older code (``"dry run passed"``, ``"succeeded, some users must consent"``) is judged again from its
facts. It is built in the onboarding room (``webex_wholesale.onboarding.report``), which also renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from webex_wholesale.models.outcome import SubscriberOutcome, SubscriberResult
from webex_wholesale.models.responses import CustomerStatus
from webex_wholesale.models.states import RunOutcome

__all__ = [
    "FAILED_STEP_STATES",
    "SETUP_ASSIST_NOT_REQUESTED",
    "OnboardingReport",
    "StepResult",
    "Verdict",
    "judge",
]

#: Airflow task states meaning the step did not do its work.
FAILED_STEP_STATES = frozenset({"failed", "upstream_failed"})
#: ``setupAssist`` of an order that did not ask for Setup Assist.
SETUP_ASSIST_NOT_REQUESTED = "not requested"


class StepResult(BaseModel):
    """How one step of the DAG ended, with the reason when it did not succeed."""

    task_id: str = Field(alias="taskId")
    state: str | None
    message: str | None = None

    model_config = ConfigDict(populate_by_name=True, defer_build=True)  # built when a report is, not at parse

    @property
    def failed(self) -> bool:
        return self.state in FAILED_STEP_STATES


class OnboardingReport(BaseModel):
    """Everything the audit trail keeps about one onboarding run. JSON-safe, camelCase, no secrets."""

    run_id: str = Field(alias="runId")
    dry_run: bool = Field(alias="dryRun")
    external_id: str | None = Field(default=None, alias="externalId")
    customer_name: str | None = Field(default=None, alias="customerName")
    provisioning_id: str | None = Field(default=None, alias="provisioningId")
    customer_id: str | None = Field(default=None, alias="customerId")
    org_id: str | None = Field(default=None, alias="orgId")
    customer_status: CustomerStatus | None = Field(default=None, alias="customerStatus")
    customer_adopted: bool | None = Field(default=None, alias="customerAdopted")
    admin_email: str | None = Field(default=None, alias="adminEmail")
    setup_assist_reference: str | None = Field(default=None, alias="setupAssistReference")
    setup_assist: str = Field(default=SETUP_ASSIST_NOT_REQUESTED, alias="setupAssist")
    """``not requested``, ``delivered``, ``to submit by hand`` or ``requested, not sent``."""
    setup_assist_note: str | None = Field(default=None, alias="setupAssistNote")
    """Why a requested Setup Assist was not sent."""
    setup_assist_request: dict[str, Any] | None = Field(default=None, alias="setupAssistRequest")
    """The compiled request, when it was delivered or is to be submitted by hand."""
    counts: dict[str, int] = Field(default_factory=dict)
    subscribers_ordered: int = Field(default=0, alias="subscribersOrdered")
    subscribers: list[SubscriberOutcome] = Field(default_factory=list)
    steps: list[StepResult] = Field(default_factory=list)
    started_at: datetime | None = Field(default=None, alias="startedAt")
    finished_at: datetime | None = Field(default=None, alias="finishedAt")
    duration_seconds: float | None = Field(default=None, alias="durationSeconds")
    normalized: list[dict[str, str]] = Field(default_factory=list)
    """Values validation sent in Webex's spelling (``field``, ``given``, ``sent``), from the validation step."""
    api_budget: dict[str, Any] | None = Field(default=None, alias="apiBudget")
    """What the subscriber steps' requests did with the shared API budget (requests, 429s, rates, pauses)."""

    model_config = ConfigDict(populate_by_name=True, defer_build=True)  # built when a report is, not at parse

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented spelling
    @property
    def outcome(self) -> RunOutcome:
        """:func:`judge`'s outcome, published with the report for whoever reads its JSON."""
        return judge(self).outcome

    @property
    def failed_steps(self) -> list[StepResult]:
        """The steps that failed and said why (a step skipped for an upstream failure has nothing to add)."""
        return [s for s in self.steps if s.failed and s.message]

    @property
    def failed_subscribers(self) -> list[SubscriberOutcome]:
        return [o for o in self.subscribers if o.failed]

    @property
    def waiting_for_consent(self) -> list[SubscriberOutcome]:
        """Users Webex moves only once they consent (existing free Webex users): not a failure, but not done."""
        return [o for o in self.subscribers if o.result is SubscriberResult.PENDING_USER_MIGRATION]


@dataclass(frozen=True)
class Verdict:
    """What a report means: the run's outcome, and one line saying what went wrong (``None`` when nothing did)."""

    outcome: RunOutcome
    problem: str | None


def judge(report: OnboardingReport) -> Verdict:
    """Decide a report's outcome and its problem line; the only place that does.

    - ``needs_attention`` when Webex holds the customer for compliance review (``pending_rpl_review``: a human
      clears it in Partner Hub, then a retry adopts the customer), whatever else the run did;
    - else ``failed`` when any step failed or any subscriber was refused: never success over a failure;
    - else ``needs_attention`` when users still have to consent to the move;
    - else ``succeeded`` (a dry run that passed included: ``dryRun`` says nothing was created).
    """
    problems = [f"{s.task_id}: {s.message}" for s in report.failed_steps]
    if report.failed_subscribers:
        problems.append(f"{len(report.failed_subscribers)} subscriber(s) failed")
    failed_steps = [s.task_id for s in report.steps if s.failed]
    if failed_steps and not report.failed_steps:
        problems.append(f"failed without a message: {', '.join(failed_steps)}")
    if report.customer_status is not None and report.customer_status.is_on_hold():
        held = f"customer held in {report.customer_status}: clear it in Partner Hub, then retry"
        return Verdict(RunOutcome.NEEDS_ATTENTION, "; ".join([held, *problems]))
    if problems:
        return Verdict(RunOutcome.FAILED, "; ".join(problems))
    if report.waiting_for_consent:
        count = len(report.waiting_for_consent)
        return Verdict(RunOutcome.NEEDS_ATTENTION, f"{count} user(s) must consent to join the customer's organisation")
    return Verdict(RunOutcome.SUCCEEDED, None)
