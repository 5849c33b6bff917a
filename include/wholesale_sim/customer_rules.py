"""Request rules of the customer operations: provision, update and precheck (notes §5.2, §5.4, §5.6).

The functions only raise; they never change state, so the precheck can run the same rules as a provision
and create nothing.
"""

from __future__ import annotations

import re
from typing import Any

from wholesale_sim import field_rules as f
from wholesale_sim.catalog import Template
from wholesale_sim.errors import SIM_PACKAGE_NOT_ALLOWED, SIM_UNKNOWN_PROVISIONING_ID, bad_request
from wholesale_sim.spec_enums import spec_enums

CALLING_PACKAGES = frozenset(
    {"common_area_calling", "webex_calling", "webex_suite", "webex_voice", "cx_essentials", "webex_calling_standard"}
)
"""Customer packages that need ``provisioningParameters.calling`` (the notes' minimal calling set, §4.1)."""

PACKAGE_DEPENDENCIES: dict[str, frozenset[str]] = {
    "cisco_calling_plan": CALLING_PACKAGES,
    "attendant_console": frozenset({"webex_calling", "webex_suite", "cx_essentials"}),
}
"""Add-on -> packages of which at least one must be ordered too (the spec's "is dependent on" notes)."""

CUSTOMER_LANGUAGE = re.compile(r"^[a-z]{2}(_[A-Z]{2})?$")
LOCATION_LANGUAGE = re.compile(r"^[a-z]{2}(_[A-Za-z]{2})?$")  # the spec's example is "en_us"


def check_provision(body: dict[str, Any], templates: dict[str, Template]) -> None:
    """``POST /wholesale/customers``: everything the spec and notes require of a new customer."""
    template = known_template(body, templates, required=True)
    packages = packages_of(body, template, required=True)
    f.text(body, "externalId", "externalId", required=True)
    org_id = f.text(body, "orgId", "orgId", required=False)
    f.address(body, "address", "address", required=True)
    customer_info(body, required=org_id is None, precheck=False)
    provisioning_parameters(body, packages, calling_known=False)
    f.email(body, "subPartnerAdminEmail", "subPartnerAdminEmail", required=False)


def check_precheck(body: dict[str, Any], templates: dict[str, Template]) -> None:
    """``POST /wholesale/customers/validate``: the provision rules, but only ``address`` is required."""
    template = known_template(body, templates, required=False)
    packages = packages_of(body, template, required=False) or []
    f.text(body, "externalId", "externalId", required=False)
    f.text(body, "orgId", "orgId", required=False)
    f.address(body, "address", "address", required=True)
    customer_info(body, required=False, precheck=True)
    provisioning_parameters(body, packages, calling_known=False)


def check_update(body: dict[str, Any], template: Template | None, *, calling_known: bool) -> None:
    """``PUT /wholesale/customers/{id}``: ``packages`` is the complete new set; calling needs a location once."""
    packages = packages_of(body, template, required=True)
    f.text(body, "externalId", "externalId", required=False)
    f.address(body, "address", "address", required=False)
    provisioning_parameters(body, packages, calling_known=calling_known)
    f.email(body, "subPartnerAdminEmail", "subPartnerAdminEmail", required=False)


def has_calling_location(body: dict[str, Any]) -> bool:
    """Whether a (valid) request carried ``provisioningParameters.calling.location``."""
    return bool(((body.get("provisioningParameters") or {}).get("calling") or {}).get("location"))


def known_template(body: dict[str, Any], templates: dict[str, Template], *, required: bool) -> Template | None:
    provisioning_id = f.text(body, "provisioningId", "provisioningId", required=required)
    if provisioning_id is None:
        return None
    template = templates.get(provisioning_id)
    if template is None:
        raise bad_request(
            f"Unknown provisioningId {provisioning_id!r}: no onboarding template has this Provisioning ID.",
            SIM_UNKNOWN_PROVISIONING_ID,
        )
    return template


def packages_of(body: dict[str, Any], template: Template | None, *, required: bool) -> list[str] | None:
    """The spec enum, the template's allowed set, and the add-on dependencies."""
    packages = f.string_list(body, "packages", "packages", required=required)
    if packages is None:
        return None
    for i, package in enumerate(packages):
        f.one_of(package, spec_enums().customer_packages, f"packages[{i}]")
    if template is not None:
        refused = [p for p in packages if p not in template.packages]
        if refused:
            raise bad_request(
                f"Package(s) {', '.join(refused)} not allowed by the onboarding template {template.name!r} "
                f"(provisioningId {template.provisioning_id!r}); it allows: {', '.join(sorted(template.packages))}.",
                SIM_PACKAGE_NOT_ALLOWED,
            )
    for addon, needs in PACKAGE_DEPENDENCIES.items():
        if addon in packages and not needs.intersection(packages):
            raise bad_request(f"Package {addon} needs one of these packages too: {', '.join(sorted(needs))}.")
    return packages


def customer_info(body: dict[str, Any], *, required: bool, precheck: bool) -> None:
    """Mandatory for a new customer (no ``orgId``); in a precheck only ``primaryEmail`` is required within it."""
    info = f.obj(body, "customerInfo", "customerInfo", required=required)
    if info is None:
        if required:
            raise bad_request("customerInfo is required for a new customer (a request without orgId).")
        return
    name = f.text(info, "name", "customerInfo.name", required=not precheck)
    if name is not None and "%" in name:
        raise bad_request("customerInfo.name must not contain '%'.")
    f.email(info, "primaryEmail", "customerInfo.primaryEmail", required=True)
    f.language(info, "language", "customerInfo.language", pattern=CUSTOMER_LANGUAGE, required=False)


def provisioning_parameters(body: dict[str, Any], packages: list[str], *, calling_known: bool) -> None:
    """``calling.location`` when a calling package is ordered (unless the customer already has one)."""
    params = f.obj(body, "provisioningParameters", "provisioningParameters", required=False) or {}
    needs_calling = bool(CALLING_PACKAGES.intersection(packages)) and not calling_known
    calling = f.obj(params, "calling", "provisioningParameters.calling", required=False)
    if calling is None and needs_calling:
        calling_ordered = ", ".join(sorted(CALLING_PACKAGES.intersection(packages)))
        raise bad_request(
            f"provisioningParameters.calling.location is required for calling packages ({calling_ordered})."
        )
    if calling is not None:
        path = "provisioningParameters.calling.location"
        location = f.obj(calling, "location", path, required=True)
        f.text(location, "name", f"{path}.name", required=True)
        f.address(location, "address", f"{path}.address", required=True)
        f.timezone(location, "timezone", f"{path}.timezone")
        f.language(location, "language", f"{path}.language", pattern=LOCATION_LANGUAGE, required=True)
        f.text(location, "emergencyLocationIdentifier", f"{path}.emergencyLocationIdentifier", required=False)
    meetings = f.obj(params, "meetings", "provisioningParameters.meetings", required=False)
    if meetings is not None and meetings.get("timezone") is not None:
        f.timezone(meetings, "timezone", "provisioningParameters.meetings.timezone")
    limits_of(params)


def limits_of(params: dict[str, Any]) -> None:
    holder = f.obj(params, "packages", "provisioningParameters.packages", required=False)
    limits = f.obj(holder, "limits", "provisioningParameters.packages.limits", required=False) if holder else None
    for package, limit in (limits or {}).items():
        path = f"provisioningParameters.packages.limits.{package}"
        f.one_of(package, spec_enums().limitable_packages, path)
        if isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 0:
            raise bad_request(f"{path} must be a number of at least 0.")
