"""Requests and bodies for the orders API tests."""

from __future__ import annotations

import json
from typing import Any

from ui_helpers import ROOT

API = "/wholesale/api/v1"
EXAMPLE_CSV = ROOT / "include" / "orders" / "example-subscribers.csv"
EXAMPLE_CUSTOMER = ROOT / "include" / "orders" / "example-customer.json"
#: What a browser adds to a request a page of the same site sends.
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def csv_parts(csv_text: str, customer: dict[str, Any] | str) -> dict[str, tuple[str, str, str]]:
    """The multipart files of a CSV import: the subscribers and the customer order."""
    customer_text = customer if isinstance(customer, str) else json.dumps(customer)
    return {
        "subscribers": ("subscribers.csv", csv_text, "text/csv"),
        "customer": ("customer.json", customer_text, "application/json"),
    }


def example_csv_parts() -> dict[str, tuple[str, str, str]]:
    return csv_parts(EXAMPLE_CSV.read_text(), EXAMPLE_CUSTOMER.read_text())
