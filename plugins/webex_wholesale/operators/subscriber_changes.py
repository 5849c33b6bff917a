"""What a subscriber-changes task does when it runs: remove, move, then create one batch of a plan's users.

Apart from :mod:`~webex_wholesale.operators.change` so that parsing a DAG file does not import the pydantic models
this works on. Creation is the onboarding's own :class:`~webex_wholesale.operators.subscriber_batch.SubscriberBatch`
(same idempotency, same reconciliation of ambiguous answers); removals and moves run here, as many in flight as
the connection's shared API budget can keep busy, like the batch's POSTs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, TypeVar

from webex_wholesale.exceptions import WebexApiError, WebexWholesaleError
from webex_wholesale.models import SubscriberOrder
from webex_wholesale.models.change_outcome import ChangeAction, ChangeOutcome
from webex_wholesale.models.change_plan import PlannedMove, PlannedRemoval
from webex_wholesale.operators.subscriber_batch import SubscriberBatch

if TYPE_CHECKING:
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

T = TypeVar("T")


@dataclass
class SubscriberChanges:
    """One batch of a plan's subscriber changes in one customer.

    :param hook: the task's API client.
    :param label: names the batch in logs.
    :param max_concurrency: requests in flight at most; ``None`` sizes them from the API budget.
    :param log: the task's logger.
    """

    hook: WebexWholesaleHook
    label: str
    max_concurrency: int | None
    log: logging.Logger

    def apply(
        self,
        customer_id: str,
        removals: Sequence[PlannedRemoval],
        moves: Sequence[PlannedMove],
        creations: Sequence[SubscriberOrder],
    ) -> list[ChangeOutcome]:
        """Removals, then moves, then creations; one outcome per change. Never raises per user."""
        outcomes = self._each(removals, self._remove) + self._each(moves, self._move)
        if creations:
            batch = SubscriberBatch(self.hook, self.label, False, self.max_concurrency, self.log)
            outcomes += [ChangeOutcome.of_creation(o) for o in batch.provision(customer_id, list(creations))]
        return outcomes

    def _each(self, items: Sequence[T], change: Callable[[T], ChangeOutcome]) -> list[ChangeOutcome]:
        if not items:
            return []
        workers = max(1, min(self.max_concurrency or self.hook.budget.in_flight(), len(items)))
        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webex-change") as pool:
                return list(pool.map(change, items))
        finally:
            self.hook.close()

    def _remove(self, removal: PlannedRemoval) -> ChangeOutcome:
        """``DELETE`` the user; one Webex no longer has (a re-run, an ambiguous earlier DELETE) counts as done."""
        outcome = ChangeOutcome(
            action=ChangeAction.REMOVE_SUBSCRIBER, subject=removal.email, before=removal.package, done=True
        )
        try:
            self.hook.delete_subscriber(removal.subscriber_id)
        except WebexApiError as e:
            if e.status_code != HTTPStatus.NOT_FOUND:
                return self._failed(outcome, e)
            outcome.message = "already removed"
        except WebexWholesaleError as e:
            return self._failed(outcome, e)
        return outcome

    def _move(self, move: PlannedMove) -> ChangeOutcome:
        """``PUT`` the user's new package (the same PUT twice leaves the same user: safe to repeat)."""
        outcome = ChangeOutcome(
            action=ChangeAction.MOVE_SUBSCRIBER, subject=move.email, before=move.from_package, done=True
        )
        try:
            updated = self.hook.update_subscriber(move.subscriber_id, move.body)
        except WebexWholesaleError as e:
            outcome.after = move.to_package
            return self._failed(outcome, e)
        outcome.after = updated.current_package
        return outcome

    def _failed(self, outcome: ChangeOutcome, error: WebexWholesaleError) -> ChangeOutcome:
        outcome.done = False
        outcome.http_status = getattr(error, "status_code", None)
        outcome.tracking_id = getattr(error, "tracking_id", None)
        outcome.message = getattr(error, "message", None) or str(error)
        self.log.warning(
            "%s %s failed (http %s, trackingId %s): %s",
            outcome.action.value,
            outcome.subject,
            outcome.http_status,
            outcome.tracking_id,
            outcome.message,
        )
        return outcome
