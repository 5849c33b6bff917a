"""Constrained string types for the order, each enforced the same way by pydantic and by the JSON schema.

The Airflow trigger form validates with the JSON schema generated from these models, the pipeline with
pydantic; a rule that lived in only one of them would let an order pass the form and fail the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema


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


NonEmptyStr = Annotated[str, Field(min_length=1)]
"""Required text: blank (after stripping) is as good as missing."""

CountryCode = Annotated[
    str,
    Matches(r"^[A-Za-z]{2}$", "must be a 2-letter ISO 3166-1 alpha-2 country code, e.g. US"),
    AfterValidator(str.upper),
]
"""ISO 3166-1 alpha-2; accepted in any case and upper-cased, as the API and the US/CA rule expect."""

AddressLine = Annotated[str, Field(min_length=1, max_length=50)]
"""The API limits each address line to 50 characters."""

CustomerName = Annotated[str, Field(min_length=1), Matches(r"^[^%]*$", "must not contain the '%' character")]

LanguageCode = Annotated[
    str,
    Matches(r"^[a-z]{2}(_[A-Z]{2})?$", "must be an ISO 639-1 code, optionally with an ISO 3166 region: en or en_US"),
]

PhoneNumber = Annotated[
    str,
    Matches(r"^\+[1-9]\d{6,14}$", "must be an E.164 number: '+', country code and number, e.g. +12405551212"),
]

Extension = Annotated[str, Matches(r"^\d{2,10}$", "must be 2 to 10 digits")]
