"""The onboarding order: the Provision-a-Wholesale-Customer body in the API's own field names, plus its users.

Someone who knows the Webex Wholesale API can write an order without learning a new vocabulary: the customer
part is the ``POST /wholesale/customers`` body (notes §5.2), each subscriber is a ``POST /wholesale/subscribers``
body without ``customerId`` (§5.8). On top come ``subscribers``, ``setupAssistance`` (Setup Assist has no API)
and ``onBehalfOfSubPartnerOrgId`` (a query parameter of every call).

Every rule a field has in the API is checked here, so a bad order fails before the first call with all its
problems at once (``parse_order``). Emails are checked with email-validator (pinned in constraints.txt, no DNS
lookups): it also rejects reserved domains such as ``.test`` and ``.invalid``; use ``example.com`` in samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import EmailStr, Field, PositiveInt, ValidationError, ValidationInfo, field_validator, model_validator

from webex_wholesale.models import _accepted as accepted
from webex_wholesale.models._base import OrderModel
from webex_wholesale.models._jsonschema import param_schemas
from webex_wholesale.models._types import (
    ORDER_REGION,
    AddressLine,
    CountryCode,
    CustomerName,
    Extension,
    LanguageCode,
    LocationLanguage,
    NonEmptyStr,
    PhoneNumber,
    TimeZone,
)
from webex_wholesale.models.errors import ROOT_PATH, OrderValidationError, Problem, rule_error
from webex_wholesale.models.packages import (
    CUSTOMER_CALLING_PACKAGES,
    CUSTOMER_PACKAGES,
    PACKAGE_DEPENDENCIES,
    SUBSCRIBER_CALLING_PACKAGES,
    CustomerPackage,
    LimitablePackage,
    SubscriberPackage,
)

__all__ = [
    "Address",
    "CallingLocation",
    "CallingParameters",
    "CustomerInfo",
    "CustomerProvisioningParameters",
    "MeetingsParameters",
    "OnboardingOrder",
    "OrderValidationError",
    "PackageLimits",
    "SetupAssistanceRequest",
    "SubscriberOrder",
    "SubscriberProvisioningParameters",
    "order_param_schemas",
    "parse_order",
]

MAX_SUBSCRIBERS = 20_000
"""Upper bound on one order's users; the DAG must batch them, as Airflow maps at most 1024 task instances."""

COUNTRIES_REQUIRING_STATE_AND_ZIP = frozenset({"US", "CA"})
"""The API requires state and postal code "in some geographies" without listing them (notes §3.1)."""


class Address(OrderModel):
    """A billing or calling-location address (API ``Address``)."""

    address_line1: AddressLine
    address_line2: Annotated[str, Field(max_length=50)] | None = None
    city: NonEmptyStr
    state_or_province: NonEmptyStr | None = None
    zip_or_postal_code: NonEmptyStr | None = None
    country: CountryCode

    @model_validator(mode="after")
    def _regional_fields(self) -> Self:
        if self.country in COUNTRIES_REQUIRING_STATE_AND_ZIP:
            reason = f"required when country is {self.country}"
            missing: list[Problem] = [
                ((name,), reason)
                for name, value in (
                    ("stateOrProvince", self.state_or_province),
                    ("zipOrPostalCode", self.zip_or_postal_code),
                )
                if value is None
            ]
            if missing:
                raise rule_error(missing)
        return self


class CustomerInfo(OrderModel):
    """Who the new customer is; Webex names the org and its Meetings site after it."""

    name: CustomerName
    primary_email: EmailStr
    language: LanguageCode | None = None


class CallingLocation(OrderModel):
    """The customer's first Webex Calling location.

    ``language`` is spelled as the spec's own example, ``en_us``, unlike ``customerInfo.language``.
    """

    name: NonEmptyStr
    address: Address
    timezone: TimeZone
    language: LocationLanguage
    emergency_location_identifier: NonEmptyStr | None = None


class CallingParameters(OrderModel):
    """``provisioningParameters.calling``: mandatory when the customer orders a calling package."""

    location: CallingLocation


class MeetingsParameters(OrderModel):
    """Meetings settings; ``timezone`` is required here because an empty ``meetings`` object says nothing."""

    timezone: TimeZone


class PackageLimits(OrderModel):
    """Per-package caps on how many users may get each package; only some packages can be capped."""

    limits: dict[LimitablePackage, PositiveInt]


class CustomerProvisioningParameters(OrderModel):
    """``provisioningParameters`` of the customer: per-service settings and package caps."""

    calling: CallingParameters | None = None
    meetings: MeetingsParameters | None = None
    packages: PackageLimits | None = None


class SubscriberProvisioningParameters(OrderModel):
    """A user's details. The spec leaves the names optional; the project requires them for new users (§11)."""

    first_name: NonEmptyStr
    last_name: NonEmptyStr
    primary_phone_number: PhoneNumber | None = None
    extension: Extension | None = None
    location_id: NonEmptyStr | None = None


class SubscriberOrder(OrderModel):
    """One user to provision: the ``POST /wholesale/subscribers`` body without ``customerId``."""

    email: EmailStr
    packages: list[SubscriberPackage] = Field(
        min_length=1, max_length=1, description="Exactly one package: the API accepts one per user."
    )
    provisioning_parameters: SubscriberProvisioningParameters

    @property
    def package(self) -> str:
        """The user's one package."""
        return self.packages[0]

    @property
    def name(self) -> str:
        """The user's name as people read it (``first last``): reports and pages show it beside the email."""
        return f"{self.provisioning_parameters.first_name} {self.provisioning_parameters.last_name}"

    @property
    def email_key(self) -> str:
        """The email as Webex compares it (case-insensitively); use it to match API records to the order."""
        return self.email.lower()

    @model_validator(mode="after")
    def _calling_fields(self, info: ValidationInfo) -> Self:
        params = self.provisioning_parameters
        if self.package in SUBSCRIBER_CALLING_PACKAGES:
            # A desired-state order may leave a calling user's number out: Webex holds it for a user who stays on
            # a calling package, and the change plan refuses a move onto calling that comes without one.
            numbered = params.extension is not None or params.primary_phone_number is not None
            if not numbered and not _is_desired_state(info):
                reason = f"{self.package} is a calling package: give an extension or a primaryPhoneNumber"
                raise rule_error([(("provisioningParameters", "extension"), reason)])
        elif params.location_id is not None:
            reason = f"only allowed with a calling package, and {self.package} is not one"
            raise rule_error([(("provisioningParameters", "locationId"), reason)])
        return self

    def provision_body(self, customer_id: str) -> dict[str, Any]:
        """The JSON body of ``POST /wholesale/subscribers`` for this user in customer ``customer_id``."""
        return {"customerId": customer_id, **self.model_dump(mode="json", by_alias=True, exclude_none=True)}


class SetupAssistanceRequest(OrderModel):
    """What the ops team adds to a Wholesale Setup Assist request; Cisco takes it by form, not by API (§13)."""

    contact_name: NonEmptyStr
    contact_email: EmailStr
    contact_phone: NonEmptyStr | None = None
    preferred_language: NonEmptyStr | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None


# The fields of each request body, per the spec's request schemas; everything else in the order is ours.
_PROVISION_BODY_FIELDS: dict[str, Any] = dict.fromkeys(
    (
        "provisioning_id",
        "packages",
        "org_id",
        "external_id",
        "address",
        "customer_info",
        "provisioning_parameters",
        "sub_partner_admin_email",
    ),
    True,
)
_PRECHECK_BODY_FIELDS: dict[str, Any] = {
    **{key: True for key in _PROVISION_BODY_FIELDS if key != "sub_partner_admin_email"},
    "customer_info": {"name": True, "primary_email": True},
}


class OnboardingOrder(OrderModel):
    """Everything needed to onboard one Wholesale customer end to end."""

    provisioning_id: NonEmptyStr = Field(
        title="Provisioning ID",
        description="From the Partner Hub onboarding template (Customers > Onboarding templates).",
    )
    packages: list[CustomerPackage] = Field(
        min_length=1,
        # A top-level ``examples`` list makes Airflow's trigger form a multi-select of exactly these values.
        json_schema_extra={"uniqueItems": True, "examples": list(CUSTOMER_PACKAGES)},
        title="Customer packages",
        description="The complete set of Wholesale packages for the customer, each once.",
    )
    org_id: NonEmptyStr | None = Field(
        None,
        title="Existing Webex org ID",
        description="Only to attach Wholesale to an existing Webex org; leave empty for a new customer.",
    )
    external_id: NonEmptyStr = Field(
        title="External ID", description="Your own key for this customer (CRM or billing id); must be unique."
    )
    address: Address = Field(
        title="Billing address",
        description="addressLine1, city and a 2-letter country; US and CA also need stateOrProvince and zip.",
    )
    customer_info: CustomerInfo | None = Field(
        None,
        title="Customer info",
        description="Customer name and primary email; required for a new customer (no orgId).",
    )
    provisioning_parameters: CustomerProvisioningParameters | None = Field(
        None,
        title="Provisioning parameters",
        description="calling.location is required when ordering calling packages; meetings and limits optional.",
    )
    sub_partner_admin_email: EmailStr | None = Field(
        None, title="Sub-partner admin email", description="Email of the sub-partner org's admin, if any."
    )
    subscribers: list[SubscriberOrder] = Field(
        min_length=1,
        max_length=MAX_SUBSCRIBERS,
        title="Subscribers",
        description="Users to provision, one package each; the first becomes the customer's administrator.",
    )
    setup_assistance: SetupAssistanceRequest | None = Field(
        None,
        title="Setup assistance",
        description="Contact for a Cisco Wholesale Setup Assist request; leave empty for none.",
    )
    on_behalf_of_sub_partner_org_id: NonEmptyStr | None = Field(
        None,
        title="On behalf of sub-partner org ID",
        description="Act for this sub-partner org; leave empty to act as the partner itself.",
    )

    @field_validator("packages")
    @classmethod
    def _packages_consistent(cls, packages: list[str]) -> list[str]:
        problems: list[Problem] = []
        seen: set[str] = set()
        for index, package in enumerate(packages):
            if package in seen:
                problems.append(((index,), f"{package} is listed twice"))
            seen.add(package)
        for addon, needs in PACKAGE_DEPENDENCIES.items():
            if addon in seen and seen.isdisjoint(needs):
                problems.append(((), f"{addon} needs one of these packages too: {', '.join(needs)}"))
        if problems:
            raise rule_error(problems)
        return packages

    @field_validator("subscribers")
    @classmethod
    def _subscribers_consistent(cls, subscribers: list[SubscriberOrder], info: ValidationInfo) -> list[SubscriberOrder]:
        """Emails are unique within the order; each user's package is one the customer orders.

        The package rule is a project rule, simpler than Webex's: the API would also let a user hold a package
        the customer gets through another one, but an order that lists it explicitly is easier to audit.
        """
        ordered = info.data.get("packages")  # absent when ``packages`` itself is invalid
        problems: list[Problem] = []
        first_index: dict[str, int] = {}
        for index, subscriber in enumerate(subscribers):
            first = first_index.setdefault(subscriber.email_key, index)
            if first != index:
                reason = f"{subscriber.email} is already subscribers[{first}].email (emails ignore case)"
                problems.append(((index, "email"), reason))
            if ordered is not None and subscriber.package not in ordered:
                problems.append(((index, "packages"), f"{subscriber.package} is not in the order's packages"))
        if problems:
            raise rule_error(problems)
        return subscribers

    @model_validator(mode="after")
    def _conditional_sections(self) -> Self:
        problems: list[Problem] = []
        if self.org_id is None and self.customer_info is None:
            problems.append((("customerInfo",), "required for a new customer (when orgId is not given)"))
        calling = [package for package in self.packages if package in CUSTOMER_CALLING_PACKAGES]
        params = self.provisioning_parameters
        if calling and (params is None or params.calling is None):
            where = ("provisioningParameters", "calling", "location")
            problems.append((where, f"required when ordering calling packages ({', '.join(calling)})"))
        if problems:
            raise rule_error(problems)
        return self

    @property
    def admin(self) -> SubscriberOrder:
        """The first subscriber: provisioned first and alone, as the first user becomes the administrator."""
        return self.subscribers[0]

    @property
    def other_subscribers(self) -> list[SubscriberOrder]:
        """Everyone but the administrator; these can be provisioned in parallel."""
        return self.subscribers[1:]

    def customer_body(self) -> dict[str, Any]:
        """The JSON body of ``POST /wholesale/customers``."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, include=_PROVISION_BODY_FIELDS)

    def precheck_body(self) -> dict[str, Any]:
        """The JSON body of ``POST /wholesale/customers/validate``.

        Its schema is the provision body without ``subPartnerAdminEmail`` and without ``customerInfo.language``.
        """
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, include=_PRECHECK_BODY_FIELDS)

    def to_conf(self) -> dict[str, Any]:
        """The order as JSON-safe camelCase data (a ``dag_run.conf``, an XCom, a queue row); see ``parse_order``."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


#: The validation context key that marks an order as a desired state (a change of an existing customer).
DESIRED_STATE_CONTEXT = "desiredState"


def _is_desired_state(info: ValidationInfo) -> bool:
    return bool((info.context or {}).get(DESIRED_STATE_CONTEXT))


def parse_order(data: Mapping[str, Any], *, desired_state: bool = False) -> OnboardingOrder:
    """Validate an order from any source (trigger form, CLI, queue), reporting all its problems at once.

    ``desired_state``: the order is what an existing customer should become (``webex_wholesale_change``), so a
    calling user may come without an extension or number (Webex keeps the one it holds); the change plan checks
    the users that need one. Raises ``OrderValidationError`` with one (camelCase field path, reason) per problem.
    """
    if not isinstance(data, Mapping):
        raise OrderValidationError([(ROOT_PATH, f"an order must be a JSON object, not {type(data).__name__}")])
    try:
        context = {ORDER_REGION: _order_region(data), DESIRED_STATE_CONTEXT: desired_state}
        return OnboardingOrder.model_validate(dict(data), context=context)
    except ValidationError as error:
        raise OrderValidationError.from_pydantic(error) from None


def _order_region(data: Mapping[str, Any]) -> str | None:
    """The order's ``address.country`` when it is a country (its own problem is reported where it is checked)."""
    address = data.get("address")
    country = address.get("country") if isinstance(address, Mapping) else None
    try:
        return accepted.country(country.strip()) if isinstance(country, str) else None
    except accepted.Refused:
        return None


def order_param_schemas() -> dict[str, dict[str, Any]]:
    """One self-contained JSON schema per top-level order field, keyed by its camelCase name.

    Meant for ``Param(default, **schema)`` in the DAG, so the trigger form and ``parse_order`` share the rules
    on each field. Rules that span fields (package dependencies, duplicate emails) are only in ``parse_order``.
    Optional fields accept null; required ones do not. The top level carries the fields' ``title`` and
    ``description`` (written for operators); nested fields are titled in words from their names, so a refusal
    names them. The DAG reads these schemas from a file generated from here (``onboarding.params``).
    """
    return param_schemas(OnboardingOrder.model_json_schema(by_alias=True))
