"""The change plan: what must change for a customer Webex holds to become what an order says, and what cannot.

:func:`plan_change` is a pure function of the desired state (the order) and what Webex holds (the customer and
every one of its subscribers). It calls nothing, so the change DAG shows its answer before anything is applied,
a re-run after a partial failure re-plans and finds only what is left, and a later health or drift check can ask
the same question of any customer. The plan is JSON-safe (XCom, the report, the state database).

A plan is *refused* when applying it would leave Webex in a state the order cannot mean: a user moved onto a
calling package with no extension or number, or a customer package removed while users who stay still hold it.
A refused plan applies nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import Field

from webex_wholesale.batches import BATCH_SIZE, batch_slices
from webex_wholesale.models._base import CamelModel
from webex_wholesale.models.change_outcome import ChangeAction
from webex_wholesale.models.order import OnboardingOrder, SubscriberOrder
from webex_wholesale.models.packages import SUBSCRIBER_CALLING_PACKAGES
from webex_wholesale.models.responses import Customer, CustomerStatus, Subscriber

__all__ = ["ChangePlan", "PlannedMove", "PlannedRemoval", "Refusal", "plan_change"]

#: The fields of a subscriber's ``provisioningParameters`` a ``PUT /wholesale/subscribers/{id}`` carries.
_UPDATE_PARAMETERS = ("primary_phone_number", "extension", "location_id")


class PlannedMove(CamelModel):
    """A user Webex holds on one package that the order puts on another (``PUT /wholesale/subscribers/{id}``)."""

    email: str
    subscriber_id: str
    from_package: str | None
    to_package: str
    body: dict[str, Any]
    """The PUT body: the new package and, from the order, the user's number, extension and location."""


class PlannedRemoval(CamelModel):
    """A user Webex holds that the order no longer lists (``DELETE /wholesale/subscribers/{id}``)."""

    email: str
    subscriber_id: str
    package: str | None


class Refusal(CamelModel):
    """Why the plan cannot be applied: ``subject`` is the user's email or the customer package concerned."""

    subject: str
    reason: str


class ChangePlan(CamelModel):
    """Everything a change would do to one customer, in the order it is applied, and what refuses it."""

    external_id: str
    customer_id: str
    packages_held: list[str]
    """The customer's packages as Webex holds them now."""
    customer_settled: bool = False
    """Webex had finished with the customer when the plan read it: ``provisioned``, no package under way."""
    packages_to_add: list[str] = Field(default_factory=list)
    packages_to_remove: list[str] = Field(default_factory=list)
    subscribers_to_remove: list[PlannedRemoval] = Field(default_factory=list)
    subscribers_to_move: list[PlannedMove] = Field(default_factory=list)
    subscribers_to_create: list[dict[str, Any]] = Field(default_factory=list)
    """``SubscriberOrder`` JSON of the users to provision, as the subscriber batches take them."""
    unchanged: int = 0
    """Users the order lists that Webex already holds on the ordered package."""
    left_alone: int = 0
    """Users Webex holds that the order does not list, kept because ``removeUnlisted`` is false."""
    remove_unlisted: bool = False
    refusals: list[Refusal] = Field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def removes_anything(self) -> bool:
        """Whether applying it takes something away (a user or a customer package): a person must approve it."""
        return bool(self.subscribers_to_remove or self.packages_to_remove)

    @property
    def is_empty(self) -> bool:
        """Nothing to do: Webex already holds what the order says (a second run of the same change)."""
        return not (
            self.packages_to_add
            or self.packages_to_remove
            or self.subscribers_to_remove
            or self.subscribers_to_move
            or self.subscribers_to_create
        )

    def idle_steps(self) -> list[ChangeAction]:
        """The customer-package steps this plan gives nothing to do: the additions when it adds no package to a
        settled customer (an unsettled one is waited for there), the removals when it removes none. The change DAG
        skips them rather than start them: under the scheduler each start costs the run about a second."""
        idle = []
        if not self.packages_to_add and self.customer_settled:
            idle.append(ChangeAction.ADD_CUSTOMER_PACKAGES)
        if not self.packages_to_remove:
            idle.append(ChangeAction.REMOVE_CUSTOMER_PACKAGES)
        return idle

    @property
    def packages_after_additions(self) -> list[str]:
        """The package set of the first customer PUT: what it holds plus the additions (removals come last)."""
        return [*self.packages_held, *self.packages_to_add]

    @property
    def packages_desired(self) -> list[str]:
        """The package set of the last customer PUT, once the users who needed a removed package are gone."""
        return [p for p in self.packages_after_additions if p not in self.packages_to_remove]

    def batches(self, batch_size: int = BATCH_SIZE) -> list[dict[str, Any]]:
        """The subscriber changes, one ``expand_kwargs`` entry per batch of up to ``batch_size`` changes.

        Removals first, then moves, then creations, in the plan's order; each entry holds ``removals``, ``moves``,
        ``creations`` and a ``batch_label``. The batches share the connection's one API budget, as the onboarding's.
        A plan without subscriber changes still has one, empty: Airflow skips a mapped task of no instances and,
        with it, the customer-package removals that follow it.
        """
        changes: list[tuple[str, Any]] = [
            *(("removals", r.model_dump(mode="json")) for r in self.subscribers_to_remove),
            *(("moves", m.model_dump(mode="json")) for m in self.subscribers_to_move),
            *(("creations", c) for c in self.subscribers_to_create),
        ]
        batches = []
        for part in batch_slices(len(changes), batch_size):
            batch: dict[str, Any] = {"removals": [], "moves": [], "creations": []}
            for kind, change in changes[part]:
                batch[kind].append(change)
            batch["batch_label"] = f"changes {part.start + 1}-{part.stop} of {len(changes)}"
            batches.append(batch)
        return batches or [{"removals": [], "moves": [], "creations": [], "batch_label": "no subscriber changes"}]

    def counts(self) -> dict[str, int]:
        """How many of each kind of change, for a summary line and the report."""
        return {
            "packagesToAdd": len(self.packages_to_add),
            "packagesToRemove": len(self.packages_to_remove),
            "subscribersToCreate": len(self.subscribers_to_create),
            "subscribersToMove": len(self.subscribers_to_move),
            "subscribersToRemove": len(self.subscribers_to_remove),
            "unchanged": self.unchanged,
            "leftAlone": self.left_alone,
        }

    def summary_markdown(self) -> str:
        """The plan as a person approves it: counts, then each change by name (Markdown, as Airflow shows it)."""
        lines = [f"**Change of customer `{self.external_id}`** (Webex id `{self.customer_id}`)", ""]
        if self.refused:
            lines += ["**Refused**, nothing will be applied:", *(f"- {r.subject}: {r.reason}" for r in self.refusals)]
            lines.append("")
        lines += [
            f"- customer packages to add: {_names(self.packages_to_add)}",
            f"- customer packages to remove: {_names(self.packages_to_remove)}",
            f"- subscribers to remove: {len(self.subscribers_to_remove)}",
            f"- subscribers to move to another package: {len(self.subscribers_to_move)}",
            f"- subscribers to create: {len(self.subscribers_to_create)}",
            f"- subscribers unchanged: {self.unchanged}",
            f"- subscribers not in the order, left alone: {self.left_alone}",
        ]
        lines += [f"- remove `{r.email}` ({r.package})" for r in self.subscribers_to_remove[:SHOWN]]
        lines += [f"- move `{m.email}`: {m.from_package} -> {m.to_package}" for m in self.subscribers_to_move[:SHOWN]]
        hidden = max(0, len(self.subscribers_to_remove) - SHOWN) + max(0, len(self.subscribers_to_move) - SHOWN)
        if hidden:
            lines.append(f"- ... and {hidden} more (the plan in XCom lists every one)")
        return "\n".join(lines)


#: Removals and moves named one by one in the summary; the rest are counted.
SHOWN = 25


def _names(packages: list[str]) -> str:
    return ", ".join(packages) or "none"


def plan_change(
    order: OnboardingOrder, customer: Customer, held: list[Subscriber], *, remove_unlisted: bool = False
) -> ChangePlan:
    """The plan that makes ``customer`` (with its subscribers ``held``) what ``order`` says.

    Users are matched by email, ignoring case, as Webex matches them. ``remove_unlisted`` removes the users Webex
    holds that the order does not list; otherwise they are left alone.
    """
    wanted = {s.email_key: s for s in order.subscribers}
    plan = ChangePlan(
        external_id=order.external_id,
        customer_id=customer.id,
        packages_held=list(customer.packages),
        customer_settled=customer.is_terminal() and customer.status is CustomerStatus.PROVISIONED,
        packages_to_add=[p for p in order.packages if p not in customer.packages],
        packages_to_remove=[p for p in customer.packages if p not in order.packages],
        remove_unlisted=remove_unlisted,
    )
    staying: Counter[str] = Counter()
    holders: dict[str, str] = {}
    found: set[str] = set()
    for subscriber in held:
        email = (subscriber.email or "").lower()
        package = subscriber.current_package
        desired = wanted.get(email)
        found.add(email)
        if desired is None and remove_unlisted:
            plan.subscribers_to_remove.append(PlannedRemoval(email=email, subscriber_id=subscriber.id, package=package))
            continue
        if desired is None:
            plan.left_alone += 1
        elif desired.package == package:
            plan.unchanged += 1
        else:
            _plan_move(plan, subscriber, package, desired)
        final = package if desired is None else desired.package
        if final is not None:
            staying[final] += 1
            holders.setdefault(final, email)
    for desired in order.subscribers:
        if desired.email_key not in found:
            plan.subscribers_to_create.append(desired.model_dump(mode="json", exclude_none=True))
            if not _numbered(desired) and desired.package in SUBSCRIBER_CALLING_PACKAGES:
                reason = f"new user on calling package {desired.package} needs an extension or a primaryPhoneNumber"
                plan.refusals.append(Refusal(subject=desired.email, reason=reason))
    for package in plan.packages_to_remove:
        if staying[package]:
            reason = (
                f"{staying[package]} subscriber(s) who stay still hold it (such as {holders[package]}); "
                "move or remove them in the order (or set removeUnlisted) first"
            )
            plan.refusals.append(Refusal(subject=package, reason=reason))
    return plan


def _plan_move(plan: ChangePlan, subscriber: Subscriber, package: str | None, desired: SubscriberOrder) -> None:
    """A move to the ordered package; refused onto calling from a non-calling package without a number."""
    params = desired.provisioning_parameters
    onto_calling = desired.package in SUBSCRIBER_CALLING_PACKAGES and package not in SUBSCRIBER_CALLING_PACKAGES
    if onto_calling and not _numbered(desired):
        reason = (
            f"moving from {package} to calling package {desired.package} needs an extension or a "
            "primaryPhoneNumber in the order"
        )
        plan.refusals.append(Refusal(subject=desired.email, reason=reason))
        return
    details = params.model_dump(mode="json", include=set(_UPDATE_PARAMETERS), exclude_none=True)
    body: dict[str, Any] = {"packages": [desired.package]}
    if details:
        body["provisioningParameters"] = details
    plan.subscribers_to_move.append(
        PlannedMove(
            email=desired.email_key,
            subscriber_id=subscriber.id,
            from_package=package,
            to_package=desired.package,
            body=body,
        )
    )


def _numbered(desired: SubscriberOrder) -> bool:
    params = desired.provisioning_parameters
    return params.extension is not None or params.primary_phone_number is not None
