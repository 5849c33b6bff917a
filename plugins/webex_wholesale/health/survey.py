"""Read every watched customer through the shared API budget and turn what was read into findings.

Two reads per customer (the customer, then its subscribers: one paged list, 100 a page), on a few threads that
all draw from the connection's one budget, so the check goes at the rate the budget allows and no faster. A customer
that cannot be read (gone, refused, Webex not answering after the hook's retries) is an ``unreadable`` finding and
the survey goes on; a misconfigured connection or budget stops it, since then no customer can be read.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from webex_wholesale.exceptions import WebexApiError, WebexConnectionError
from webex_wholesale.health.checks import customer_findings, unreadable_finding
from webex_wholesale.hooks.wholesale import WebexWholesaleHook
from webex_wholesale.models.call_record import ApiCallRecord
from webex_wholesale.models.health import Finding, HealthTarget

__all__ = ["Survey", "survey"]

#: Threads reading customers at once; the budget, not this, sets the rate.
WORKERS = 4


@dataclass(frozen=True)
class Survey:
    """What one survey found, and what it cost."""

    findings: list[Finding]
    customers: int
    requests: int

    @property
    def requests_per_customer(self) -> float:
        return self.requests / self.customers if self.customers else 0.0


class _Counter:
    """Counts the hook's finished API calls (the audit observer's seam), from every thread."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, _record: ApiCallRecord) -> None:
        with self._lock:
            self.calls += 1


def _check_one(
    hook: WebexWholesaleHook, target: HealthTarget, now: datetime, consent_grace: timedelta
) -> list[Finding]:
    try:
        if target.customer_id is None:
            customer = hook.find_customer_by_external_id(target.external_id)
            if customer is None:
                raise LookupError(f"no customer with externalId {target.external_id} at Webex")
        else:
            customer = hook.get_customer(target.customer_id)
        subscribers = hook.list_subscribers(customer_id=customer.id)
    except (WebexApiError, WebexConnectionError, LookupError) as error:
        return [unreadable_finding(target, error)]
    return customer_findings(target, customer, subscribers, now=now, consent_grace=consent_grace)


class _Hooks:
    """One API client per sub-partner the targets were ordered for (all on the connection's one budget), made on
    first use from any thread."""

    def __init__(self, conn_id: str | None, observer: _Counter) -> None:
        self._conn_id = conn_id
        self._observer = observer
        self._hooks: dict[str | None, WebexWholesaleHook] = {}
        self._lock = threading.Lock()

    def acting_for(self, sub_partner_org_id: str | None) -> WebexWholesaleHook:
        with self._lock:
            hook = self._hooks.get(sub_partner_org_id)
            if hook is None:
                hook = WebexWholesaleHook(
                    self._conn_id, on_behalf_of_sub_partner_org_id=sub_partner_org_id, call_observer=self._observer
                )
                self._hooks[sub_partner_org_id] = hook
            return hook

    def close(self) -> None:
        for hook in self._hooks.values():
            hook.close()


def survey(
    targets: Sequence[HealthTarget],
    *,
    now: datetime,
    consent_grace: timedelta,
    conn_id: str | None = None,
    every_customer: bool = False,
    workers: int = WORKERS,
) -> Survey:
    """Check every target (and, with ``every_customer``, every other customer of the partner too, listed first)."""
    counter = _Counter()
    hooks = _Hooks(conn_id, counter)
    try:
        if every_customer:
            known = {target.external_id for target in targets}
            partner = hooks.acting_for(None).list_customers()
            listed = [c for c in partner if c.external_id and c.external_id not in known]
            targets = [*targets, *(HealthTarget(external_id=c.external_id, customer_id=c.id) for c in listed)]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="health") as pool:
            results = pool.map(
                lambda t: _check_one(hooks.acting_for(t.sub_partner_org_id), t, now, consent_grace), targets
            )
            findings = [finding for found in results for finding in found]
    finally:
        hooks.close()
    return Survey(findings=findings, customers=len(targets), requests=counter.calls)
