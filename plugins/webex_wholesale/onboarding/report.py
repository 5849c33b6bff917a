"""Build the onboarding report of one run, and render it for the Airflow UI and the task log.

The report is built from what the steps returned (XCom) and how they ended (task states and the failure
messages recorded by ``record_failure``). It never decides the outcome itself: the report model
(:mod:`webex_wholesale.models.report`) holds the facts and its ``judge`` decides what they mean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from webex_wholesale.budget import BudgetStats
from webex_wholesale.ids import SETUP_ASSIST_CONN_ID
from webex_wholesale.models import SubscriberOutcome, SubscriberResult
from webex_wholesale.models.report import SETUP_ASSIST_NOT_REQUESTED, OnboardingReport, StepResult, judge
from webex_wholesale.operators.setup_assist import TO_SUBMIT_BY_HAND

#: Rows shown in the Markdown subscriber table; failures are always listed first, and the counts cover all.
MAX_TABLE_ROWS = 200
#: Task whose result is the Setup Assist request (delivered, or to submit by hand).
SETUP_ASSIST_TASK_ID = "request_setup_assistance"
SETUP_ASSIST_NOT_SENT = "requested, not sent"


def summary_line(report: OnboardingReport) -> str:
    """One line for the DAG run's log and notifications."""
    counts = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "no subscribers handled"
    return (
        f"onboarding {report.outcome.upper()} for {_customer_label(report)} (customer {report.customer_id or '-'}, "
        f"org {report.org_id or '-'}, status {report.customer_status or '-'}): {counts}"
    )


def _customer_label(report: OnboardingReport) -> str:
    """The customer's name and externalId, as the report's first line and summary name them."""
    name = report.customer_name or "unnamed customer"
    return f"{name} (externalId {report.external_id})" if report.external_id else name


def _setup_assist_text(report: OnboardingReport) -> str:
    """The Setup Assist line: ``-`` when not requested, else what became of the request."""
    if report.setup_assist == SETUP_ASSIST_NOT_REQUESTED:
        return "-"
    if report.setup_assist_reference:
        return f"{report.setup_assist}, reference {report.setup_assist_reference}"
    return f"{report.setup_assist}: {report.setup_assist_note}" if report.setup_assist_note else report.setup_assist


def to_markdown(report: OnboardingReport) -> str:
    """Render for the report task's rendered-template view in the UI."""
    verdict = judge(report)
    lines = [
        f"# Webex Wholesale onboarding of {_customer_label(report)}: {verdict.outcome.upper()}",
        "",
        f"- run: `{report.run_id}`" + (" (dry run: nothing was created)" if report.dry_run else ""),
    ]
    if verdict.problem:
        lines.append(f"- problem: {verdict.problem}")
    lines += [
        f"- onboarding template (provisioningId): `{report.provisioning_id or '-'}`",
        f"- customer id: `{report.customer_id or '-'}`"
        + (" (already existed, adopted)" if report.customer_adopted else ""),
        f"- orgId: `{report.org_id or '-'}`, status: `{report.customer_status or '-'}`",
        f"- administrator: {report.admin_email or '-'}",
        f"- Setup Assist: {_setup_assist_text(report)}",
        f"- subscribers ordered: {report.subscribers_ordered}; "
        + (", ".join(f"{k}: {v}" for k, v in sorted(report.counts.items())) or "none handled"),
    ]
    if report.duration_seconds is not None:
        lines.append(f"- duration: {report.duration_seconds:.1f} s")
    if report.api_budget:
        b = report.api_budget
        lines.append(
            f"- API budget (subscriber steps): {b['requests']} requests, {b['throttled']} answered 429, "
            f"average {b['averageRate']}/s, peak {b['peakRate']}/s, paused {b['pausedSeconds']} s"
        )
    if report.normalized:
        lines += ["", "## Values normalized before sending", ""]
        lines += [f"- `{n['field']}`: {_cell(n['given'])} sent as {_cell(n['sent'])}" for n in report.normalized]
    if report.failed_steps:
        lines += ["", "## Failed steps", ""]
        lines += [f"- `{s.task_id}`: {s.message}" for s in report.failed_steps]
    if report.subscribers:
        lines += ["", "## Subscribers", ""]
        lines += _subscriber_table(report.subscribers)
    if report.setup_assist == TO_SUBMIT_BY_HAND and report.setup_assist_request:
        lines += ["", "## Setup Assist request, to submit by hand", ""]
        lines += [
            f"No Setup Assist channel is configured (connection `{SETUP_ASSIST_CONN_ID}`): submit these "
            "fields on Cisco's Wholesale Setup Assist form.",
            "",
            "| field | value |",
            "| --- | --- |",
        ]
        lines += [f"| {name} | {_cell(value)} |" for name, value in _form_fields(report.setup_assist_request)]
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
        "| email | name | result | admin | subscriber id | Webex errorCodes | trackingId | message |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for o in ordered[:MAX_TABLE_ROWS]:
        codes = ", ".join(str(c) for c in o.error_codes)
        rows.append(
            f"| {o.email} | {_cell(o.name)} | {o.result.value} | {'yes' if o.is_admin else ''} "
            f"| {o.subscriber_id or ''} | {codes} | {o.tracking_id or ''} | {_cell(o.message)} |"
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
    ``provisioningId``, ``subscribers``, ``adminEmail``, ``setupAssistRequested``, ``normalized``).
    """
    parsed = [SubscriberOutcome.model_validate(o) for o in outcomes]
    steps = list(steps)
    summary = summary or {}
    customer = customer or {}
    customer_ref = customer_ref or {}
    admin = next((o.email for o in parsed if o.is_admin), None) or summary.get("adminEmail")
    duration = (finished_at - started_at).total_seconds() if started_at and finished_at else None
    assist_state, assist_note = _setup_assist_state(summary, setup_assist, steps, dry_run)
    return OnboardingReport(
        run_id=run_id,
        dry_run=dry_run,
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
        normalized=summary.get("normalized") or [],
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
