"""The pages on PostgreSQL (the state database a distributed deployment uses): same data, same pages."""

from __future__ import annotations

import pytest
from helpers.state_db import migrated_engine
from ui_helpers import DAG_ID, FAILED_REASON, mounted_client, seed


@pytest.fixture
def pg_browser(postgres_url, mint_token):
    engine = migrated_engine(postgres_url)
    seeded = seed(engine)
    client = mounted_client(engine)[1]
    client.cookies.set("_token", mint_token())
    yield client, seeded
    engine.dispose()


def test_every_page_renders_from_postgresql(pg_browser):
    client, seeded = pg_browser

    orders = client.get("/wholesale/orders", params={"q": "ACME"})
    assert orders.status_code == 200
    assert "acme-dental-0001" in orders.text
    assert "globex-clinic-0002" not in orders.text
    assert "all: 5" in client.get("/wholesale/orders").text  # three queued orders, two ad-hoc runs
    assert "umbrella-ad-hoc-0009" in client.get("/wholesale/orders", params={"state": "succeeded"}).text
    assert "umbrella-ad-hoc-0009" not in client.get("/wholesale/orders", params={"state": "failed"}).text

    order = client.get(f"/wholesale/orders/{seeded.failed_order}")
    assert order.status_code == 200
    assert "Audit records (4, failures first)" in order.text
    assert FAILED_REASON in order.text

    run = client.get(f"/wholesale/runs/{DAG_ID}/{seeded.adhoc_run}")
    assert run.status_code == 200
    assert "Umbrella Labs" in run.text
    assert "Audit records (2, failures first)" in run.text
