"""The onboarding report: never reports success over a failure, and says who failed and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webex_wholesale.models.report import StepResult
from webex_wholesale.onboarding.report import MAX_TABLE_ROWS, build_report, to_markdown

SUMMARY = {
    "externalId": "acme-1",
    "customerName": "Acme",
    "provisioningId": "demo-us-all",
    "subscribers": 2,
    "adminEmail": "admin@acme.example.com",
    "setupAssistRequested": True,
}
REQUEST = {
    "requestType": "webex_wholesale_setup_assist",
    "requestKey": "acme-1:cust-1",
    "externalId": "acme-1",
    "customerName": "Acme",
    "customerId": "cust-1",
    "orgId": "org-1",
    "billingAddress": {"addressLine1": "1 Main St", "city": "Leeds", "country": "GB"},
    "callingLocation": None,
    "packages": ["webex_meetings"],
    "userCounts": {"webex_meetings": 2},
    "totalUsers": 2,
    "contact": {"name": "Sam", "email": "sam@acme.example.com", "phone": None},
}
CUSTOMER = {"id": "cust-1", "orgId": "org-1", "status": "provisioned"}


def outcome(email, result, **extra):
    return {"email": email, "result": result, **extra}


def report(outcomes, steps=(), dry_run=False, setup_assist=None, summary=None, **kwargs):
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    return build_report(
        run_id="manual__1",
        dry_run=dry_run,
        summary=summary or SUMMARY,
        customer_ref={"customerId": "cust-1", "adopted": False},
        customer=CUSTOMER,
        outcomes=outcomes,
        setup_assist=setup_assist if setup_assist is not None else {"reference": "SA-000007", "delivery": "delivered"},
        steps=[StepResult(task_id=t, state=s, message=m) for t, s, m in steps],
        started_at=start,
        finished_at=start + timedelta(seconds=42),
        **kwargs,
    )


def test_all_provisioned_is_a_success_with_counts_admin_and_reference():
    r = report(
        [outcome("admin@acme.example.com", "provisioned", isAdmin=True), outcome("b@acme.example.com", "provisioned")]
    )
    assert r.outcome == "succeeded"
    assert r.counts == {"provisioned": 2}
    assert r.admin_email == "admin@acme.example.com"
    assert r.setup_assist_reference == "SA-000007"
    assert r.duration_seconds == 42
    markdown = to_markdown(r)
    assert markdown.splitlines()[0] == "# Webex Wholesale onboarding of Acme (externalId acme-1): SUCCEEDED"
    assert "- Setup Assist: delivered, reference SA-000007" in markdown


def test_a_refused_subscriber_makes_the_report_failed_and_names_the_reason():
    r = report(
        [
            outcome("admin@acme.example.com", "provisioned", isAdmin=True),
            outcome("b@acme.example.com", "failed", errorCodes=[10022], trackingId="SIM_42", message="User exists"),
        ],
        steps=[("provision_subscribers[0]", "failed", "WebexSubscribersFailedError: 1 failed")],
    )
    assert r.outcome == "failed"
    assert [o.email for o in r.subscribers if o.failed] == ["b@acme.example.com"]
    markdown = to_markdown(r)
    failed_row = next(line for line in markdown.splitlines() if line.startswith("| b@acme"))
    for expected in ("10022", "SIM_42", "User exists"):
        assert expected in failed_row
    assert "`provision_subscribers[0]`: WebexSubscribersFailedError" in markdown


def test_a_failed_step_fails_the_report_even_without_subscriber_failures():
    r = report([], steps=[("provision_customer", "failed", "on hold"), ("provision_admin", "upstream_failed", None)])
    assert r.outcome == "failed"


def test_dry_run_and_pending_consent_are_named():
    dry_run = report([], dry_run=True)
    assert (dry_run.outcome, dry_run.dry_run) == ("succeeded", True)
    assert "- run: `manual__1` (dry run: nothing was created)" in to_markdown(dry_run)
    pending = report([outcome("b@acme.example.com", "pending_user_migration")])
    assert pending.outcome == "needs_attention"
    assert to_markdown(pending).splitlines()[:4] == [
        "# Webex Wholesale onboarding of Acme (externalId acme-1): NEEDS_ATTENTION",
        "",
        "- run: `manual__1`",
        "- problem: 1 user(s) must consent to join the customer's organisation",
    ]


def test_failures_are_listed_first_and_huge_tables_are_capped():
    many = [outcome(f"u{i}@acme.example.com", "provisioned") for i in range(MAX_TABLE_ROWS + 50)]
    many.append(outcome("late@acme.example.com", "failed", message="refused"))
    markdown = to_markdown(report(many))
    rows = [line for line in markdown.splitlines() if line.startswith("| u") or line.startswith("| late")]
    assert rows[0].startswith("| late@acme.example.com")
    assert len(rows) == MAX_TABLE_ROWS
    assert "and 51 more" in markdown


def test_report_json_is_camel_case():
    data = report([outcome("b@acme.example.com", "provisioned")]).model_dump(mode="json", by_alias=True)
    assert {"runId", "customerId", "orgId", "setupAssistReference", "subscribers"} <= set(data)
    assert data["subscribers"][0]["email"] == "b@acme.example.com"


def test_setup_assist_not_requested_reads_as_a_dash():
    r = report([], setup_assist={}, summary={**SUMMARY, "setupAssistRequested": False})

    assert (r.setup_assist, r.setup_assist_note) == ("not requested", None)
    assert "- Setup Assist: -\n" in to_markdown(r)


def test_setup_assist_requested_but_not_sent_says_why():
    failed_upstream = report([], setup_assist={}, steps=[("provision_admin", "failed", "refused")])
    failed_itself = report(
        [], setup_assist={}, steps=[("request_setup_assistance", "failed", "WebexSetupAssistRejectedError: 422")]
    )
    dry_run = report([], setup_assist={}, dry_run=True)

    assert failed_upstream.setup_assist == "requested, not sent"
    assert "- Setup Assist: requested, not sent: an earlier step failed (provision_admin)" in to_markdown(
        failed_upstream
    )
    assert "422" in failed_itself.setup_assist_note
    assert "dry run" in dry_run.setup_assist_note


def test_setup_assist_without_a_channel_is_a_form_to_submit_by_hand():
    r = report([], setup_assist={"reference": None, "delivery": "to submit by hand", "request": REQUEST})

    markdown = to_markdown(r)
    assert "- Setup Assist: to submit by hand" in markdown
    form = markdown.split("## Setup Assist request, to submit by hand", 1)[1]
    rows = [line for line in form.splitlines() if line.startswith("| ") and not line.startswith(("| field", "| ---"))]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == [
        "requestType",
        "requestKey",
        "externalId",
        "customerName",
        "customerId",
        "orgId",
        "billingAddress.addressLine1",
        "billingAddress.city",
        "billingAddress.country",
        "callingLocation",
        "packages",
        "userCounts.webex_meetings",
        "totalUsers",
        "contact.name",
        "contact.email",
        "contact.phone",
    ]
    assert "| orgId | org-1 |" in form
    assert "| userCounts.webex_meetings | 2 |" in form
    assert "| callingLocation | - |" in form


def test_values_normalized_by_validation_are_listed():
    change = {"field": "subscribers[1].provisioningParameters.primaryPhoneNumber", "given": "2405551212"}
    r = report([], summary={**SUMMARY, "normalized": [{**change, "sent": "+12405551212"}]})

    assert r.normalized == [{**change, "sent": "+12405551212"}]
    assert "- `subscribers[1].provisioningParameters.primaryPhoneNumber`: 2405551212 sent as +12405551212" in (
        to_markdown(r)
    )
    assert "normalized" not in to_markdown(report([]))
