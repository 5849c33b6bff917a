"""Valid request bodies for the simulator tests; each test breaks exactly the rule it is about."""

from __future__ import annotations

import copy
import itertools
import time
from typing import Any

import requests

_serial = itertools.count(1)

US_ADDRESS = {
    "addressLine1": "771 Alder Drive",
    "city": "Milpitas",
    "stateOrProvince": "CA",
    "zipOrPostalCode": "95035",
    "country": "US",
}
GB_ADDRESS = {"addressLine1": "10 Downing Street", "city": "London", "country": "GB"}


def customer_body(**overrides: Any) -> dict[str, Any]:
    """A new US customer on the ``demo-us-all`` template with calling and meetings (unique externalId)."""
    body: dict[str, Any] = {
        "provisioningId": "demo-us-all",
        "packages": ["webex_calling", "webex_meetings"],
        "externalId": f"test-customer-{next(_serial):05d}",
        "address": copy.deepcopy(US_ADDRESS),
        "customerInfo": {"name": "Acme Dental", "primaryEmail": "admin@acme.example.com", "language": "en_US"},
        "provisioningParameters": {
            "calling": {
                "location": {
                    "name": "Head Office",
                    "address": copy.deepcopy(US_ADDRESS),
                    "timezone": "America/Los_Angeles",
                    "language": "en_us",
                }
            }
        },
    }
    body.update(overrides)
    return body


def subscriber_body(customer_id: str, **overrides: Any) -> dict[str, Any]:
    """A calling subscriber with an extension (unique email)."""
    body: dict[str, Any] = {
        "customerId": customer_id,
        "email": f"user{next(_serial):05d}@acme.example.com",
        "packages": ["webex_calling"],
        "provisioningParameters": {"firstName": "Riley", "lastName": "Front", "extension": "1002"},
    }
    body.update(overrides)
    return body


def api_session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def wait_for_status(session: requests.Session, url: str, wanted: str, timeout: float = 5.0) -> dict[str, Any]:
    """Poll a customer until ``wanted`` (the lifecycle is time-based, so this only waits out the delay)."""
    deadline = time.monotonic() + timeout
    while True:
        body = session.get(url, timeout=5).json()
        if body.get("status") == wanted or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def provisioned_customer(session: requests.Session, base_url: str, **overrides: Any) -> dict[str, Any]:
    """Provision a customer and wait until it is ``provisioned``; returns its API body."""
    response = session.post(f"{base_url}/wholesale/customers", json=customer_body(**overrides), timeout=5)
    assert response.status_code == 202, response.text
    customer = wait_for_status(session, response.headers["Location"], "provisioned")
    assert customer["status"] == "provisioned", customer
    return customer
