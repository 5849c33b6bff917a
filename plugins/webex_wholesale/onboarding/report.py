"""The onboarding report: one customer's run, as an ops engineer reads it in the Airflow UI and the task log.

The report is built from what the steps returned (XCom) and how they ended (task states and the failure
messages recorded by ``record_failure``). It never decides that a run succeeded on its own: any failed
step or refused subscriber makes the outcome ``failed``, whatever else went well.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from webex_wholesale.hooks.budget_stats import BudgetStats
from webex_wholesale.models import SubscriberOutcome, SubscriberResult
from webex_wholesale.operators.setup_assist import TO_SUBMIT_BY_HAND

#: Rows shown in the Markdown subscriber table; failures are always listed first, and the counts cover all.
MAX_TABLE_ROWS = 200
#: Task whose result is the Setup Assist request (delivered, or to submit by hand).
SETUP_ASSIST_TASK_ID = "request_setup_assistance"
SETUP_ASSIST_NOT_REQUESTED = "not requested"
SETUP_ASSIST_NOT_SENT = "requested, not sent"


class StepResult(BaseModel):
    """How one step of the DAG ended, with the reason when it did not succeed."""

    task_id: str = Field(alias="taskId")
    state: str | None
    message: str | None = None

    model_config = ConfigDict(populate_by_name=True, defer_build=True)  # built when a report is, not at parse


class OnboardingReport(BaseModel):
    """Everything the audit trail keeps about one onboarding run. JSON-safe, camelCase, no secrets."""

    run_id: str = Field(alias="runId")
    dry_run: bool = Field(alias="dryRun")
    outcome: str
    external_id: str | None = Field(default=None, alias="externalId")
    customer_name: str | None = Field(default=None, alias="customerName")
    provisioning_id: str | None = Field(default=None, alias="provisioningId")
    customer_id: str | None = Field(default=None, alias="customerId")
    org_id: str | None = Field(default=None, alias="orgId")
    customer_status: str | None = Field(default=None, alias="customerStatus")
    customer_adopted: bool | None = Field(default=None, alias="customerAdopted")
    admin_email: str | None = Field(default=None, alias="adminEmail")
    setup_assist_reference: str | None = Field(default=None, alias="setupAssistReference")
    setup_assist: str = Field(default=SETUP_ASSIST_NOT_REQUESTED, alias="setupAssist")
    """``not requested``, ``delivered``, ``to submit by hand`` or ``requested, not sent``."""
    setup_assist_note: str | None = Field(default=None, alias="setupAssistNote")
    """Why a requested Setup Assist was not sent."""
    setup_assist_request: dict[str, Any] | None = Field(default=None, alias="setupAssistRequest")
    """The compiled request, when it was delivered or is to be submitted by hand."""
    counts: dict[str, int]
    subscribers_ordered: int = Field(alias="subscribersOrdered")
    subscribers: list[SubscriberOutcome]
    steps: list[StepResult]
    started_at: datetime | None = Field(default=None, alias="startedAt")
    finished_at: datetime | None = Field(default=None, alias="finishedAt")
    duration_seconds: float | None = Field(default=None, alias="durationSeconds")
    api_budget: dict[str, Any] | None = Field(default=None, alias="apiBudget")
    """What the subscriber steps' requests did with the shared API budget (requests, 429s, rates, pauses)."""

    model_config = ConfigDict(populate_by_name=True, defer_build=True)  # built when a report is, not at parse

    @property
    def failed_steps(self) -> list[StepResult]:
        return [s for s in self.steps if s.state in ("failed", "upstream_failed") and s.message]

    def summary_line(self) -> str:
        """One line for the DAG run's log and notifications."""
        counts = ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items())) or "no subscribers handled"
        who = self.customer_label()
        return (
            f"onboarding {self.outcome.upper()} for {who} (customer {self.customer_id or '-'}, "
            f"org {self.org_id or '-'}, status {self.customer_status or '-'}): {counts}"
        )

    def customer_label(self) -> str:
        """The customer's name and externalId, as the report's first line and summary name them."""
        name = self.customer_name or "unnamed customer"
        return f"{name} (externalId {self.external_id})" if self.external_id else name

    def setup_assist_text(self) -> str:
        """The Setup Assist line: ``-`` when not requested, else what became of the request."""
        if self.setup_assist == SETUP_ASSIST_NOT_REQUESTED:
            return "-"
        if self.setup_assist_reference:
            return f"{self.setup_assist}, reference {self.setup_assist_reference}"
        return f"{self.setup_assist}: {self.setup_assist_note}" if self.setup_assist_note else self.setup_assist

    def to_markdown(self) -> str:
        """Render for the report task's rendered-template view in the UI."""
        lines = [
            f"# Webex Wholesale onboarding of {self.customer_label()}: {self.outcome.upper()}",
            "",
            f"- run: `{self.run_id}`" + (" (dry run: nothing was created)" if self.dry_run else ""),
            f"- onboarding template (provisioningId): `{self.provisioning_id or '-'}`",
            f"- customer id: `{self.customer_id or '-'}`"
            + (" (already existed, adopted)" if self.customer_adopted else ""),
            f"- orgId: `{self.org_id or '-'}`, status: `{self.customer_status or '-'}`",
            f"- administrator: {self.admin_email or '-'}",
            f"- Setup Assist: {self.setup_assist_text()}",
            f"- subscribers ordered: {self.subscribers_ordered}; "
            + (", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items())) or "none handled"),
        ]
        if self.duration_seconds is not None:
            lines.append(f"- duration: {self.duration_seconds:.1f} s")
        if self.api_budget:
            b = self.api_budget
            lines.append(
                f"- API budget (subscriber steps): {b['requests']} requests, {b['throttled']} answered 429, "
                f"average {b['averageRate']}/s, peak {b['peakRate']}/s, paused {b['pausedSeconds']} s"
            )
        if self.failed_steps:
            lines += ["", "## Failed steps", ""]
            lines += [f"- `{s.task_id}`: {s.message}" for s in self.failed_steps]
        if self.subscribers:
            lines += ["", "## Subscribers", ""]
            lines += _subscriber_table(self.subscribers)
        if self.setup_assist == TO_SUBMIT_BY_HAND and self.setup_assist_request:
            lines += ["", "## Setup Assist request, to submit by hand", ""]
            lines += [
                "No Setup Assist channel is configured (connection `webex_setup_assist_default`): submit these "
                "fields on Cisco's Wholesale Setup Assist form.",
                "",
                "| field | value |",
                "| --- | --- |",
            ]
            lines += [f"| {name} | {_cell(value)} |" for name, value in _form_fields(self.setup_assist_request)]
        return "\n".join(lines) + "\n"


def _form_fields(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Every field of the request, in order, nested ones as ``billingAddress.city``; empty ones as ``-``."""
    if isinstance(value, Mapping):
        return [row for key, item in value.items() for row in _form_fields(item, f"{prefix}{key}.")] or [
            (prefix.rstrip("."), "-")
        ]
    if isinstance(value, list):
        return [(prefix.rstrip("."), ", ".join(str(v) for v in value) or "-")]
    return [(prefix.rstrip("."), "-" if value is None else str(value))]


def _subscriber_table(outcomes: list[SubscriberOutcome]) -> list[str]:
    ordered = sorted(outcomes, key=lambda o: (o.result != SubscriberResult.FAILED, not o.is_admin))
    rows = [
        "| email | result | admin | subscriber id | Webex errorCodes | trackingId | message |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for o in ordered[:MAX_TABLE_ROWS]:
        codes = ", ".join(str(c) for c in o.error_codes)
        rows.append(
            f"| {o.email} | {o.result.value} | {'yes' if o.is_admin else ''} | {o.subscriber_id or ''} "
            f"| {codes} | {o.tracking_id or ''} | {_cell(o.message)} |"
        )
    if len(ordered) > MAX_TABLE_ROWS:
        rows.append(f"\n… and {len(ordered) - MAX_TABLE_ROWS} more (all of them in the Wholesale report tab).")
    return rows


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def build_report(
    *,
    run_id: str,
    dry_run: bool,
    summary: Mapping[str, Any] | None,
    customer_ref: Mapping[str, Any] | None,
    customer: Mapping[str, Any] | None,
    outcomes: Iterable[Mapping[str, Any]],
    setup_assist: Mapping[str, Any] | None,
    budget: Iterable[Mapping[str, Any]] = (),
    steps: Iterable[StepResult],
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
) -> OnboardingReport:
    """Assemble the report from the steps' results; missing pieces stay empty rather than guessed.

    ``summary`` is what the validation step said of the order (``externalId``, ``customerName``,
    ``provisioningId``, ``subscribers``, ``adminEmail``, ``setupAssistRequested``).
    """
    parsed = [SubscriberOutcome.model_validate(o) for o in outcomes]
    steps = list(steps)
    summary = summary or {}
    customer = customer or {}
    customer_ref = customer_ref or {}
    admin = next((o.email for o in parsed if o.is_admin), None) or summary.get("adminEmail")
    failed = any(s.state in ("failed", "upstream_failed") for s in steps) or any(o.failed for o in parsed)
    if failed:
        outcome = "failed"
    elif dry_run:
        outcome = "dry run passed"
    elif any(o.result == SubscriberResult.PENDING_USER_MIGRATION for o in parsed):
        outcome = "succeeded, some users must consent"
    else:
        outcome = "succeeded"
    duration = (finished_at - started_at).total_seconds() if started_at and finished_at else None
    assist_state, assist_note = _setup_assist_state(summary, setup_assist, steps, dry_run)
    return OnboardingReport(
        run_id=run_id,
        dry_run=dry_run,
        outcome=outcome,
        external_id=summary.get("externalId") or customer_ref.get("externalId"),
        customer_name=summary.get("customerName"),
        provisioning_id=summary.get("provisioningId"),
        customer_id=customer.get("id") or customer_ref.get("customerId"),
        org_id=customer.get("orgId"),
        customer_status=customer.get("status") or customer_ref.get("status"),
        customer_adopted=customer_ref.get("adopted"),
        admin_email=admin,
        setup_assist_reference=(setup_assist or {}).get("reference"),
        setup_assist=assist_state,
        setup_assist_note=assist_note,
        setup_assist_request=(setup_assist or {}).get("request"),
        counts=dict(Counter(o.result.value for o in parsed)),
        subscribers_ordered=summary.get("subscribers") or 0,
        subscribers=parsed,
        steps=steps,
        started_at=started_at,
        finished_at=finished_at,
        duration_seconds=duration,
        api_budget=_budget_figures(list(budget)),
    )


def _budget_figures(summaries: list[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The batches' budget stats taken together, without the per-second detail."""
    if not summaries:
        return None
    merged = BudgetStats.merged(summaries).summary()
    return {k: merged[k] for k in ("requests", "throttled", "averageRate", "peakRate", "pausedSeconds")}


def _setup_assist_state(
    summary: Mapping[str, Any], result: Mapping[str, Any] | None, steps: list[StepResult], dry_run: bool
) -> tuple[str, str | None]:
    """What became of Setup Assist, and why a requested one was not sent."""
    if result:
        return str(result.get("delivery") or "delivered"), None
    if not summary.get("setupAssistRequested"):
        return SETUP_ASSIST_NOT_REQUESTED, None
    own = next((s for s in steps if s.task_id == SETUP_ASSIST_TASK_ID), None)
    if own is not None and own.state == "failed":
        return SETUP_ASSIST_NOT_SENT, f"delivery failed ({own.message or 'no reason recorded'})"
    failed = [s.task_id for s in steps if s.state == "failed"]
    if failed:
        return SETUP_ASSIST_NOT_SENT, f"an earlier step failed ({', '.join(failed)})"
    if dry_run:
        return SETUP_ASSIST_NOT_SENT, "dry run: nothing is created or sent"
    return SETUP_ASSIST_NOT_SENT, "the step did not run"
