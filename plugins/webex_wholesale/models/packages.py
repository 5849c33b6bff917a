"""Webex Wholesale package names and the rules between them, from the official OpenAPI file at HEAD (1be8332).

The enums grow over time (notes §4, §18.13): this module is the one place to add a value. Orders are validated
against these tuples; API responses are not (see ``responses``), so a newer package never breaks a poll.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

CUSTOMER_PACKAGES: tuple[str, ...] = (
    "common_area_calling",
    "webex_calling",
    "webex_meetings",
    "webex_suite",
    "webex_voice",
    "cx_essentials",
    "webex_calling_standard",
    "cisco_calling_plan",
    "attendant_console",
    "cx_premium_agent",
    "cx_standard_agent",
    "cx_voice_ports",
    "cx_ai_assistant",
    "webex_ai_agent",
)
"""``WholesalePackagesCustomer``: what ``packages`` of a customer may hold."""

SUBSCRIBER_PACKAGES: tuple[str, ...] = (
    "webex_calling",
    "webex_meetings",
    "webex_suite",
    "webex_voice",
    "cx_essentials",
    "webex_calling_standard",
    "attendant_console",
    "cx_premium_agent",
    "cx_standard_agent",
)
"""``WholesalePackagesSubscriber``: the one package a subscriber may hold."""

CUSTOMER_CALLING_PACKAGES: tuple[str, ...] = (
    "common_area_calling",
    "webex_calling",
    "webex_suite",
    "webex_voice",
    "cx_essentials",
    "webex_calling_standard",
)
"""Customer packages that need ``provisioningParameters.calling`` (the notes' minimal calling set, §4.1)."""

SUBSCRIBER_CALLING_PACKAGES: tuple[str, ...] = tuple(p for p in SUBSCRIBER_PACKAGES if p != "webex_meetings")
"""Subscriber packages that need an ``extension`` or ``primaryPhoneNumber`` and may carry a ``locationId``."""

PACKAGE_DEPENDENCIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "cisco_calling_plan": (
            "common_area_calling",
            "webex_calling",
            "webex_suite",
            "webex_voice",
            "cx_essentials",
            "webex_calling_standard",
        ),
        "attendant_console": ("webex_calling", "webex_suite", "cx_essentials"),
    }
)
"""Add-on package -> the packages of which the customer must also order at least one ("one of", notes §4.1)."""

LIMITABLE_PACKAGES: tuple[str, ...] = (
    "webex_calling",
    "common_area_calling",
    "webex_meetings",
    "webex_suite",
    "webex_voice",
    "cx_essentials",
    "webex_calling_standard",
    "attendant_console",
)
"""Packages that ``provisioningParameters.packages.limits`` may cap."""

# Literal types built from the tuples above, so pydantic and the generated JSON schema share one list.
CustomerPackage = Literal[CUSTOMER_PACKAGES]  # type: ignore[valid-type]
SubscriberPackage = Literal[SUBSCRIBER_PACKAGES]  # type: ignore[valid-type]
LimitablePackage = Literal[LIMITABLE_PACKAGES]  # type: ignore[valid-type]
