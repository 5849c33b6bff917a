"""The Webex Wholesale hook: the typed API (customers, subscribers, prechecks, sub-partners) and the connection UI.

The HTTP half (sessions, the shared request budget, tenacity retries, the per-attempt log line) is
:class:`~webex_wholesale.hooks.transport.WebexTransportHook`; the connection's fields, the retry and
ambiguous-write rules and the budget are described in docs/connection.md.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from webex_wholesale.exceptions import (
    WebexConnectionError,
    WebexPermanentError,
    WebexTransientError,
    WebexWholesaleError,
)
from webex_wholesale.hooks.responses import id_from_location, json_body
from webex_wholesale.hooks.transport import WebexTransportHook
from webex_wholesale.ids import DEFAULT_CONN_ID
from webex_wholesale.models import Customer, PrecheckResult, SubPartner, Subscriber
from webex_wholesale.models.wait import customer_event, gone_event, timeout_event
from webex_wholesale.provider import CONNECTION_UI_FIELD_BEHAVIOUR

__all__ = ["WebexWholesaleHook"]


class WebexWholesaleHook(WebexTransportHook):
    """Call the Webex Wholesale Provisioning API through an Airflow connection of type ``webex_wholesale``.

    Shared safely by the threads of a task. Every call waits for its turn in the connection's shared request budget
    (see :mod:`~webex_wholesale.budget`).

    :param webex_wholesale_conn_id: the Airflow connection id.
    :param timeout: read timeout of one HTTP attempt, in seconds (the connect timeout is 10 s at most).
    :param max_attempts: attempts per call, the first included (1 = no retries).
    :param max_retry_wait: cap, in seconds, on one wait between attempts (``Retry-After`` included).
    :param on_behalf_of_sub_partner_org_id: act for this sub-partner: adds ``onBehalfOfSubPartnerOrgId`` to
        every call.
    :param call_observer: called with one ``ApiCallRecord`` per finished API call (the audit trail).
    :param budget: the request budget (tests inject one); ``None``: the connection's shared budget.
    """

    conn_name_attr = "webex_wholesale_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = "webex_wholesale"
    hook_name = "Webex Wholesale"

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Shape the connection form: base URL, access token, OAuth refresh keys in extra.

        The data lives in ``webex_wholesale.provider.CONNECTION_UI_FIELD_BEHAVIOUR``, which the provider info also
        publishes (Airflow 3.2+ builds the form from it without importing this module).
        """
        behaviour = CONNECTION_UI_FIELD_BEHAVIOUR
        return {
            "hidden_fields": list(behaviour["hidden-fields"]),
            "relabeling": dict(behaviour["relabeling"]),
            "placeholders": dict(behaviour["placeholders"]),
        }

    # ------------------------------------------------------------------ customers

    def list_customers(
        self,
        *,
        external_id: str | None = None,
        org_id: str | None = None,
        status: Sequence[str] | None = None,
    ) -> list[Customer]:
        """``GET /wholesale/customers`` (all pages), optionally filtered."""
        return [Customer.model_validate(item) for item in self._list_customers_raw(external_id, org_id, status)]

    def _list_customers_raw(
        self, external_id: str | None, org_id: str | None, status: Sequence[str] | None
    ) -> list[dict[str, Any]]:
        if isinstance(status, str):
            status = [status]
        params = {
            "externalId": external_id,
            "orgId": org_id,
            "status": ",".join(status) if status else None,
        }
        return list(self._paginate("/wholesale/customers", params))

    def find_customer_by_external_id(self, external_id: str) -> Customer | None:
        """The customer whose ``externalId`` is exactly ``external_id``, or ``None``."""
        matches = [
            item
            for item in self._list_customers_raw(external_id, None, None)
            if isinstance(item, dict) and item.get("externalId") == external_id
        ]
        if len(matches) > 1:
            self.log.warning(
                "webex_customer_lookup external_id=%s matched %d customers; using the first (id %s)",
                external_id,
                len(matches),
                matches[0].get("id"),
            )
        return Customer.model_validate(matches[0]) if matches else None

    def provision_customer(self, body: Mapping[str, Any]) -> str:
        """``POST /wholesale/customers`` (202); return the new customer's id.

        Not idempotent: a read timeout or 500/502/504 raises :class:`WebexAmbiguousWriteError`; look the customer
        up with :meth:`find_customer_by_external_id` before trying again.
        """
        response = self._request("POST", "/wholesale/customers", json=dict(body))
        return id_from_location(response, "POST /wholesale/customers")

    def get_customer(self, customer_id: str, *, include_package_license_info: bool = False) -> Customer:
        """``GET /wholesale/customers/{id}``: the polling target for provisioning."""
        params = {"includePackageLicenseInfo": "true"} if include_package_license_info else None
        response = self._request("GET", f"/wholesale/customers/{_seg(customer_id)}", params=params)
        return Customer.model_validate(json_body(response))

    def update_customer(self, customer_id: str, body: Mapping[str, Any]) -> str:
        """``PUT /wholesale/customers/{id}`` (202); return the customer id.

        ``packages`` is the complete desired set: a package left out is removed.
        """
        response = self._request("PUT", f"/wholesale/customers/{_seg(customer_id)}", json=dict(body))
        try:
            return id_from_location(response, f"PUT /wholesale/customers/{customer_id}")
        except WebexWholesaleError:
            return customer_id

    def delete_customer(self, customer_id: str) -> None:
        """``DELETE /wholesale/customers/{id}`` (202; removal continues in the background until Get gives 404)."""
        self._request("DELETE", f"/wholesale/customers/{_seg(customer_id)}")

    def precheck_customer(self, body: Mapping[str, Any]) -> PrecheckResult:
        """``POST /wholesale/customers/validate``: creates nothing, so it is retried like a read."""
        response = self._request("POST", "/wholesale/customers/validate", json=dict(body), idempotent=True)
        return PrecheckResult.model_validate(json_body(response))

    # ------------------------------------------------------------------ subscribers

    def list_subscribers(
        self,
        *,
        customer_id: str | None = None,
        email: str | None = None,
        external_customer_id: str | None = None,
        person_id: str | None = None,
        status: str | None = None,
    ) -> list[Subscriber]:
        """``GET /wholesale/subscribers`` (all pages of 100), optionally filtered."""
        params = {
            "customerId": customer_id,
            "email": email,
            "externalCustomerId": external_customer_id,
            "personId": person_id,
            "status": status,
        }
        return [Subscriber.model_validate(item) for item in self._paginate("/wholesale/subscribers", params)]

    def provision_subscriber(self, body: Mapping[str, Any]) -> Subscriber:
        """``POST /wholesale/subscribers``: 200 (``provisioned``) or 202 (``pending_user_migration``).

        Not idempotent: a read timeout or 500/502/504 raises :class:`WebexAmbiguousWriteError`; look the
        subscriber up (``list_subscribers(customer_id=..., email=...)``) before trying again.
        """
        response = self._request("POST", "/wholesale/subscribers", json=dict(body))
        return Subscriber.model_validate(json_body(response))

    def get_subscriber(self, subscriber_id: str) -> Subscriber:
        """``GET /wholesale/subscribers/{id}``."""
        response = self._request("GET", f"/wholesale/subscribers/{_seg(subscriber_id)}")
        return Subscriber.model_validate(json_body(response))

    def update_subscriber(self, subscriber_id: str, body: Mapping[str, Any]) -> Subscriber:
        """``PUT /wholesale/subscribers/{id}`` (200)."""
        response = self._request("PUT", f"/wholesale/subscribers/{_seg(subscriber_id)}", json=dict(body))
        return Subscriber.model_validate(json_body(response))

    def delete_subscriber(self, subscriber_id: str) -> None:
        """``DELETE /wholesale/subscribers/{id}`` (204)."""
        self._request("DELETE", f"/wholesale/subscribers/{_seg(subscriber_id)}")

    def precheck_subscriber(self, body: Mapping[str, Any]) -> PrecheckResult:
        """``POST /wholesale/subscribers/validate``: creates nothing, so it is retried like a read."""
        response = self._request("POST", "/wholesale/subscribers/validate", json=dict(body), idempotent=True)
        return PrecheckResult.model_validate(json_body(response))

    def list_sub_partners(self, *, provisioning_state: str | None = None) -> list[SubPartner]:
        """``GET /wholesale/subPartners`` (all pages). Accepts ``items`` or ``subPartners`` as the list key."""
        items = self._paginate(
            "/wholesale/subPartners",
            {"provisioningState": provisioning_state},
            items_keys=("items", "subPartners"),
        )
        return [SubPartner.model_validate(item) for item in items]

    def wait_for_customer(
        self, customer_id: str, *, end_time: float, poll_interval: float, until_gone: bool = False
    ) -> dict[str, Any]:
        """Poll the customer until its wait is over or ``end_time`` (epoch seconds) passes; the worker's loop.

        Returns the same event as ``WebexCustomerStatusTrigger`` (``webex_wholesale.models.wait``). Transient
        failures (429/423/5xx after retries, no answer) are logged and polling goes on; a permanent error
        (unknown customer, refused access) raises, except the 404 that ends a wait ``until_gone`` (a deletion).
        Polls at once, then every ``poll_interval`` seconds.
        """
        last: Customer | None = None
        polls = 0
        while True:
            polls += 1
            try:
                last = self.get_customer(customer_id)
            except (WebexTransientError, WebexConnectionError) as e:
                self.log.warning("Polling customer %s failed transiently, polling on: %s", customer_id, e)
            except WebexPermanentError as e:
                gone = gone_event(customer_id, last, e, until_gone=until_gone)
                if gone is None:
                    raise
                return gone
            else:
                self.log.info("webex_customer_poll customer_id=%s status=%s poll=%d", customer_id, last.status, polls)
                event = customer_event(last, until_gone=until_gone)
                if event is not None:
                    return event
            remaining = end_time - time.time()
            if remaining <= 0:
                return timeout_event(customer_id, last, polls)
            time.sleep(min(poll_interval, remaining))

    # ------------------------------------------------------------------ UI

    def test_connection(self) -> tuple[bool, str]:
        """The UI's Test button: ``GET /wholesale/customers?max=1``, one attempt, no retries."""
        try:
            self._request("GET", "/wholesale/customers", params={"max": 1}, max_attempts=1)
        except Exception as e:
            return False, f"{type(e).__name__}: {e}"
        return True, f"Connection successfully tested: {self.settings.base_url} listed customers."


def _seg(value: str) -> str:
    """Quote an id for use as one path segment."""
    return quote(str(value), safe="")
