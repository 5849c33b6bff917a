"""Request Cisco Wholesale Setup Assist for a provisioned customer, when the order asks for it.

Setup Assist has no API (it is ordered through a form), so the pipeline compiles the request and delivers it as
JSON to a channel the operator configures: an ``http`` Airflow connection (a ticketing system, a webhook, or
the simulator's intake locally).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from webex_wholesale.operators._base import WebexWholesaleBaseOperator, customer_id_of, load_order

if TYPE_CHECKING:
    from webex_wholesale.models import OnboardingOrder

DEFAULT_SETUP_ASSIST_CONN_ID = "webex_setup_assist_default"
#: Read timeout (seconds) of the delivery POST when the connection's extra sets none.
DEFAULT_DELIVERY_TIMEOUT = 30.0
REQUEST_TYPE = "webex_wholesale_setup_assist"


def build_setup_assist_request(order: OnboardingOrder | Mapping[str, Any], customer: Mapping[str, Any]) -> dict:
    """Compile a Wholesale Setup Assist request from the order and the provisioned customer (pure function).

    Keys are always present (``None`` when unknown), camelCase, JSON-safe. ``requestKey`` identifies the
    request (``<externalId>:<customerId>``) so a receiving system can drop a duplicate delivery.
    """
    order = load_order(order)
    customer_id = customer_id_of(customer)
    info = order.customer_info
    params = order.provisioning_parameters
    location = params.calling.location if params and params.calling else None
    assistance = order.setup_assistance
    counts = Counter(subscriber.package for subscriber in order.subscribers)
    language = (assistance.preferred_language if assistance else None) or (info.language if info else None)
    return {
        "requestType": REQUEST_TYPE,
        "requestKey": f"{order.external_id}:{customer_id}",
        "externalId": order.external_id,
        "provisioningId": order.provisioning_id,
        "customerName": info.name if info else None,
        "customerId": customer_id,
        "orgId": customer.get("orgId") or order.org_id,
        "customerStatus": customer.get("status"),
        "onBehalfOfSubPartnerOrgId": order.on_behalf_of_sub_partner_org_id,
        "billingAddress": order.address.model_dump(mode="json", by_alias=True, exclude_none=True),
        "callingLocation": (
            {
                "name": location.name,
                "address": location.address.model_dump(mode="json", by_alias=True, exclude_none=True),
                "timezone": location.timezone,
            }
            if location
            else None
        ),
        "packages": list(order.packages),
        "userCounts": {package: counts[package] for package in sorted(counts)},
        "totalUsers": len(order.subscribers),
        "adminEmail": order.admin.email,
        "primaryEmail": info.primary_email if info else None,
        "contact": {
            "name": assistance.contact_name,
            "email": assistance.contact_email,
            "phone": assistance.contact_phone,
        }
        if assistance
        else None,
        "preferredLanguage": language,
        "notes": assistance.notes if assistance else None,
    }


class WebexSetupAssistanceOperator(WebexWholesaleBaseOperator):
    """Deliver a Wholesale Setup Assist request when the order has ``setupAssistance``; skip otherwise.

    Without ``setupAssistance`` in the order the task is skipped (``AirflowSkipException``). Otherwise the
    request is compiled by :func:`build_setup_assist_request` and POSTed as JSON through an ``HttpHook`` on
    ``setup_assist_conn_id`` (an ``http`` connection, e.g.
    ``{"conn_type": "http", "host": "http://127.0.0.1:8123/setup-assist/v1"}``) to ``endpoint``.

    Failures: a missing connection raises
    :class:`~webex_wholesale.operators.exceptions.WebexSetupAssistConnectionMissingError` (no retry) naming the
    connection and how to define it; a 4xx answer
    :class:`~webex_wholesale.operators.exceptions.WebexSetupAssistRejectedError` (no retry); a 5xx, 429 or no
    answer :class:`~webex_wholesale.operators.exceptions.WebexSetupAssistDeliveryError` (retryable).

    :param order: the onboarding order as its camelCase dict (templated).
    :param customer: the customer dict returned by the wait task (templated).
    :param setup_assist_conn_id: the delivery channel's ``http`` connection (templated).
    :param endpoint: path appended to the connection's URL (templated).
    :return: ``{"reference": <id from the answer>, "request": <the compiled request>}``.
    """

    template_fields: Sequence[str] = (
        "order",
        "customer",
        "setup_assist_conn_id",
        "endpoint",
        "webex_wholesale_conn_id",
        "on_behalf_of_sub_partner_org_id",
    )
    ui_color = "#fdf0d5"

    def __init__(
        self,
        *,
        order: Any,
        customer: Any,
        setup_assist_conn_id: str = DEFAULT_SETUP_ASSIST_CONN_ID,
        endpoint: str = "requests",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.order = order
        self.customer = customer
        self.setup_assist_conn_id = setup_assist_conn_id
        self.endpoint = endpoint

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowSkipException

        order = self._read_order(self.order)
        if order.setup_assistance is None:
            raise AirflowSkipException("Setup Assist not requested")
        request = build_setup_assist_request(order, self.customer or {})
        if self.on_behalf_of_sub_partner_org_id and not request["onBehalfOfSubPartnerOrgId"]:
            request["onBehalfOfSubPartnerOrgId"] = self.on_behalf_of_sub_partner_org_id
        reference = self.deliver(request)
        self.log.info(
            "Setup Assist request delivered for externalId=%s customerId=%s orgId=%s users=%d: reference %s",
            request["externalId"],
            request["customerId"],
            request["orgId"],
            request["totalUsers"],
            reference,
        )
        return {"reference": reference, "request": request}

    def deliver(self, request: dict[str, Any]) -> str | None:
        """POST the request to the channel; return the reference it answers (``id``, ``reference`` or ``key``)."""
        import requests
        from airflow.providers.http.hooks.http import HttpHook

        from webex_wholesale.exceptions import connection_env_example
        from webex_wholesale.operators.exceptions import (
            WebexSetupAssistConnectionMissingError,
            WebexSetupAssistDeliveryError,
            WebexSetupAssistRejectedError,
        )

        conn_id = self.setup_assist_conn_id
        example = {"conn_type": "http", "host": "https://tickets.example.com/setup-assist/v1"}
        try:
            connection = HttpHook.get_connection(conn_id)
        except Exception as e:
            raise WebexSetupAssistConnectionMissingError(
                f"Setup Assist was requested, but the Airflow connection {conn_id!r} cannot be loaded "
                f"({type(e).__name__}: {e}). Define it as an http connection pointing at the channel that takes "
                f"Setup Assist requests, e.g. {connection_env_example(conn_id, example)} "
                "(locally the simulator's intake: http://127.0.0.1:8123/setup-assist/v1), or remove "
                "setupAssistance from the order."
            ) from None
        timeout = (connection.extra_dejson or {}).get("timeout") or DEFAULT_DELIVERY_TIMEOUT
        hook = HttpHook(method="POST", http_conn_id=conn_id)
        try:
            response = hook.run(
                self.endpoint,
                json=request,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                extra_options={"timeout": float(timeout), "check_response": False},
            )
        except requests.RequestException as e:
            raise WebexSetupAssistDeliveryError(
                f"Setup Assist channel {conn_id!r} gave no answer ({type(e).__name__}: {e}); a task retry "
                "delivers again (the request carries requestKey to spot duplicates)."
            ) from e
        status = response.status_code
        if not 200 <= status < 300:
            body = " ".join((response.text or "").split())[:500]
            retryable = status in (408, 423, 429) or status >= 500
            cls = WebexSetupAssistDeliveryError if retryable else WebexSetupAssistRejectedError
            raise cls(
                f"Setup Assist channel {conn_id!r} answered {status} {response.reason or ''} to POST "
                f"{self.endpoint}: {body or '(no body)'}",
                http_status=status,
                body=body,
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        reference = None
        if isinstance(answer, Mapping):
            reference = answer.get("id") or answer.get("reference") or answer.get("key")
        if reference is None:
            self.log.warning("Setup Assist channel %r accepted the request (%d) but returned no id", conn_id, status)
        return str(reference) if reference is not None else None
