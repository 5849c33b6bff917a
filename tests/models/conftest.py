"""Example orders shared by the model tests; each fixture returns a fresh dict that a test may mutate."""

from __future__ import annotations

from typing import Any

import pytest

HQ_ADDRESS = {
    "addressLine1": "771 Alder Drive",
    "addressLine2": "Cisco Site 5",
    "city": "Milpitas",
    "stateOrProvince": "CA",
    "zipOrPostalCode": "95035",
    "country": "US",
}


@pytest.fixture
def full_order() -> dict[str, Any]:
    """Calling, meetings and suite users, an add-on, limits and a setup-assistance request."""
    return {
        "provisioningId": "ZjViMzYxODctYzhkZC00NzI3LThiMmYtZjljNDQ3ZjI5MDQ2",
        "packages": ["webex_calling", "webex_meetings", "webex_suite", "cisco_calling_plan"],
        "externalId": "c1677a16-557a-4fb4-b48f-24adde57ec99",
        "address": dict(HQ_ADDRESS),
        "customerInfo": {"name": "John's Pizza", "primaryEmail": "john.anderson@example.com", "language": "en_US"},
        "provisioningParameters": {
            "calling": {
                "location": {
                    "name": "Head Office",
                    "address": dict(HQ_ADDRESS),
                    "timezone": "America/Los_Angeles",
                    "language": "en_us",
                    "emergencyLocationIdentifier": "95547321",
                }
            },
            "meetings": {"timezone": "America/Los_Angeles"},
            "packages": {"limits": {"webex_calling": 50, "webex_suite": 10}},
        },
        "subscribers": [
            {
                "email": "john.anderson@example.com",
                "packages": ["webex_suite"],
                "provisioningParameters": {
                    "firstName": "John",
                    "lastName": "Andersen",
                    "primaryPhoneNumber": "+12405551212",
                    "extension": "51212",
                },
            },
            {
                "email": "maria.lopez@example.com",
                "packages": ["webex_calling"],
                "provisioningParameters": {
                    "firstName": "Maria",
                    "lastName": "Lopez",
                    "extension": "51213",
                    "locationId": "Y2lzY29zcGFyazovL3VzL0xPQ0FUSU9OLzAxMjM0NTY3",
                },
            },
            {
                "email": "sam.lee@example.com",
                "packages": ["webex_meetings"],
                "provisioningParameters": {"firstName": "Sam", "lastName": "Lee"},
            },
        ],
        "setupAssistance": {
            "contactName": "Dana Ops",
            "contactEmail": "dana.ops@example.com",
            "contactPhone": "+12405550000",
            "preferredLanguage": "en",
            "notes": "Customer prefers mornings.",
        },
    }


@pytest.fixture
def minimal_order() -> dict[str, Any]:
    """Meetings only, outside US/CA, nothing optional."""
    return {
        "provisioningId": "tmpl-meetings",
        "packages": ["webex_meetings"],
        "externalId": "crm-0001",
        "address": {"addressLine1": "1 Rue de la Paix", "city": "Paris", "country": "FR"},
        "customerInfo": {"name": "Café Lumière", "primaryEmail": "owner@example.com"},
        "subscribers": [
            {
                "email": "owner@example.com",
                "packages": ["webex_meetings"],
                "provisioningParameters": {"firstName": "Claire", "lastName": "Martin"},
            }
        ],
    }


@pytest.fixture
def attach_order() -> dict[str, Any]:
    """Attach Wholesale to an existing org: ``orgId`` instead of ``customerInfo``, acting for a sub-partner."""
    return {
        "provisioningId": "tmpl-common-area",
        "packages": ["common_area_calling", "webex_meetings"],
        "orgId": "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi81MmNm",
        "externalId": "crm-0002",
        "address": {
            "addressLine1": "10 Queen St W",
            "city": "Toronto",
            "stateOrProvince": "ON",
            "zipOrPostalCode": "M5H 2N2",
            "country": "ca",
        },
        "provisioningParameters": {
            "calling": {
                "location": {
                    "name": "Lobby",
                    "address": {
                        "addressLine1": "10 Queen St W",
                        "city": "Toronto",
                        "stateOrProvince": "ON",
                        "zipOrPostalCode": "M5H 2N2",
                        "country": "CA",
                    },
                    "timezone": "America/Toronto",
                    "language": "en_us",
                }
            }
        },
        "subscribers": [
            {
                "email": "admin@example.org",
                "packages": ["webex_meetings"],
                "provisioningParameters": {"firstName": "Ada", "lastName": "Admin"},
            }
        ],
        "setupAssistance": None,
        "onBehalfOfSubPartnerOrgId": "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi8wZTE4",
    }
