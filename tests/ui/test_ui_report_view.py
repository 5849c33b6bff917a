"""How a report is arranged for the page: failures first, known fields labelled, new fields kept."""

from __future__ import annotations

from webex_wholesale.ui.report_view import camel, label, report_view

REPORT = {
    "runId": "order-7",
    "dryRun": False,
    "outcome": "failed",
    "externalId": "acme-1",
    "subscribers": [
        {"email": "a@x.example", "result": "provisioned", "isAdmin": True},
        {"email": "b@x.example", "result": "failed", "errorCodes": [400106], "message": "in another org",
         "trackingId": "WWA_1"},
        {"email": "c@x.example", "result": "already_present"},
        {"email": "d@x.example", "result": "failed", "message": "bad extension", "newField": "kept"},
    ],
    "steps": [
        {"taskId": "provision_customer", "state": "success"},
        {"taskId": "provision_subscribers", "state": "failed", "message": "2 of 3 subscribers failed"},
        {"taskId": "request_setup_assistance", "state": "upstream_failed"},
    ],
    "setupAssistToSubmit": {"form": {"seats": 3}},
}  # fmt: skip


def test_failed_subscribers_come_first_in_their_reported_order():
    view = report_view(REPORT)

    assert [r["email"] for r in view.subscribers.rows] == ["b@x.example", "d@x.example", "a@x.example", "c@x.example"]
    assert view.subscribers.failed == [True, True, False, False]


def test_failures_list_failed_steps_then_subscribers_with_webex_details():
    view = report_view(REPORT)

    assert view.failed
    assert [(f.what, f.reason) for f in view.failures] == [
        ("step provision_subscribers", "2 of 3 subscribers failed"),
        ("b@x.example", "in another org"),
        ("d@x.example", "bad extension"),
    ]
    assert view.failures[1].details == [("Error codes", [400106]), ("Tracking id", "WWA_1")]


def test_unknown_fields_are_kept_as_columns_and_under_more():
    view = report_view(REPORT)

    assert view.subscribers.columns[:2] == ["email", "result"]
    assert "newField" in view.subscribers.columns
    assert ("Setup assist to submit", {"form": {"seats": 3}}) in view.more
    assert not any(name == "Subscribers" for name, _ in view.more)
    assert "package" not in view.subscribers.columns  # no subscriber has one: no empty column


def test_subscriber_fields_fold_into_few_columns_and_a_failures_message_stays_out():
    """Few columns, so a failed run's table fits a DAG run tab; a failure's message is in "What failed" only."""
    view = report_view(
        {"runId": "r", "dryRun": False, "outcome": "failed", "subscribers": [
            {"email": "a@x.example", "result": "provisioned", "isAdmin": True, "status": "provisioned",
             "httpStatus": 200, "attempts": 1, "subscriberId": "S1", "package": "webex_suite"},
            {"email": "b@x.example", "result": "failed", "httpStatus": 409, "errorCodes": [10022, 7],
             "message": "taken", "trackingId": "WWA_2", "attempts": 3},
            {"email": "c@x.example", "result": "pending_user_migration", "status": "pending",
             "message": "waits for the user's consent"},
        ]}
    )  # fmt: skip

    table = view.subscribers
    assert table.columns == ["email", "result", "package", "webexAnswer", "trackingId", "subscriberId"]
    failed, admin, pending = table.rows
    assert (failed["result"], failed["webexAnswer"]) == ("failed", "HTTP 409, errorCodes 10022, 7, 3 attempts")
    assert (admin["result"], admin["webexAnswer"]) == ("provisioned (administrator)", "HTTP 200")
    assert pending["result"] == "pending_user_migration (Webex status pending; waits for the user's consent)"
    assert "taken" not in str(table.rows)


def test_steps_keep_the_order_they_ran_in_and_a_failed_steps_message_is_said_once():
    view = report_view(
        {"runId": "r", "dryRun": False, "outcome": "failed",
         "subscribers": [{"email": "b@x.example", "result": "failed", "message": "taken"}],
         "steps": [
            {"taskId": "validate_order", "state": "success"},
            {"taskId": "provision_subscribers[0]", "state": "failed",
             "message": "1 of 1 subscribers failed (fix the order):\n  - b@x.example: taken (http 409)"},
            {"taskId": "request_setup_assistance", "state": "upstream_failed"},
        ]}
    )  # fmt: skip

    assert [row["taskId"] for row in view.steps.rows] == [
        "validate_order",
        "provision_subscribers[0]",
        "request_setup_assistance",
    ]
    assert [row.get("message") for row in view.steps.rows] == [None, None, None]
    assert [(f.what, f.reason) for f in view.failures] == [
        ("step provision_subscribers[0]", "1 of 1 subscribers failed (fix the order)"),
        ("b@x.example", "taken"),
    ]


def test_snake_case_reports_read_the_same():
    view = report_view(
        {
            "run_id": "manual__1",
            "dry_run": False,
            "outcome": "succeeded",
            "customer_name": "Acme",
            "subscribers": [{"email": "a", "result": "provisioned", "is_admin": True}],
        }
    )

    assert ("Customer", "Acme") in view.summary
    assert not view.failed
    assert view.failures == []
    assert view.subscribers.rows == [{"email": "a", "result": "provisioned (administrator)", "webexAnswer": None}]


def test_labels_and_camel_case():
    assert label("setupAssistReference") == "Setup assist reference"
    assert label("requested_not_sent") == "Requested not sent"
    assert camel("customer_external_id") == "customerExternalId"
    assert camel("orgId") == "orgId"


def test_a_report_that_needs_a_human_is_marked_so():
    view = report_view(
        {
            "runId": "order-8",
            "dryRun": False,
            "outcome": "succeeded, some users must consent",
            "subscribers": [{"email": "a@x.example", "result": "pending_user_migration"}],
        }
    )

    assert view.outcome == "needs_attention"
    assert view.problem == "1 user(s) must consent to join the customer's organisation"
    assert not view.failed
