"""Constrained string types for the order: each rule once, enforced by pydantic and, as far as a JSON schema can
say it, by the trigger form.

The Airflow trigger form validates with the JSON schema generated from these models, the pipeline with pydantic.
A rule a schema can say whole (a pattern, an exact list of countries or time zones) is in both, so the form refuses
early; for the rest (a locale that exists, a phone number in use) the form checks the shape and the models the
meaning, still before any API call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from webex_wholesale.models import _accepted as accepted

ORDER_REGION = "orderRegion"
"""Validation-context key: the order's ``address.country``, in which a phone number without ``+`` is read.

pydantic validates a subscriber without seeing the order around it, so ``parse_order`` hands the country down.
"""


@dataclass(frozen=True)
class Matches:
    """Require ``regex`` (anchored, as JSON schema's ``pattern`` searches) and explain a mismatch in words.

    pydantic's own ``pattern`` constraint would report only the regex, which means little to an operator.
    """

    regex: str
    reason: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        compiled = re.compile(self.regex)

        def check(value: str) -> str:
            if compiled.search(value) is None:
                raise PydanticCustomError("pattern_mismatch", self.reason)
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.regex
        return json_schema


@dataclass(frozen=True)
class Accepted:
    """Check a value with one of :mod:`~webex_wholesale.models._accepted`'s checks, which may normalize it, and
    give the form the part of the rule a JSON schema can say (an ``enum`` or a ``pattern``) with ``description``.

    A refusal's message carries the check's reason and suggestion; ``check`` gets the validation info for the
    rules that depend on the rest of the order (a phone number's country).
    """

    check: Callable[[str, ValidationInfo], str]
    json_schema: Callable[[], dict[str, Any]]
    description: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        def check(value: str, info: ValidationInfo) -> str:
            try:
                return self.check(value, info)
            except accepted.Refused as refused:
                raise PydanticCustomError("value_refused", "{reason}", {"reason": str(refused)}) from None

        return core_schema.with_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), "description": self.description, **self.json_schema()}


NonEmptyStr = Annotated[str, Field(min_length=1)]
"""Required text: blank (after stripping) is as good as missing."""

CountryCode = Annotated[
    str,
    Accepted(
        lambda value, _: accepted.country(value),
        lambda: {"pattern": accepted.country_pattern()},
        "ISO 3166-1 alpha-2 code of a country, e.g. US (any case)",
    ),
]
"""ISO 3166-1 alpha-2 of a country that exists; accepted in any case and upper-cased, as the API expects."""

AddressLine = Annotated[str, Field(min_length=1, max_length=50)]
"""The API limits each address line to 50 characters."""

CustomerName = Annotated[str, Field(min_length=1), Matches(r"^[^%]*$", "must not contain the '%' character")]

LanguageCode = Annotated[
    str,
    Accepted(
        lambda value, _: accepted.customer_language(value),
        lambda: {"pattern": accepted.CUSTOMER_LANGUAGE_SHAPE},
        "ISO 639-1 language, optionally with its ISO 3166 region: en or en_US",
    ),
]
"""``customerInfo.language``: a known locale, spelled ``{ISO-639-1}_{ISO-3166}`` or ``{ISO-639-1}`` as the spec says."""

LocationLanguage = Annotated[
    str,
    Accepted(
        lambda value, _: accepted.location_language(value),
        lambda: {"pattern": accepted.LOCALE_SHAPE},
        "language of the location's emails and announcements, e.g. en_us",
    ),
]
"""A calling location's ``language``: a known locale in the spec's own spelling, ``en_us`` (``en_US`` is the same)."""

TimeZone = Annotated[
    str,
    Accepted(
        lambda value, _: accepted.time_zone(value),
        lambda: {"enum": list(accepted.time_zones())},
        "IANA time zone on Webex's list, e.g. America/Los_Angeles",
    ),
]
"""A time zone on Webex's list; an enum in the form, so the form refuses a misspelling itself."""

PhoneNumber = Annotated[
    str,
    Accepted(
        lambda value, info: accepted.phone_number(value, (info.context or {}).get(ORDER_REGION)),
        lambda: {"pattern": accepted.PHONE_SHAPE},
        "E.164 (+12405551212), or a national number of the order's address.country",
    ),
]
"""A valid number, sent in E.164; without ``+`` it is read in the country of the order (see ``ORDER_REGION``)."""

Extension = Annotated[str, Matches(r"^\d{2,10}$", "must be 2 to 10 digits")]
