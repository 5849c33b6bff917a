"""Wait for a Wholesale customer's background provisioning in the triggerer, without holding a worker slot.

:class:`WebexCustomerStatusTrigger` polls ``GET /wholesale/customers/{id}`` until the customer reaches a terminal
status (``provisioned``, ``provisioned_with_errors``, ``error``), a compliance hold (``pending_rpl_review``) or
its deadline, then yields exactly one :class:`~airflow.triggers.base.TriggerEvent`.

The deadline is absolute (epoch seconds) and serialized, so a triggerer restart neither resets nor loses the
wait. The trigger never carries a token: it resolves the Airflow connection by id in the triggerer.

The synchronous :class:`~webex_wholesale.hooks.wholesale.WebexWholesaleHook` runs in a worker thread
(``asyncio.to_thread``): in Airflow 3.3 a sync ``get_connection`` made from a thread other than the triggerer's
event loop is bridged to the supervisor with ``run_coroutine_threadsafe``, and the HTTP calls and the hook's
retry sleeps never block the event loop shared by every trigger.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from webex_wholesale.exceptions import WebexConnectionError, WebexPermanentError, WebexTransientError
from webex_wholesale.models import Customer, customer_event, failure_event, gone_event, timeout_event

__all__ = ["WebexCustomerStatusTrigger", "customer_event"]

#: Attempts of one poll inside the hook; the poll loop itself carries on after transient failures.
POLL_MAX_ATTEMPTS = 3


class WebexCustomerStatusTrigger(BaseTrigger):
    """Poll a Wholesale customer until its provisioning is over, it is put on hold, or ``end_time`` passes.

    Yields exactly one event: ``{"status", "customer_id", "customer", "message"}`` where ``status`` is one of
    ``provisioned``, ``provisioned_with_errors``, ``error``, ``on_hold`` (``pending_rpl_review``), ``timeout``
    or ``failure`` (a permanent API error or an unusable connection), and ``customer`` is the last customer
    read (camelCase JSON) or ``None``.

    Transient API failures (429/423/5xx after the hook's retries, no answer) are logged and polling continues
    until the deadline.

    :param customer_id: the Wholesale customer id.
    :param webex_wholesale_conn_id: the Airflow connection id, resolved in the triggerer.
    :param end_time: absolute deadline, epoch seconds.
    :param poll_interval: seconds between polls.
    :param on_behalf_of_sub_partner_org_id: act for this sub-partner org.
    :param until_gone: wait for a deletion instead: yields ``gone`` once a poll is answered 404.
    """

    def __init__(
        self,
        customer_id: str,
        webex_wholesale_conn_id: str,
        end_time: float,
        poll_interval: float,
        on_behalf_of_sub_partner_org_id: str | None = None,
        until_gone: bool = False,
    ) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.webex_wholesale_conn_id = webex_wholesale_conn_id
        self.end_time = float(end_time)
        self.poll_interval = float(poll_interval)
        self.on_behalf_of_sub_partner_org_id = on_behalf_of_sub_partner_org_id
        self.until_gone = until_gone

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Class path and ``__init__`` keyword arguments, key for key (no secrets)."""
        return (
            "webex_wholesale.triggers.customer.WebexCustomerStatusTrigger",
            {
                "customer_id": self.customer_id,
                "webex_wholesale_conn_id": self.webex_wholesale_conn_id,
                "end_time": self.end_time,
                "poll_interval": self.poll_interval,
                "on_behalf_of_sub_partner_org_id": self.on_behalf_of_sub_partner_org_id,
                "until_gone": self.until_gone,
            },
        )

    def _make_hook(self) -> Any:
        from webex_wholesale.hooks.wholesale import WebexWholesaleHook

        return WebexWholesaleHook(
            self.webex_wholesale_conn_id,
            max_attempts=POLL_MAX_ATTEMPTS,
            max_retry_wait=max(1.0, min(30.0, self.poll_interval)),
            on_behalf_of_sub_partner_org_id=self.on_behalf_of_sub_partner_org_id,
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        event = await self._wait()
        yield TriggerEvent(event)

    async def _wait(self) -> dict[str, Any]:
        """Poll until the wait is over; always returns exactly one event payload."""
        last: Customer | None = None
        polls = 0
        try:
            hook = await asyncio.to_thread(self._make_hook)
        except Exception as e:  # a bad hook argument: report it rather than crash the trigger
            return self._failure(f"could not build the Webex hook ({type(e).__name__}: {e})", None)
        try:
            while True:
                polls += 1
                try:
                    last = await asyncio.to_thread(hook.get_customer, self.customer_id)
                except (WebexTransientError, WebexConnectionError) as e:
                    self.log.warning(
                        "webex_customer_poll customer_id=%s transient failure, polling on until the deadline: %s",
                        self.customer_id,
                        e,
                    )
                except WebexPermanentError as e:
                    gone = gone_event(self.customer_id, last, e, until_gone=self.until_gone)
                    if gone is not None:
                        return gone
                    return self._failure(f"{type(e).__name__}: {e}", last)
                except Exception as e:
                    # WebexPermanentError (e.g. 404 unknown customer, 403), WebexConfigurationError (connection
                    # missing or unusable in the triggerer), or an unexpected answer: polling cannot fix it.
                    return self._failure(f"{type(e).__name__}: {e}", last)
                else:
                    self.log.info(
                        "webex_customer_poll customer_id=%s status=%s poll=%d",
                        self.customer_id,
                        last.status.value,
                        polls,
                    )
                    event = customer_event(last, until_gone=self.until_gone)
                    if event is not None:
                        return event
                remaining = self.end_time - time.time()
                if remaining <= 0:
                    return timeout_event(self.customer_id, last, polls)
                await asyncio.sleep(min(self.poll_interval, remaining))
        finally:
            hook.close()

    def _failure(self, reason: str, last: Customer | None) -> dict[str, Any]:
        self.log.error("webex_customer_poll customer_id=%s failed: %s", self.customer_id, reason)
        return failure_event(self.customer_id, last, reason)
