"""The report of a change or an offboarding run: the plan, the decision on it, every change applied, each step.

:func:`judge_lifecycle` is the one reading of what such a run means (its outcome and one-line problem); the report
task records it on the run and its order, and the pages show it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from webex_wholesale.models.approval import Approval
from webex_wholesale.models.change_outcome import ChangeAction, ChangeOutcome
from webex_wholesale.onboarding.report import StepResult

__all__ = ["LifecycleKind", "LifecycleReport", "judge_lifecycle"]

_FAILED_STEP_STATES = ("failed", "upstream_failed")


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
    def outcome(self) -> str:
        """:func:`judge_lifecycle`'s outcome, published with the report for whoever reads its JSON."""
        return judge_lifecycle(self)[0]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def problem(self) -> str | None:
        """:func:`judge_lifecycle`'s one line on what went wrong."""
        return judge_lifecycle(self)[1]

    @property
    def failed_changes(self) -> list[ChangeOutcome]:
        return [c for c in self.changes if not c.done]

    @property
    def deleted(self) -> bool:
        """An offboarding whose customer Webex no longer returns."""
        return any(c.action is ChangeAction.DELETE_CUSTOMER and c.done for c in self.changes) and not any(
            s.state in _FAILED_STEP_STATES for s in self.steps
        )

    def to_markdown(self) -> str:
        """The report for the task's rendered view: outcome, the plan as approved, then each change."""
        lines = [f"# {self.kind.value.title()} of `{self.external_id}`: {self.outcome}", ""]
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


def judge_lifecycle(report: LifecycleReport) -> tuple[str, str | None]:
    """The run's outcome and its problem line.

    - ``failed`` when a step failed (a refused plan included) or a change failed;
    - else ``rejected`` when a person rejected the plan or nobody answered in time (nothing was applied);
    - else ``offboarded`` for an offboarding whose customer is gone;
    - else ``succeeded`` (a dry run and an empty plan included).
    """
    problems = [f"{s.task_id}: {s.message}" for s in report.steps if s.state in _FAILED_STEP_STATES and s.message]
    if report.failed_changes:
        problems.append(f"{len(report.failed_changes)} change(s) failed")
    failed_steps = [s.task_id for s in report.steps if s.state in _FAILED_STEP_STATES]
    if failed_steps and not problems:
        problems.append(f"failed without a message: {', '.join(failed_steps)}")
    if problems:
        return "failed", "; ".join(problems)
    if report.approval is not None and not report.approval.decision.applies:
        return "rejected", f"plan {report.approval.decision.value}; nothing was applied"
    if report.kind is LifecycleKind.OFFBOARDING and report.deleted:
        return "offboarded", None
    return "succeeded", None
