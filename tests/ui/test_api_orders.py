"""The orders API end to end against a real (SQLite) state database: in, refused, followed, retried, taken away."""

from __future__ import annotations

import csv
import io
import json

import pytest
from api_helpers import API, EXAMPLE_CUSTOMER, csv_parts, example_csv_parts
from ui_helpers import FAILED_EMAIL, FAILED_REASON, FAILED_TRACKING_ID, mounted_client, order_data

from webex_wholesale.queue.cli import main as queue_cli
from webex_wholesale.queue.export import EXPORT_COLUMNS


@pytest.fixture
def api(anonymous, bearer):
    """A client writing as a ``user`` with a Bearer token, as a sales system would."""
    anonymous.headers.update(bearer("user"))
    return anonymous


def bad_csv() -> str:
    """The example CSV with a bad email on line 3 and a calling user without a number on line 5."""
    lines = (EXAMPLE_CUSTOMER.parent / "example-subscribers.csv").read_text().splitlines()
    lines[2] = lines[2].replace("reception@bayside-vet.example.com", "reception-at-bayside")
    lines[4] = "dr.kim@bayside-vet.example.com,webex_calling,Robin,Kim,,,"
    return "\n".join(lines) + "\n"


def test_one_order_is_queued_with_its_location(api):
    response = api.post(f"{API}/orders", json=order_data("api-0001"))

    assert response.status_code == 201, response.text
    (created,) = response.json()["orders"]
    assert created["externalId"] == "api-0001"
    assert created["state"] == "queued"
    assert created["source"] == "API, user user-1: body"
    assert response.headers["location"] == f"{API}/orders/{created['id']}" == created["url"]
    assert api.get(response.headers["location"]).json()["order"]["externalId"] == "api-0001"


def test_a_list_is_queued_whole_and_points_at_the_list(api):
    response = api.post(f"{API}/orders", json=[order_data("api-a"), order_data("api-b")])

    assert response.status_code == 201
    assert [o["externalId"] for o in response.json()["orders"]] == ["api-a", "api-b"]
    assert response.headers["location"] == f"{API}/orders"


def test_a_csv_with_its_customer_is_queued_as_one_order(api):
    response = api.post(f"{API}/orders", files=example_csv_parts())

    assert response.status_code == 201, response.text
    (created,) = response.json()["orders"]
    assert (created["externalId"], created["subscriberCount"]) == ("bayside-vet-0001", 4)


def test_one_bad_order_refuses_the_list_naming_index_field_and_reason(api):
    bad = order_data("api-bad")
    bad["address"]["country"] = "USA"
    response = api.post(f"{API}/orders", json=[order_data("api-good"), bad])

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "refused: 1 problem, nothing was queued"
    (problem,) = body["problems"]
    assert (problem["where"], problem["index"], problem["field"]) == ("body[1]", 1, "address.country")
    assert api.get(f"{API}/orders").json()["total"] == 0


def test_a_bad_csv_is_refused_with_the_problems_wholesale_queue_add_gives(api, tmp_path, capsys):
    response = api.post(f"{API}/orders", files=csv_parts(bad_csv(), EXAMPLE_CUSTOMER.read_text()))
    path = tmp_path / "users.csv"
    path.write_text(bad_csv())
    assert queue_cli(["add", str(path), "--customer", str(EXAMPLE_CUSTOMER)]) == 1

    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(3, "email"), (5, "extension")]
    cli_lines = capsys.readouterr().err.splitlines()[1:]
    assert cli_lines == [f"  - {path} line {p['line']}: {p['field']}: {p['reason']}" for p in problems]
    assert api.get(f"{API}/orders").json()["total"] == 0


@pytest.mark.parametrize(
    ("files", "field"),
    [
        ({"subscribers": ("s.csv", "email\n", "text/csv")}, "subscribers"),
        ({"notes": ("n.txt", "hi", "text/plain")}, "notes"),
    ],
    ids=["csv-without-customer", "unknown-part"],
)
def test_a_form_without_the_parts_it_needs_is_refused_naming_the_parts_it_got(api, files, field):
    response = api.post(f"{API}/orders", files=files)

    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert (problem["where"], problem["field"]) == ("<request>", field)
    assert "multipart/form-data with a part 'orders'" in problem["reason"]


def test_other_content_types_get_415(api):
    response = api.post(f"{API}/orders", content=b"externalId=x", headers={"Content-Type": "text/plain"})

    assert response.status_code == 415


def test_an_external_id_already_queued_gets_409(api):
    assert api.post(f"{API}/orders", json=order_data("twice")).status_code == 201
    response = api.post(f"{API}/orders", json=order_data("twice"))

    assert response.status_code == 409
    assert "externalId 'twice' is order 1 (queued); nothing was queued" in response.json()["detail"]


def test_a_body_over_the_limit_gets_413_before_it_is_parsed(sqlite_engine, bearer, monkeypatch):
    from webex_wholesale.ui import intake

    monkeypatch.setattr(intake, "load_json", lambda *_: pytest.fail("an over-limit body reached the loader"))
    client = mounted_client(sqlite_engine, max_body_bytes=1024)[1]
    body = json.dumps(order_data("big-0001")).encode()
    assert len(body) > 1024

    declared = client.post(
        f"{API}/orders", content=body, headers={**bearer("user"), "Content-Type": "application/json"}
    )
    chunked = client.post(
        f"{API}/orders",
        content=(body[i : i + 256] for i in range(0, len(body), 256)),  # no Content-Length: counted as it arrives
        headers={**bearer("user"), "Content-Type": "application/json"},
    )

    for response in (declared, chunked):
        assert response.status_code == 413
        assert "over the limit of 1024 bytes" in response.json()["detail"]


def test_orders_are_listed_filtered_by_state_and_external_id_and_paged(api, seeded):
    everything = api.get(f"{API}/orders").json()
    failed = api.get(f"{API}/orders", params={"state": "failed"}).json()
    one = api.get(f"{API}/orders", params={"externalId": "initech-0003"}).json()
    page = api.get(f"{API}/orders", params={"limit": 2, "offset": 2}).json()

    assert everything["total"] == 3
    assert [o["externalId"] for o in failed["orders"]] == ["acme-dental-0001"]
    assert [o["externalId"] for o in one["orders"]] == ["initech-0003"]
    assert (page["total"], len(page["orders"]), page["offset"]) == (3, 1, 2)
    assert page["orders"][0]["id"] == everything["orders"][2]["id"]
    assert api.get(f"{API}/orders", params={"state": "lost"}).status_code == 422


def test_an_order_shows_its_history_runs_outcomes_and_audit(api, seeded):
    order = api.get(f"{API}/orders/{seeded.failed_order}").json()

    assert order["state"] == "failed"
    assert [t["toState"] for t in order["transitions"]] == ["queued", "claimed", "running", "failed"]
    assert [r["dagRunId"] for r in order["runs"]] == [seeded.failed_run]
    failed = [o for o in order["outcomes"] if o["result"] == "failed"]
    assert [(o["email"], o["trackingId"], o["errorCodes"]) for o in failed] == [
        (FAILED_EMAIL, FAILED_TRACKING_ID, [400106])
    ]
    assert order["auditTotal"] == len(order["audit"]) == 4
    assert order["outcomesUrl"] == f"{API}/orders/{seeded.failed_order}/outcomes.csv"


def test_retry_and_cancel_follow_the_life_cycle_and_say_why_not(api, seeded):
    illegal = api.post(f"{API}/orders/{seeded.queued_order}/retry")
    final = api.post(f"{API}/orders/{seeded.succeeded_order}/cancel")
    missing = api.post(f"{API}/orders/999/retry")
    retried = api.post(f"{API}/orders/{seeded.failed_order}/retry")

    assert illegal.status_code == final.status_code == 409
    assert "cannot go from 'queued' to 'queued'" in illegal.json()["detail"]
    assert "allowed from 'succeeded': none: it is final" in final.json()["detail"]
    assert missing.status_code == 404
    assert (retried.status_code, retried.json()["state"]) == (200, "queued")
    history = api.get(f"{API}/orders/{seeded.failed_order}").json()["transitions"]
    assert history[-1]["reason"] == "retry requested by user-1 (orders API)"


def test_outcomes_csv_has_one_row_per_subscriber_in_the_import_columns(api, seeded):
    response = api.get(f"{API}/orders/{seeded.failed_order}/outcomes.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "acme-dental-0001-outcomes.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    order = api.get(f"{API}/orders/{seeded.failed_order}").json()["order"]
    assert [r["email"] for r in rows] == [s["email"] for s in order["subscribers"]]
    (failed,) = [r for r in rows if r["result"] == "failed"]
    assert failed["email"] == FAILED_EMAIL
    assert (failed["errorCodes"], failed["trackingId"], failed["message"]) == (
        "400106",
        FAILED_TRACKING_ID,
        FAILED_REASON,
    )
    source = next(s for s in order["subscribers"] if s["email"] == FAILED_EMAIL)
    assert (failed["package"], failed["firstName"]) == (
        source["packages"][0],
        source["provisioningParameters"]["firstName"],
    )


def test_the_failed_rows_of_an_export_go_back_in_as_they_are(api, seeded):
    """The round trip: export, keep the failed rows, queue them again for the same customer."""
    exported = api.get(f"{API}/orders/{seeded.failed_order}/outcomes.csv").text
    header, *rows = exported.splitlines()
    failed_rows = [row for row in rows if ",failed," in row]
    customer = api.get(f"{API}/orders/{seeded.failed_order}").json()["order"]
    customer.pop("subscribers")

    response = api.post(f"{API}/orders", files=csv_parts("\n".join([header, *failed_rows]) + "\n", customer))

    assert response.status_code == 201, response.text
    (again,) = response.json()["orders"]
    assert (again["externalId"], again["subscriberCount"]) == ("acme-dental-0001", 1)
    queued = api.get(again["url"]).json()["order"]["subscribers"]
    assert [s["email"] for s in queued] == [FAILED_EMAIL]


def test_the_schema_is_served_to_readers_and_documents_the_routes(api, bearer):
    api.headers.update(bearer("viewer"))
    schema = api.get(f"{API}/openapi.json").json()

    assert schema["servers"] == [{"url": API}]
    assert set(schema["paths"]) == {
        "/orders",
        "/orders/{order_id}",
        "/orders/{order_id}/retry",
        "/orders/{order_id}/cancel",
        "/orders/{order_id}/outcomes.csv",
    }
    body = schema["paths"]["/orders"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    assert "externalId" in schema["components"]["schemas"]["OnboardingOrder"]["properties"]
    assert "422" in schema["paths"]["/orders"]["post"]["responses"]
    assert schema["components"]["securitySchemes"]["airflowToken"]["scheme"] == "bearer"


def test_a_due_date_is_kept_and_shown(api):
    order = {**order_data("due-api-0001"), "notBefore": "2099-01-01T09:00:00+01:00"}

    created = api.post(f"{API}/orders", json=order).json()["orders"][0]
    naive = api.post(f"{API}/orders", json={**order_data("due-api-0002"), "notBefore": "2099-01-01T09:00:00"})

    assert created["notBefore"] == "2099-01-01T08:00:00Z"
    assert api.get(f"{API}/orders", params={"externalId": "due-api-0001"}).json()["orders"][0]["notBefore"] == (
        "2099-01-01T08:00:00Z"
    )
    assert naive.status_code == 422
    assert naive.json()["problems"][0]["field"] == "notBefore"


def test_values_the_checks_normalized_are_told_as_wholesale_queue_add_tells_them(api):
    order = order_data("normalized-0001")
    order["address"]["country"] = "us"

    response = api.post(f"{API}/orders", json=order)

    assert response.status_code == 201
    assert response.json()["normalized"] == [
        {"where": "body", "index": None, "line": None, "field": "address.country", "reason": "'us' is sent as 'US'"}
    ]
