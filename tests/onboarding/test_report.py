"""The onboarding report: never reports success over a failure, and says who failed and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webex_wholesale.onboarding.report import MAX_TABLE_ROWS, StepResult, build_report

ORDER = {
    "externalId": "acme-1",
    "provisioningId": "demo-us-all",
    "customerInfo": {"name": "Acme"},
    "subscribers": [{"email": "admin@acme.example.com"}, {"email": "b@acme.example.com"}],
}
CUSTOMER = {"id": "cust-1", "orgId": "org-1", "status": "provisioned"}


def outcome(email, result, **extra):
    return {"email": email, "result": result, **extra}


def report(outcomes, steps=(), dry_run=False, **kwargs):
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    return build_report(
        run_id="manual__1",
        dry_run=dry_run,
        order=ORDER,
        customer_ref={"customerId": "cust-1", "adopted": False},
        customer=CUSTOMER,
        outcomes=outcomes,
        setup_assist={"reference": "SA-000007"},
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
    assert "SUCCEEDED" in r.to_markdown()


def test_a_refused_subscriber_makes_the_report_failed_and_names_the_reason():
    r = report(
        [
            outcome("admin@acme.example.com", "provisioned", isAdmin=True),
            outcome("b@acme.example.com", "failed", errorCodes=[10022], trackingId="SIM_42", message="User exists"),
        ],
        steps=[("provision_subscribers[0]", "failed", "WebexSubscribersFailedError: 1 failed")],
    )
    assert r.outcome == "failed"
    assert [o.email for o in r.failed_subscribers] == ["b@acme.example.com"]
    markdown = r.to_markdown()
    failed_row = next(line for line in markdown.splitlines() if line.startswith("| b@acme"))
    for expected in ("10022", "SIM_42", "User exists"):
        assert expected in failed_row
    assert "`provision_subscribers[0]`: WebexSubscribersFailedError" in markdown


def test_a_failed_step_fails_the_report_even_without_subscriber_failures():
    r = report([], steps=[("wait_for_customer", "failed", "on hold"), ("provision_admin", "upstream_failed", None)])
    assert r.outcome == "failed"


def test_dry_run_and_pending_consent_are_named():
    assert report([], dry_run=True).outcome == "dry run passed"
    pending = report([outcome("b@acme.example.com", "pending_user_migration")])
    assert pending.outcome == "succeeded, some users must consent"


def test_failures_are_listed_first_and_huge_tables_are_capped():
    many = [outcome(f"u{i}@acme.example.com", "provisioned") for i in range(MAX_TABLE_ROWS + 50)]
    many.append(outcome("late@acme.example.com", "failed", message="refused"))
    markdown = report(many).to_markdown()
    rows = [line for line in markdown.splitlines() if line.startswith("| u") or line.startswith("| late")]
    assert rows[0].startswith("| late@acme.example.com")
    assert len(rows) == MAX_TABLE_ROWS
    assert "and 51 more" in markdown


def test_report_json_is_camel_case():
    data = report([outcome("b@acme.example.com", "provisioned")]).model_dump(mode="json", by_alias=True)
    assert {"runId", "customerId", "orgId", "setupAssistReference", "subscribers"} <= set(data)
    assert data["subscribers"][0]["email"] == "b@acme.example.com"
