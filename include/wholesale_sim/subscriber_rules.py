"""Request rules of the subscriber operations: provision, update and precheck (notes §5.8, §5.10, §5.12, §11).

Like the customer rules, these only raise. Rules that need state (the customer exists and is provisioned,
the email is free) live with the handlers, which own the state.
"""

from __future__ import annotations

from typing import Any

from wholesale_sim import field_rules as f
from wholesale_sim.errors import bad_request
from wholesale_sim.spec_enums import spec_enums

MEETINGS_ONLY = "webex_meetings"
ATTENDANT_CONSOLE_NEEDS = frozenset({"webex_calling", "webex_suite", "cx_essentials"})


def is_calling(package: str) -> bool:
    """Every subscriber package except Webex Meetings is calling-enabled (notes §4.1)."""
    return package != MEETINGS_ONLY


def the_package(body: dict[str, Any], *, required: bool) -> str | None:
    """The one package: ``packages`` with one element or the deprecated ``package``, never both."""
    has_list, has_single = body.get("packages") is not None, body.get("package") is not None
    if has_list and has_single:
        raise bad_request("Send either packages or the deprecated package, not both.")
    if has_single:
        package = body["package"]
        if not isinstance(package, str):
            raise bad_request("package must be a string.")
        f.one_of(package, spec_enums().subscriber_legacy_packages, "package")
        return package
    packages = f.string_list(body, "packages", "packages", required=False)
    if packages is None:
        if required:
            raise bad_request("packages is required: a list with exactly one package.")
        return None
    if len(packages) != 1:
        raise bad_request(f"packages must hold exactly one package, got {len(packages)}.")
    f.one_of(packages[0], spec_enums().subscriber_packages, "packages[0]")
    return packages[0]


def check_provision(body: dict[str, Any]) -> str:
    """``POST /wholesale/subscribers``; returns the subscriber's package."""
    f.text(body, "customerId", "customerId", required=True)
    f.email(body, "email", "email", required=True)
    package = the_package(body, required=True)
    params = f.obj(body, "provisioningParameters", "provisioningParameters", required=True)
    f.text(params, "firstName", "provisioningParameters.firstName", required=True)
    f.text(params, "lastName", "provisioningParameters.lastName", required=True)
    calling_details(params, package, stored={})
    return package


def check_update(body: dict[str, Any], stored: dict[str, Any]) -> str:
    """``PUT /wholesale/subscribers/{id}``; ``stored`` are the subscriber's current parameters."""
    package = the_package(body, required=True)
    params = f.obj(body, "provisioningParameters", "provisioningParameters", required=False) or {}
    calling_details(params, package, stored=stored)
    return package


def check_precheck(body: dict[str, Any]) -> str | None:
    """``POST /wholesale/subscribers/validate``: email, and a customer or a template to check it against."""
    f.email(body, "email", "email", required=True)
    customer_id = f.text(body, "customerId", "customerId", required=False)
    provisioning_id = f.text(body, "provisioningId", "provisioningId", required=False)
    if customer_id is None and provisioning_id is None:
        raise bad_request("Give customerId (an existing customer) or provisioningId (a customer to be provisioned).")
    info = f.obj(body, "customerInfo", "customerInfo", required=False)
    if info is not None:
        f.email(info, "primaryEmail", "customerInfo.primaryEmail", required=True)
    package = the_package(body, required=False)
    params = f.obj(body, "provisioningParameters", "provisioningParameters", required=False)
    if package is not None and params is not None:
        calling_details(params, package, stored={})
    return package


def calling_details(params: dict[str, Any], package: str, *, stored: dict[str, Any]) -> None:
    """Calling packages need an extension or a phone number; ``locationId`` only goes with them."""
    phone = f.phone_number(params, "primaryPhoneNumber", "provisioningParameters.primaryPhoneNumber")
    ext = f.extension(params, "extension", "provisioningParameters.extension")
    location = f.text(params, "locationId", "provisioningParameters.locationId", required=False)
    if is_calling(package):
        if not (phone or ext or stored.get("primaryPhoneNumber") or stored.get("extension")):
            raise bad_request(
                f"Package {package} is calling-enabled: provisioningParameters needs an extension "
                "or a primaryPhoneNumber (or both)."
            )
    elif location is not None:
        raise bad_request(f"provisioningParameters.locationId is only allowed with calling packages, not {package}.")
