"""What a subscribers task does when it runs: provision one batch, reconcile ambiguous answers, report outcomes.

Apart from :mod:`~webex_wholesale.operators.subscribers` so that parsing a DAG file does not import the pydantic
models this works on: the operator imports this module when its task runs.
"""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from webex_wholesale.exceptions import WebexAmbiguousWriteError, WebexApiError
from webex_wholesale.models import Subscriber, SubscriberOrder, SubscriberOutcome, SubscriberResult, SubscriberStatus
from webex_wholesale.operators.exceptions import (
    WebexInvalidInputError,
    WebexSubscribersFailedError,
    WebexSubscribersRefusedError,
)

if TYPE_CHECKING:
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook

#: Failed subscribers named in the exception message; the rest are counted ("... and N more").
MAX_FAILURES_IN_MESSAGE = 20
#: POSTs per subscriber at most: a first one, and one more only after a lookup proved an ambiguous one created
#: nothing.
MAX_POSTS = 2


@dataclass
class SubscriberBatch:
    """One batch of subscribers provisioned into one customer (see ``WebexProvisionSubscribersOperator``).

    :param hook: the task's API client, closed when the batch ends.
    :param label: names the batch in logs and in the failure message.
    :param is_admin_batch: the first subscriber is the administrator, posted alone before the others.
    :param max_concurrency: parallel POSTs at most; ``None`` sizes them from the API budget.
    :param log: the task's logger.
    """

    hook: WebexWholesaleHook
    label: str
    is_admin_batch: bool
    max_concurrency: int | None
    log: logging.Logger

    def provision(
        self, customer_id: str, orders: list[SubscriberOrder], *, look_up_first: bool = True
    ) -> list[SubscriberOutcome]:
        """Provision ``orders`` into ``customer_id``; one outcome per order, in order. Never raises per user.

        ``look_up_first=False`` posts without listing the customer first, for a customer that cannot hold any of
        them yet (created by this run, first try): a list of 20,000 users is 200 requests per batch. A user that
        exists after all is still found: its POST's 409 is reconciled by looking it up.
        """
        hook = self.hook
        if not orders:
            self.log.info("Batch %s: no subscribers to provision", self.label)
            return []
        try:
            present: dict[str, Subscriber] = {}
            if look_up_first:
                present = {(s.email or "").lower(): s for s in hook.list_subscribers(customer_id=customer_id)}
                self.log.info(
                    "Batch %s: customer %s already has %d subscribers; %d in this batch",
                    self.label,
                    customer_id,
                    len(present),
                    len(orders),
                )
            else:
                self.log.info(
                    "Batch %s: customer %s was created by this run and this is the first try: nothing to look up; "
                    "%d in this batch",
                    self.label,
                    customer_id,
                    len(orders),
                )
            results: list[SubscriberOutcome | None] = [None] * len(orders)
            todo: list[int] = []
            for index, order in enumerate(orders):
                found = present.get(order.email_key)
                if found is not None:
                    results[index] = self._outcome_present(order, found, index)
                else:
                    todo.append(index)
            if self.is_admin_batch and todo and todo[0] == 0:
                results[0] = self._provision_one(hook, customer_id, orders[0], 0)  # the admin goes first, alone
                todo = todo[1:]
            if todo:
                workers = max(1, min(self.max_concurrency or hook.budget.in_flight(), len(todo)))
                self.log.info("Batch %s: %d requests in flight (sized from the API budget)", self.label, workers)
                with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webex-subscriber") as pool:
                    done = pool.map(lambda i: (i, self._provision_one(hook, customer_id, orders[i], i)), todo)
                    for index, outcome in done:
                        results[index] = outcome
        finally:
            hook.close()
        final = [r for r in results if r is not None]
        counts = Counter(o.result.value for o in final)
        self.log.info(
            "Batch %s summary: customer=%s total=%d %s",
            self.label,
            customer_id,
            len(final),
            " ".join(f"{k}={counts.get(k, 0)}" for k in _RESULT_ORDER),
        )
        return final

    # ------------------------------------------------------------------ one subscriber

    def _is_admin(self, index: int) -> bool:
        return self.is_admin_batch and index == 0

    def _outcome_present(
        self, order: SubscriberOrder, found: Subscriber, index: int, *, attempts: int = 1, message: str | None = None
    ) -> SubscriberOutcome:
        return self._outcome_held(
            order, found, index, result=SubscriberResult.ALREADY_PRESENT, attempts=attempts, message=message
        )

    def _outcome_held(
        self,
        order: SubscriberOrder,
        held: Subscriber,
        index: int,
        *,
        attempts: int,
        result: SubscriberResult | None = None,
        **details: Any,
    ) -> SubscriberOutcome:
        """The outcome for a subscriber Webex holds, found or just created (``result``: what its status says, unless
        given); ``details`` adds message, tracking id..."""
        return SubscriberOutcome(
            email=order.email,
            name=order.name,
            is_admin=self._is_admin(index),
            subscriber_id=held.id,
            status=str(held.status.value),
            package=held.current_package or order.package,
            attempts=attempts,
            result=result or SubscriberResult.held(held.status),
            **details,
        )

    def _provision_one(
        self, hook: WebexWholesaleHook, customer_id: str, order: SubscriberOrder, index: int
    ) -> SubscriberOutcome:
        """POST one subscriber, reconciling ambiguous answers and 409s by lookup. Never raises."""
        posts = 0
        body = order.provision_body(customer_id)
        while True:
            posts += 1
            try:
                created = hook.provision_subscriber(body)
            except WebexAmbiguousWriteError as e:
                try:
                    found = self._lookup(hook, customer_id, order)
                except Exception as lookup_error:
                    return self._failed(order, index, posts, lookup_error, context=str(e))
                if found is not None:
                    self.log.info("Subscriber %s: the POST whose answer was lost did create it", order.email)
                    return self._outcome_held(
                        order,
                        found,
                        index,
                        attempts=posts,
                        message="reconciled by lookup after an ambiguous POST",
                        tracking_id=e.tracking_id,
                    )
                if posts >= MAX_POSTS:
                    return self._failed(order, index, posts, e)
                self.log.warning("Subscriber %s: ambiguous POST created nothing; posting once more", order.email)
                continue
            except WebexApiError as e:
                if e.status_code == 409:
                    return self._reconcile_conflict(hook, customer_id, order, index, posts, e)
                return self._failed(order, index, posts, e)
            except Exception as e:  # no answer, a bug or an unexpected answer: the others still go on
                return self._failed(order, index, posts, e)
            pending = created.status == SubscriberStatus.PENDING_USER_MIGRATION
            consent = "an existing Webex user must consent to the move (consent email sent)"
            return self._outcome_held(
                order,
                created,
                index,
                attempts=posts,
                http_status=202 if pending else 200,
                message=consent if pending else None,
            )

    def _reconcile_conflict(
        self, hook: WebexWholesaleHook, customer_id: str, order: SubscriberOrder, index: int, posts: int, error: Any
    ) -> SubscriberOutcome:
        try:
            found = self._lookup(hook, customer_id, order)
        except Exception as lookup_error:
            return self._failed(order, index, posts, lookup_error, context=str(error))
        if found is not None:
            return self._outcome_present(
                order, found, index, attempts=posts, message="409 on POST: already in this customer"
            )
        return self._failed(order, index, posts, error)

    def _lookup(self, hook: WebexWholesaleHook, customer_id: str, order: SubscriberOrder) -> Subscriber | None:
        for subscriber in hook.list_subscribers(customer_id=customer_id, email=order.email):
            if (subscriber.email or "").lower() == order.email_key and subscriber.customer_id in (None, customer_id):
                return subscriber
        return None

    def _failed(
        self,
        order: SubscriberOrder,
        index: int,
        posts: int,
        error: BaseException,
        *,
        context: str | None = None,
    ) -> SubscriberOutcome:
        message = getattr(error, "message", None) or str(error)
        if getattr(error, "descriptions", None):
            extra = [d for d in error.descriptions if d and d != message]  # type: ignore[attr-defined]
            if extra:
                message = f"{message}: {'; '.join(extra)}"
        if context:
            message = f"{message} (after: {context})"
        http_status = getattr(error, "status_code", None)
        outcome = SubscriberOutcome(
            email=order.email,
            name=order.name,
            result=SubscriberResult.FAILED,
            is_admin=self._is_admin(index),
            package=order.package,
            http_status=http_status if isinstance(http_status, int) else None,
            error_codes=list(getattr(error, "error_codes", None) or []),
            message=message,
            tracking_id=getattr(error, "tracking_id", None),
            attempts=posts,
        )
        self.log.warning(
            "Subscriber %s failed (%s, http %s, errorCodes %s, trackingId %s): %s",
            order.email,
            "transient" if outcome.is_transient else "permanent",
            outcome.http_status,
            outcome.error_codes,
            outcome.tracking_id,
            message,
        )
        return outcome


def raise_if_failed(outcomes: list[SubscriberOutcome], label: str) -> None:
    """Fail the task when any subscriber failed: permanently when Webex refused them all, retryably otherwise."""
    failed = [o for o in outcomes if o.failed]
    if not failed:
        return
    transient = [o for o in failed if o.is_transient]
    lines = []
    for o in failed[:MAX_FAILURES_IN_MESSAGE]:
        detail = f"http {o.http_status}" if o.http_status else "no answer"
        if o.error_codes:
            detail += f", errorCode {', '.join(map(str, o.error_codes))}"
        if o.tracking_id:
            detail += f", trackingId {o.tracking_id}"
        lines.append(f"  - {o.email}: {o.message} ({detail})")
    if len(failed) > MAX_FAILURES_IN_MESSAGE:
        lines.append(f"  ... and {len(failed) - MAX_FAILURES_IN_MESSAGE} more (all in the onboarding report)")
    header = (
        f"{len(failed)} of {len(outcomes)} subscribers failed in batch {label}"
        + (
            f" ({len(transient)} transiently: a task retry re-lists and only posts what is missing)"
            if transient
            else " (all refused by Webex: retrying cannot help; fix the order)"
        )
        + ":"
    )
    message = "\n".join([header, *lines])
    cls = WebexSubscribersFailedError if transient else WebexSubscribersRefusedError
    raise cls(message, outcomes=[o.model_dump(mode="json") for o in failed])


_RESULT_ORDER = tuple(SubscriberResult)
#: One parse of a batch's input, for an operator used on its own; in the DAG the order was validated upstream.
_SUBSCRIBERS = TypeAdapter(list[SubscriberOrder], config=ConfigDict(defer_build=True))  # built on first use


def parse_subscribers(value: Any) -> list[SubscriberOrder]:
    """The batch's ``SubscriberOrder`` JSON as models, or a clear error naming the first bad field."""
    if value is None:
        return []
    try:
        return _SUBSCRIBERS.validate_python(value)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        index, *field = first["loc"]
        where = f"subscribers[{index}]" + "".join(f".{name}" for name in field)
        raise WebexInvalidInputError(
            f"Invalid subscribers ({e.error_count()} problems), the first: {where}: {first['msg']}"
        ) from None
