"""Base classes: every model speaks the API's camelCase on the wire and snake_case in Python."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """camelCase aliases, accepted by either name; ``model_dump()`` gives camelCase too (XCom, API bodies).

    ``defer_build``: a model's validator is built on its first use, not when the module is imported. Every parse
    of the onboarding DAG file imports the models through the operators, and building all of them (with the
    email validator they pull in) cost about 70 ms of CPU per parse; a task builds only the models it uses.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, defer_build=True
    )


class OrderModel(CamelModel):
    """Part of an onboarding order: strict about shape, because a typo must fail before any API call."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApiModel(CamelModel):
    """Part of an API response: tolerant, because Webex adds fields and enum values without notice.

    Unknown fields are kept (``extra="allow"``) so that dumping a response gives back what Webex sent.
    """

    model_config = ConfigDict(extra="allow")
