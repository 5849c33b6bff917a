"""Models of what the Wholesale API answers, tolerant by design.

Webex adds package names, statuses and fields without notice (notes §18.13), and a poll that crashes on a new
value would strand a customer mid-onboarding. So: unknown fields are kept, package names are plain strings,
and the status enums accept values they do not know (as members that are never terminal). Dates stay strings:
the examples mix millisecond and microsecond precision, and nothing here computes with them.

``Model.model_validate(json)`` reads a response; ``model_dump(mode="json")`` gives camelCase JSON back
(XCom-safe), including any fields this module does not know.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import Field, field_validator

from webex_wholesale.models._base import ApiModel


class TolerantStrEnum(StrEnum):
    """A string enum that turns an unknown value into an ad-hoc member instead of raising.

    The ad-hoc member compares equal to its string and is not cached, so the known members stay the class's
    only members; code that lists the members sees just the documented ones.
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member


class CustomerStatus(TolerantStrEnum):
    """Overall provisioning status of a customer (notes §4.3)."""

    PROVISIONING = "provisioning"
    UPDATING = "updating"
    DELETING = "deleting"
    PROVISIONED = "provisioned"
    PROVISIONED_WITH_ERRORS = "provisioned_with_errors"
    ERROR = "error"
    PENDING_RPL_REVIEW = "pending_rpl_review"

    def is_terminal(self) -> bool:
        """Background work is over; an unknown status is assumed still running."""
        return self in _CUSTOMER_TERMINAL

    def is_on_hold(self) -> bool:
        """A compliance review that can last days and needs a human, not a tight poll."""
        return self is CustomerStatus.PENDING_RPL_REVIEW


_CUSTOMER_TERMINAL = frozenset(
    {CustomerStatus.PROVISIONED, CustomerStatus.PROVISIONED_WITH_ERRORS, CustomerStatus.ERROR}
)


class SubscriberStatus(TolerantStrEnum):
    """A subscriber's status; the spec knows only these two (notes §4.5)."""

    PROVISIONED = "provisioned"
    PENDING_USER_MIGRATION = "pending_user_migration"

    def is_terminal(self) -> bool:
        """Only ``provisioned`` is final: a pending user may still consent to the move."""
        return self is SubscriberStatus.PROVISIONED


_PACKAGE_IN_PROGRESS = frozenset({"provisioning", "deleting"})


class ErrorDetail(ApiModel):
    """An entry of a resource's ``errors`` or ``warnings`` (API ``Error``), e.g. 2560: Calling in maintenance."""

    error_code: int | None = None
    description: str | None = None


class PackageDetail(ApiModel):
    """One package of a customer as Webex reports it (API ``Package``)."""

    name: str | None = None
    status: str | None = None
    warnings: list[ErrorDetail] = Field(default_factory=list)
    errors: list[ErrorDetail] = Field(default_factory=list)
    license_ids: list[str] = Field(default_factory=list)

    @property
    def in_progress(self) -> bool:
        return self.status in _PACKAGE_IN_PROGRESS


class ResourceDetails(ApiModel):
    packages: list[PackageDetail] = Field(default_factory=list)


class Customer(ApiModel):
    """A Wholesale customer (``GET /wholesale/customers/{id}`` and list items). ``orgId`` comes once provisioned."""

    id: str
    org_id: str | None = None
    external_id: str | None = None
    address: dict[str, Any] | None = None
    status: CustomerStatus
    packages: list[str] = Field(default_factory=list)
    resource_details: ResourceDetails | None = None
    errors: list[ErrorDetail] = Field(default_factory=list)

    @property
    def package_details(self) -> list[PackageDetail]:
        """``resourceDetails.packages``, empty when Webex sent none."""
        return self.resource_details.packages if self.resource_details else []

    def is_terminal(self) -> bool:
        """Finished: a terminal status and no package still provisioning or deleting (notes §6.1)."""
        return self.status.is_terminal() and not any(package.in_progress for package in self.package_details)

    def problems(self) -> tuple[list[int], list[str]]:
        """Every errorCode and description on the customer and its packages (errors, then warnings), once each."""
        codes: list[int] = []
        descriptions: list[str] = []
        for entry in self._problem_entries():
            if entry.error_code is not None and entry.error_code not in codes:
                codes.append(entry.error_code)
            if entry.description and entry.description not in descriptions:
                descriptions.append(entry.description)
        return codes, descriptions

    def problems_text(self) -> str:
        """The package errors and warnings, then the customer's own errors, as one line for a log or a report."""
        parts = [
            f"{package.name} ({package.status}) {kind} errorCode {entry.error_code}: {entry.description}"
            for package in self.package_details
            for kind, entries in (("error", package.errors), ("warning", package.warnings))
            for entry in entries
        ]
        parts += [f"customer error errorCode {e.error_code}: {e.description}" for e in self.errors]
        return "; ".join(parts)

    def _problem_entries(self) -> list[ErrorDetail]:
        entries = list(self.errors)
        for package in self.package_details:
            entries += package.errors + package.warnings
        return entries


class Subscriber(ApiModel):
    """A Wholesale subscriber. ``personId`` comes once provisioned; ``package`` is the deprecated single value."""

    id: str
    person_id: str | None = None
    email: str | None = None
    customer_id: str | None = None
    external_customer_id: str | None = None
    package: str | None = None
    packages: list[str] = Field(default_factory=list)
    status: SubscriberStatus
    errors: list[ErrorDetail] = Field(default_factory=list)
    created: str | None = None
    last_status_change: str | None = None

    @property
    def current_package(self) -> str | None:
        """The subscriber's package: the first of ``packages``, else the deprecated single ``package``."""
        return self.packages[0] if self.packages else self.package


class PrecheckInfo(ApiModel):
    info_code: int | None = None
    description: str | None = None


class PrecheckResult(ApiModel):
    """The answer of a precheck (``POST /wholesale/customers/validate``); ``infoCode`` 100 means success."""

    message: str | None = None
    info: list[PrecheckInfo] = Field(default_factory=list)

    @field_validator("info", mode="before")
    @classmethod
    def _info_as_list(cls, value: Any) -> Any:
        """The spec types ``info`` as one object, but every example sends an array (notes §3.6)."""
        if value is None:
            return []
        return [value] if isinstance(value, dict) else value


class SubPartner(ApiModel):
    """A sub-partner the partner may act for (``onBehalfOfSubPartnerOrgId``); ``suspended`` ones can only delete."""

    org_id: str | None = None
    subscription_id: str | None = None
    provisioning_state: str | None = None
    created: str | None = None
    billing_start_date: str | None = None
