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

from webex_wholesale.models import SubscriberOutcome, SubscriberResult

#: Rows shown in the Markdown subscriber table; failures are always listed first, and the counts cover all.
MAX_TABLE_ROWS = 200


class StepResult(BaseModel):
    """How one step of the DAG ended, with the reason when it did not succeed."""

    task_id: str = Field(alias="taskId")
    state: str | None
    message: str | None = None

    model_config = ConfigDict(populate_by_name=True)


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
    counts: dict[str, int]
    subscribers_ordered: int = Field(alias="subscribersOrdered")
    subscribers: list[SubscriberOutcome]
    steps: list[StepResult]
    started_at: datetime | None = Field(default=None, alias="startedAt")
    finished_at: datetime | None = Field(default=None, alias="finishedAt")
    duration_seconds: float | None = Field(default=None, alias="durationSeconds")

    model_config = ConfigDict(populate_by_name=True)

    @property
    def failed_subscribers(self) -> list[SubscriberOutcome]:
        return [o for o in self.subscribers if o.result == SubscriberResult.FAILED]

    @property
    def failed_steps(self) -> list[StepResult]:
        return [s for s in self.steps if s.state in ("failed", "upstream_failed") and s.message]

    def summary_line(self) -> str:
        """One line for the DAG run's log and notifications."""
        counts = ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items())) or "no subscribers handled"
        who = self.external_id or "unknown customer"
        return (
            f"onboarding {self.outcome.upper()} for {who} (customer {self.customer_id or '-'}, "
            f"org {self.org_id or '-'}, status {self.customer_status or '-'}): {counts}"
        )

    def to_markdown(self) -> str:
        """Render for the report task's rendered-template view in the UI."""
        lines = [
            f"# Webex Wholesale onboarding: {self.outcome.upper()}",
            "",
            f"- run: `{self.run_id}`" + (" (dry run: nothing was created)" if self.dry_run else ""),
            f"- customer: {self.customer_name or '-'} (externalId `{self.external_id or '-'}`)",
            f"- onboarding template (provisioningId): `{self.provisioning_id or '-'}`",
            f"- customer id: `{self.customer_id or '-'}`"
            + (" (already existed, adopted)" if self.customer_adopted else ""),
            f"- orgId: `{self.org_id or '-'}`, status: `{self.customer_status or '-'}`",
            f"- administrator: {self.admin_email or '-'}",
            f"- Setup Assist reference: {self.setup_assist_reference or '-'}",
            f"- subscribers ordered: {self.subscribers_ordered}; "
            + (", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items())) or "none handled"),
        ]
        if self.duration_seconds is not None:
            lines.append(f"- duration: {self.duration_seconds:.1f} s")
        if self.failed_steps:
            lines += ["", "## Failed steps", ""]
            lines += [f"- `{s.task_id}`: {s.message}" for s in self.failed_steps]
        if self.subscribers:
            lines += ["", "## Subscribers", ""]
            lines += _subscriber_table(self.subscribers)
        return "\n".join(lines) + "\n"


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
        rows.append(f"\n… and {len(ordered) - MAX_TABLE_ROWS} more (all of them are in the report XCom).")
    return rows


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def build_report(
    *,
    run_id: str,
    dry_run: bool,
    order: Mapping[str, Any] | None,
    customer_ref: Mapping[str, Any] | None,
    customer: Mapping[str, Any] | None,
    outcomes: Iterable[Mapping[str, Any]],
    setup_assist: Mapping[str, Any] | None,
    steps: Iterable[StepResult],
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
) -> OnboardingReport:
    """Assemble the report from the steps' results; missing pieces stay empty rather than guessed."""
    parsed = [SubscriberOutcome.model_validate(o) for o in outcomes]
    steps = list(steps)
    order = order or {}
    customer = customer or {}
    customer_ref = customer_ref or {}
    admin = next((o.email for o in parsed if o.is_admin), None)
    if admin is None and order.get("subscribers"):
        admin = order["subscribers"][0].get("email")
    failed = any(s.state in ("failed", "upstream_failed") for s in steps) or any(
        o.result == SubscriberResult.FAILED for o in parsed
    )
    if failed:
        outcome = "failed"
    elif dry_run:
        outcome = "dry run passed"
    elif any(o.result == SubscriberResult.PENDING_USER_MIGRATION for o in parsed):
        outcome = "succeeded, some users must consent"
    else:
        outcome = "succeeded"
    duration = (finished_at - started_at).total_seconds() if started_at and finished_at else None
    return OnboardingReport(
        run_id=run_id,
        dry_run=dry_run,
        outcome=outcome,
        external_id=order.get("externalId") or customer_ref.get("externalId"),
        customer_name=(order.get("customerInfo") or {}).get("name"),
        provisioning_id=order.get("provisioningId"),
        customer_id=customer.get("id") or customer_ref.get("customerId"),
        org_id=customer.get("orgId"),
        customer_status=customer.get("status") or customer_ref.get("status"),
        customer_adopted=customer_ref.get("adopted"),
        admin_email=admin,
        setup_assist_reference=(setup_assist or {}).get("reference"),
        counts=dict(Counter(o.result.value for o in parsed)),
        subscribers_ordered=len(order.get("subscribers") or []),
        subscribers=parsed,
        steps=steps,
        started_at=started_at,
        finished_at=finished_at,
        duration_seconds=duration,
    )
