"""Values Webex refuses, and edge values it accepts, in the fields it checks for meaning: one table for every entry
point (the models, the form's schemas, ``validate_order``, the queue's import and a dry run).

Each row changes one field of the demo order (a US customer with calling and meetings); ``also`` changes others
first (the order's country, which decides how a number without ``+`` is read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from helpers import demo_order

COUNTRY = "address.country"
LOCATION_COUNTRY = "provisioningParameters.calling.location.address.country"
LANGUAGE = "customerInfo.language"
LOCATION_LANGUAGE = "provisioningParameters.calling.location.language"
LOCATION_ZONE = "provisioningParameters.calling.location.timezone"
MEETINGS_ZONE = "provisioningParameters.meetings.timezone"
PHONE = "subscribers[1].provisioningParameters.primaryPhoneNumber"
#: The row of ``PHONE``'s subscriber in a CSV of the demo order's subscribers (line 1 is the header).
PHONE_CSV_LINE = 3

_NOT_A_COUNTRY = "is not an ISO 3166-1 alpha-2 country code"
_NOT_A_LOCALE = "is not a known language and region"
_NOT_A_ZONE = "is not a time zone on Webex's list"


@dataclass(frozen=True)
class Value:
    """``value`` written at ``path``; ``reason`` (a fragment) and ``suggestion`` when refused, ``sent`` when not."""

    path: str
    value: str
    reason: str | None = None
    suggestion: str | None = None
    sent: str | None = None
    form: bool = False
    """Whether the trigger form's schema refuses it too (what a pattern or an enum can say)."""
    also: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.path.rsplit('.', 1)[-1]}={self.value!r}" + "".join(f",{v}" for v in self.also.values())

    def order(self) -> dict[str, Any]:
        """The demo order with this value (and ``also``) written in."""
        order = demo_order()
        for path, value in {**self.also, self.path: self.value}.items():
            set_path(order, path, value)
        return order


def set_path(order: dict[str, Any], path: str, value: Any) -> None:
    """Write ``value`` at a path as refusals name it: ``subscribers[1].provisioningParameters.extension``."""
    *parents, leaf = [int(key) if key.isdigit() else key for key in re.findall(r"[^.\[\]]+", path)]
    target: Any = order
    for key in parents:
        target = target[key]
    target[leaf] = value


BAD = [
    # Countries: two letters are not enough, and names or alpha-3 codes get their code as a suggestion.
    Value(COUNTRY, "XX", _NOT_A_COUNTRY, form=True),
    Value(COUNTRY, "ZZ", _NOT_A_COUNTRY, form=True),
    Value(COUNTRY, "EU", _NOT_A_COUNTRY, form=True),
    Value(COUNTRY, "UK", _NOT_A_COUNTRY, form=True),
    Value(COUNTRY, "AA", _NOT_A_COUNTRY, form=True),
    Value(COUNTRY, "QZ", _NOT_A_COUNTRY, form=True),
    Value(COUNTRY, "U1", _NOT_A_COUNTRY, form=True),
    Value(COUNTRY, "usa", _NOT_A_COUNTRY, "US", form=True),
    Value(COUNTRY, "United States", _NOT_A_COUNTRY, "US", form=True),
    Value(LOCATION_COUNTRY, "XX", _NOT_A_COUNTRY, form=True),
    Value(LOCATION_COUNTRY, "zz", _NOT_A_COUNTRY, form=True),
    Value(LOCATION_COUNTRY, "DEU", _NOT_A_COUNTRY, "DE", form=True),
    # The customer's language, as the spec spells it: ll or ll_CC of a locale that exists.
    Value(LANGUAGE, "xx_YY", _NOT_A_LOCALE),
    Value(LANGUAGE, "en_XX", _NOT_A_LOCALE, "en"),
    Value(LANGUAGE, "zz", _NOT_A_LOCALE),
    Value(LANGUAGE, "english", "is not a language code", form=True),
    Value(LANGUAGE, "e", "is not a language code", form=True),
    Value(LANGUAGE, "EN", "must be spelled ll or ll_CC", "en", form=True),
    Value(LANGUAGE, "en_us", "must be spelled ll or ll_CC", "en_US", form=True),
    Value(LANGUAGE, "en-US", "must be spelled ll or ll_CC", "en_US", form=True),
    # The calling location's language: any case, but a locale that exists.
    Value(LOCATION_LANGUAGE, "xx_yy", _NOT_A_LOCALE),
    Value(LOCATION_LANGUAGE, "en_zz", _NOT_A_LOCALE, "en"),
    Value(LOCATION_LANGUAGE, "english", "is not a language code", form=True),
    Value(LOCATION_LANGUAGE, "en_us_x", "is not a language code", form=True),
    # Time zones: only Webex's list, exactly as spelled there; the closest zone is suggested.
    Value(LOCATION_ZONE, "America/Los_Angles", _NOT_A_ZONE, "America/Los_Angeles", form=True),
    Value(LOCATION_ZONE, "america/los_angeles", _NOT_A_ZONE, "America/Los_Angeles", form=True),
    Value(LOCATION_ZONE, "US/Pacific", _NOT_A_ZONE, "America/Los_Angeles", form=True),
    Value(LOCATION_ZONE, "Asia/Calcutta", _NOT_A_ZONE, "Asia/Kolkata", form=True),
    Value(LOCATION_ZONE, "America/Buenos_Aires", _NOT_A_ZONE, "America/Argentina/Buenos_Aires", form=True),
    Value(LOCATION_ZONE, "UTC", _NOT_A_ZONE, form=True),
    Value(LOCATION_ZONE, "Etc/GMT+5", _NOT_A_ZONE, form=True),
    Value(LOCATION_ZONE, "Pacific Standard Time", _NOT_A_ZONE, form=True),
    Value(MEETINGS_ZONE, "America/Los_Angles", _NOT_A_ZONE, "America/Los_Angeles", form=True),
    Value(MEETINGS_ZONE, "Europe/Londn", _NOT_A_ZONE, "Europe/London", form=True),
    Value(MEETINGS_ZONE, "Mars/Olympus_Mons", _NOT_A_ZONE, form=True),
    # Phone numbers: valid for their country, in E.164 or read in the order's country.
    Value(PHONE, "+10005551212", "no such number"),
    Value(PHONE, "+1240555121", "too short"),
    Value(PHONE, "+1-240-555-12", "too short"),
    Value(PHONE, "+4420794609580", "too long"),
    Value(PHONE, "+0123456789", "country code is not one in use"),
    Value(PHONE, "+999123456789", "country code is not one in use"),
    Value(PHONE, "5551212", "is not a valid phone number in US"),
    Value(PHONE, "442079460958", "is not a valid phone number in US", "+442079460958"),
    Value(PHONE, "phone", "is not a phone number", form=True),
    Value(PHONE, "+1 240 555 12x", "is not a phone number", form=True),
    Value(PHONE, "4915112345678", "is ambiguous: +494915112345678 in DE, or +4915112345678", also={COUNTRY: "DE"}),
]

GOOD = [
    Value(COUNTRY, "us", sent="US"),
    Value(LOCATION_COUNTRY, "us", sent="US"),
    Value(COUNTRY, "GB", sent="GB"),
    Value(LANGUAGE, "en", sent="en"),
    Value(LANGUAGE, "en_US", sent="en_US"),
    Value(LANGUAGE, "fr_CA", sent="fr_CA"),
    Value(LANGUAGE, "pt_BR", sent="pt_BR"),
    Value(LOCATION_LANGUAGE, "en_us", sent="en_us"),
    Value(LOCATION_LANGUAGE, "en_US", sent="en_us"),
    Value(LOCATION_LANGUAGE, "fr_CA", sent="fr_ca"),
    Value(LOCATION_LANGUAGE, "en", sent="en"),
    Value(LOCATION_ZONE, "America/Argentina/Buenos_Aires", sent="America/Argentina/Buenos_Aires"),
    Value(LOCATION_ZONE, "America/Indiana/Indianapolis", sent="America/Indiana/Indianapolis"),
    Value(MEETINGS_ZONE, "America/Kentucky/Louisville", sent="America/Kentucky/Louisville"),
    Value(MEETINGS_ZONE, "Europe/Kyiv", sent="Europe/Kyiv"),
    Value(PHONE, "+14085550102", sent="+14085550102"),
    Value(PHONE, "(408) 555-0102", sent="+14085550102"),
    Value(PHONE, "408-555-0102", sent="+14085550102"),
    Value(PHONE, "14085550102", sent="+14085550102"),
    Value(PHONE, "+1-408-555-0102", sent="+14085550102"),
    Value(PHONE, "020 7946 0958", sent="+442079460958", also={COUNTRY: "GB"}),
    Value(PHONE, "01 42 68 53 00", sent="+33142685300", also={COUNTRY: "FR"}),
    Value(PHONE, "030 1234567", sent="+49301234567", also={COUNTRY: "DE"}),
]
