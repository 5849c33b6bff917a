"""The enums the simulator enforces, read from its shipped copy of the official OpenAPI file.

Reading them at start-up (instead of hard-coding) keeps the simulator in step with the spec: replacing
``spec/webex-wholesale.openapi.json`` with a newer version is enough to accept new packages (notes §18.13).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SPEC_RESOURCE = "webex-wholesale.openapi.json"


def load_spec() -> dict[str, Any]:
    """The official OpenAPI document as shipped in ``wholesale_sim/spec`` (a fresh dict on every call)."""
    return json.loads(resources.files("wholesale_sim").joinpath("spec", SPEC_RESOURCE).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class SpecEnums:
    """The value sets the request rules and filters check against."""

    customer_packages: tuple[str, ...]
    subscriber_packages: tuple[str, ...]
    subscriber_legacy_packages: tuple[str, ...]
    """Values of the deprecated single ``package`` field (a subset of ``subscriber_packages``)."""
    customer_statuses: tuple[str, ...]
    limitable_packages: tuple[str, ...]
    sub_partner_states: tuple[str, ...]


@cache
def spec_enums() -> SpecEnums:
    """Parse the enums once per process; the spec file does not change while the simulator runs."""
    spec = load_spec()
    schemas = spec["components"]["schemas"]
    provision_subscriber = _json_body_schema(spec, "/wholesale/subscribers", "post")
    provision_customer = _json_body_schema(spec, "/wholesale/customers", "post")
    limits = provision_customer["properties"]["provisioningParameters"]["properties"]["packages"]["properties"]
    return SpecEnums(
        customer_packages=tuple(schemas["WholesalePackagesCustomer"]["enum"]),
        subscriber_packages=tuple(schemas["WholesalePackagesSubscriber"]["enum"]),
        subscriber_legacy_packages=tuple(provision_subscriber["properties"]["package"]["enum"]),
        customer_statuses=tuple(schemas["Customer"]["properties"]["status"]["enum"]),
        limitable_packages=tuple(limits["limits"]["properties"]),
        sub_partner_states=tuple(schemas["SubPartner"]["properties"]["provisioningState"]["enum"]),
    )


def _json_body_schema(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
