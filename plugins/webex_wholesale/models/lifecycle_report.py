"""The report of a change or an offboarding run: the plan, the decision on it, every change applied, each step.

:func:`judge_lifecycle` is the one reading of what such a run means (its outcome and one-line problem), as
:func:`~webex_wholesale.models.report.judge` is for an onboarding; :func:`verdict_of` reads any stored report with
the right one, so the report task, the pages and ``wholesale-queue`` cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from webex_wholesale.models.approval import Approval
from webex_wholesale.models.change_outcome import ChangeAction, ChangeOutcome
from webex_wholesale.models.report import OnboardingReport, StepResult, Verdict, judge
from webex_wholesale.models.states import RunOutcome

__all__ = ["LifecycleKind", "LifecycleReport", "judge_lifecycle", "verdict_of"]


class LifecycleKind(StrEnum):
    """Which lifecycle DAG the run belongs to."""

    CHANGE = "change"
    OFFBOARDING = "offboarding"


class LifecycleReport(BaseModel):
    """What one change or offboarding run planned and did. JSON-safe, camelCase, no secrets."""

    run_id: str = Field(alias="runId")
    kind: LifecycleKind
    dry_run: bool = Field(default=False, alias="dryRun")
    external_id: str | None = Field(default=None, alias="externalId")
    customer_id: str | None = Field(default=None, alias="customerId")
    plan: dict[str, Any] | None = None
    plan_summary: str | None = Field(default=None, alias="planSummary")
    approval: Approval | None = None
    changes: list[ChangeOutcome] = Field(default_factory=list)
    steps: list[StepResult] = Field(default_factory=list)
    started_at: datetime | None = Field(default=None, alias="startedAt")
    finished_at: datetime | None = Field(default=None, alias="finishedAt")

    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented spelling
    @property
    def outcome(self) -> RunOutcome:
        """:func:`judge_lifecycle`'s outcome, published with the report for whoever reads its JSON."""
        return judge_lifecycle(self).outcome

    @computed_field  # type: ignore[prop-decorator]
    @property
    def problem(self) -> str | None:
        """:func:`judge_lifecycle`'s one line on what went wrong."""
        return judge_lifecycle(self).problem

    @property
    def failed_changes(self) -> list[ChangeOutcome]:
        return [c for c in self.changes if not c.done]

    @property
    def deleted(self) -> bool:
        """An offboarding whose customer Webex no longer returns."""
        return any(c.action is ChangeAction.DELETE_CUSTOMER and c.done for c in self.changes) and not any(
            s.failed for s in self.steps
        )

    def to_markdown(self) -> str:
        """The report for the task's rendered view: outcome, the plan as approved, then each change."""
        lines = [f"# {self.kind.value.title()} of `{self.external_id}`: {self.outcome.value}", ""]
        if self.problem:
            lines += [f"**Problem:** {self.problem}", ""]
        if self.approval is not None:
            by = f" by {self.approval.by}" if self.approval.by else ""
            lines += [f"**Approval:** {self.approval.decision.value}{by}", ""]
        if self.plan_summary:
            lines += [self.plan_summary, ""]
        if self.changes:
            lines += ["| change | subject | before | after | done | message |", "|---|---|---|---|---|---|"]
            lines += [
                f"| {c.action.value} | {c.subject} | {c.before} | {c.after} | {c.done} | {c.message or ''} |"
                for c in self.changes
            ]
        return "\n".join(lines)


def judge_lifecycle(report: LifecycleReport) -> Verdict:
    """The run's outcome and its problem line.

    - ``failed`` when a step failed (a refused plan, a customer another run holds) or a change failed;
    - else ``rejected`` when a person rejected the plan or nobody answered in time (nothing was applied);
    - else ``offboarded`` for an offboarding whose customer is gone;
    - else ``succeeded`` (a dry run and an empty plan included).
    """
    problems = [f"{s.task_id}: {s.message}" for s in report.steps if s.failed and s.message]
    if report.failed_changes:
        problems.append(f"{len(report.failed_changes)} change(s) failed")
    failed_steps = [s.task_id for s in report.steps if s.failed]
    if failed_steps and not problems:
        problems.append(f"failed without a message: {', '.join(failed_steps)}")
    if problems:
        return Verdict(RunOutcome.FAILED, "; ".join(problems))
    if report.approval is not None and not report.approval.decision.applies:
        return Verdict(RunOutcome.REJECTED, f"plan {report.approval.decision.value}; nothing was applied")
    if report.kind is LifecycleKind.OFFBOARDING and report.deleted:
        return Verdict(RunOutcome.OFFBOARDED, None)
    return Verdict(RunOutcome.SUCCEEDED, None)


def verdict_of(report: Mapping[str, Any]) -> Verdict:
    """The verdict on a stored report of any run: a change's or offboarding's (it has a ``kind``), or an
    onboarding's."""
    if report.get("kind") in tuple(LifecycleKind):
        return judge_lifecycle(LifecycleReport.model_validate(report))
    return judge(OnboardingReport.model_validate(report))
