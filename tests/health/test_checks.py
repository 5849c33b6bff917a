"""The health rules on values already read: each status, consent outstanding, each kind of drift, stuck runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import demo_order

from webex_wholesale.health.checks import customer_findings, stuck_run_findings, unreadable_finding
from webex_wholesale.models import Customer, Subscriber
from webex_wholesale.models.health import FindingKind, HealthTarget

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)
ORDER = demo_order()
PACKAGES = ORDER["packages"]
ORDERED = {s["email"]: s["packages"][0] for s in ORDER["subscribers"]}
TARGET = HealthTarget(external_id=ORDER["externalId"], customer_id="C1", customer_name="Acme", order_id=7, order=ORDER)


def customer(status: str = "provisioned", packages: list[str] = PACKAGES, **extra) -> Customer:
    return Customer.model_validate(
        {"id": "C1", "externalId": TARGET.external_id, "status": status, "packages": packages, **extra}
    )


def subscriber(email: str, package: str, status: str = "provisioned", changed: datetime = NOW) -> Subscriber:
    stamp = changed.isoformat().replace("+00:00", "Z")
    return Subscriber.model_validate(
        {"id": f"S-{email}", "email": email, "packages": [package], "status": status, "lastStatusChange": stamp}
    )


def as_ordered() -> list[Subscriber]:
    return [subscriber(email, package) for email, package in ORDERED.items()]


def kinds(findings) -> list[str]:
    return [f.kind.value for f in findings]


def test_a_customer_as_ordered_and_provisioned_has_no_finding():
    assert customer_findings(TARGET, customer(), as_ordered(), now=NOW, consent_grace=GRACE) == []


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("error", FindingKind.CUSTOMER_ERROR),
        ("provisioned_with_errors", FindingKind.PROVISIONED_WITH_ERRORS),
        ("pending_rpl_review", FindingKind.PENDING_RPL_REVIEW),
    ],
)
def test_each_status_that_needs_a_person_is_a_finding(status, kind):
    (found,) = customer_findings(TARGET, customer(status), as_ordered(), now=NOW, consent_grace=GRACE)

    assert found.kind is kind
    assert found.summary.startswith(f"Webex says {status}")
    assert (found.external_id, found.customer_id, found.order_id) == (TARGET.external_id, "C1", 7)


def test_package_errors_are_named_in_a_provisioned_with_errors_finding():
    details = {
        "packages": [
            {
                "name": "webex_calling",
                "status": "error",
                "warnings": [{"errorCode": 2560, "description": "Calling maintenance"}],
            }
        ]
    }
    read = customer("provisioned_with_errors", resourceDetails=details)

    (found,) = customer_findings(TARGET, read, as_ordered(), now=NOW, consent_grace=GRACE)

    assert "webex_calling (error) warning errorCode 2560: Calling maintenance" in found.summary


def test_users_waiting_for_consent_longer_than_the_grace_are_one_finding_with_their_waits():
    held = as_ordered()
    email = held[2].email
    held[2] = subscriber(email, ORDERED[email], "pending_user_migration", changed=NOW - timedelta(hours=30))
    held[3] = subscriber(held[3].email, ORDERED[held[3].email], "pending_user_migration", NOW - timedelta(hours=2))

    (found,) = customer_findings(TARGET, customer(), held, now=NOW, consent_grace=GRACE)

    assert found.kind is FindingKind.CONSENT_OUTSTANDING
    assert found.details == {"count": 1, "waiting": [{"email": email, "waitingHours": 30.0}]}
    assert "longer than 24 h, the longest 30 h" in found.summary


def test_drift_names_missing_unordered_and_moved_users_and_differing_packages():
    _admin, _reception, lee, patel = ORDERED
    held = [s for s in as_ordered() if s.email != patel]  # missing
    held = [subscriber(lee, "webex_suite") if s.email == lee else s for s in held]  # on another package
    held.append(subscriber("intruder@acme-dental.example.com", "webex_meetings"))  # not ordered
    read = customer(packages=["webex_calling", "webex_meetings", "cisco_calling_plan"])

    (found,) = customer_findings(TARGET, read, held, now=NOW, consent_grace=GRACE)

    assert found.kind is FindingKind.DRIFT
    assert found.details["missing"] == [patel]
    assert found.details["notOrdered"] == ["intruder@acme-dental.example.com"]
    assert found.details["otherPackage"] == [{"email": lee, "held": "webex_suite", "ordered": "webex_meetings"}]
    assert found.details["packagesMissing"] == ["webex_suite"]
    assert found.details["packagesNotOrdered"] == ["cisco_calling_plan"]
    assert found.details["counts"] == {
        "missing": 1,
        "notOrdered": 1,
        "otherPackage": 1,
        "packagesMissing": 1,
        "packagesNotOrdered": 1,
    }


def test_no_drift_is_measured_without_an_order_nor_while_webex_is_still_working():
    missing = as_ordered()[:1]
    no_order = HealthTarget(external_id=TARGET.external_id, customer_id="C1")

    assert customer_findings(no_order, customer(), missing, now=NOW, consent_grace=GRACE) == []
    assert customer_findings(TARGET, customer("updating"), missing, now=NOW, consent_grace=GRACE) == []


def test_an_unreadable_customer_is_a_finding_naming_the_error():
    found = unreadable_finding(TARGET, LookupError("no customer with externalId acme at Webex"))

    assert found.kind is FindingKind.UNREADABLE
    assert found.summary == "could not be read: LookupError: no customer with externalId acme at Webex"


def test_a_stuck_run_is_a_finding_per_run_with_its_age():
    run = {
        "dag_id": "webex_wholesale_onboarding",
        "dag_run_id": "order-3",
        "customer_external_id": "acme",
        "customer_id": None,
        "customer_name": "Acme",
        "order_id": 3,
        "started_at": NOW - timedelta(hours=5),
    }

    (found,) = stuck_run_findings([run], now=NOW)

    assert (found.kind, found.subject, found.order_id) == (FindingKind.STUCK_RUN, "order-3", 3)
    assert "started 5.0 h ago" in found.summary
