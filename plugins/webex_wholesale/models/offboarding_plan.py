"""The offboarding plan: what deleting a customer takes away, counted so a person can approve it at a glance.

Pure, like the change plan: built from what Webex holds (the customer and its subscribers) before anything is
deleted, and shown as the approval's body and in the run's report.
"""

from __future__ import annotations

from collections import Counter

from webex_wholesale.models._base import CamelModel
from webex_wholesale.models.responses import Customer, Subscriber

__all__ = ["OffboardingPlan", "plan_offboarding"]

#: How a subscriber without a package is counted.
NO_PACKAGE = "(no package)"


class OffboardingPlan(CamelModel):
    """The customer to delete, its packages, and how many subscribers go with it, by package."""

    external_id: str
    customer_id: str
    customer_status: str
    packages: list[str]
    subscribers_by_package: dict[str, int]

    @property
    def subscriber_count(self) -> int:
        return sum(self.subscribers_by_package.values())

    def summary_markdown(self) -> str:
        """The approval's body (Markdown)."""
        lines = [
            f"**Offboarding: delete customer `{self.external_id}`** (Webex id `{self.customer_id}`, "
            f"status {self.customer_status})",
            "",
            f"- customer packages: {', '.join(self.packages) or 'none'}",
            f"- subscribers deleted with it: {self.subscriber_count}",
            *(f"  - {package}: {count}" for package, count in self.subscribers_by_package.items()),
            "",
            "A snapshot of the customer and its subscribers is stored in the state database before the deletion.",
        ]
        return "\n".join(lines)


def plan_offboarding(customer: Customer, held: list[Subscriber]) -> OffboardingPlan:
    """The plan for deleting ``customer``, with the subscribers ``held`` counted by package (largest first)."""
    counts = Counter(s.current_package or NO_PACKAGE for s in held)
    return OffboardingPlan(
        external_id=customer.external_id or customer.id,
        customer_id=customer.id,
        customer_status=str(customer.status.value),
        packages=list(customer.packages),
        subscribers_by_package=dict(counts.most_common()),
    )
