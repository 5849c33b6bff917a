"""Shared constants and helpers for the API client tests (a uniquely named module, importable from tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest

BASE = "https://webex.test/v1"
TOKEN = "unit-test-token-d41d8cd98f00b204"


def set_connection(monkeypatch: pytest.MonkeyPatch, conn_id: str = "webex_wholesale_default", **fields: Any) -> None:
    """Inject a connection the way a deployment does: an AIRFLOW_CONN_<ID> JSON variable."""
    body = {"conn_type": "webex_wholesale", **fields}
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(body))


def api_lines(captured: list[dict[str, Any]]) -> list[str]:
    """The hook's one-line-per-attempt log events."""
    return [e["event"] for e in captured if str(e.get("event", "")).startswith("webex_api_call ")]


CUSTOMERS = f"{BASE}/wholesale/customers"
SUBSCRIBERS = f"{BASE}/wholesale/subscribers"
OK_LIST = {"json": {"items": []}, "status_code": 200}


def error_body(message="Invalid request", code=None, tracking="ROUTER_1"):
    body = {"message": message, "trackingId": tracking, "errors": [{"description": message}]}
    if code is not None:
        body["errors"][0]["errorCode"] = code
    return body


OAUTH_EXTRA = {"client_id": "cid", "client_secret": "client-secret-value", "refresh_token": "refresh-token-value"}
TOKEN_URL = f"{BASE}/access_token"


def token_response(token, **more):
    return {"json": {"access_token": token, "expires_in": 1209600, "token_type": "Bearer", **more}}
