"""Request Cisco Wholesale Setup Assist for a provisioned customer, when the order asks for it.

Setup Assist has no API (Cisco takes it by form), so the pipeline compiles the request and delivers it as JSON
to a channel the operator configures: an ``http`` Airflow connection (a ticketing system, a webhook, or the
simulator's intake locally). When no channel is configured, the compiled request goes into the onboarding
report as a ready-to-submit form, to submit by hand. A delivery changes something outside Airflow like any API
call, so it gets an audit record too.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook, Connection, Context
from airflow.sdk.exceptions import AirflowNotFoundException

from webex_wholesale.exceptions import connection_env_example
from webex_wholesale.http_status import is_transient_status
from webex_wholesale.ids import SETUP_ASSIST_CONN_ID
from webex_wholesale.operators._base import WebexWholesaleBaseOperator
from webex_wholesale.operators.exceptions import (
    WebexInvalidInputError,
    WebexSetupAssistConnectionMissingError,
    WebexSetupAssistDeliveryError,
    WebexSetupAssistRejectedError,
)

if TYPE_CHECKING:
    from webex_wholesale.models import OnboardingOrder

#: Read timeout (seconds) of the delivery POST when the connection's extra sets none.
DEFAULT_DELIVERY_TIMEOUT = 30.0
REQUEST_TYPE = "webex_wholesale_setup_assist"
#: ``delivery`` of a request POSTed to the configured channel, and of one left in the report to submit by hand.
DELIVERED = "delivered"
TO_SUBMIT_BY_HAND = "to submit by hand"


def build_setup_assist_request(order: OnboardingOrder) -> dict[str, Any]:
    """Compile the order's Setup Assist request; the customer's ids stay ``None`` until :func:`for_customer`.

    Keys are always present (``None`` when unknown), camelCase, JSON-safe, and in the order a person filling
    Cisco's form reads them.
    """
    info = order.customer_info
    params = order.provisioning_parameters
    location = params.calling.location if params and params.calling else None
    assistance = order.setup_assistance
    counts = Counter(subscriber.package for subscriber in order.subscribers)
    language = (assistance.preferred_language if assistance else None) or (info.language if info else None)
    return {
        "requestType": REQUEST_TYPE,
        "requestKey": None,
        "externalId": order.external_id,
        "provisioningId": order.provisioning_id,
        "customerName": info.name if info else None,
        "customerId": None,
        "orgId": order.org_id,
        "customerStatus": None,
        "onBehalfOfSubPartnerOrgId": order.on_behalf_of_sub_partner_org_id,
        "billingAddress": order.address.model_dump(mode="json", exclude_none=True),
        "callingLocation": (
            {
                "name": location.name,
                "address": location.address.model_dump(mode="json", exclude_none=True),
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


def for_customer(request: Mapping[str, Any], customer: Mapping[str, Any]) -> dict[str, Any]:
    """The request completed with the provisioned customer (camelCase JSON with ``id``, ``orgId``, ``status``).

    ``requestKey`` (``<externalId>:<customerId>``) identifies the request, so a receiving system can drop a
    duplicate delivery. Keys keep their order.
    """
    customer_id = customer.get("id")
    if not isinstance(customer_id, str) or not customer_id:
        raise WebexInvalidInputError(
            f"customer must be the customer returned by the wait task, with an 'id'; got keys {sorted(customer)}"
        )
    return {
        **request,
        "requestKey": f"{request['externalId']}:{customer_id}",
        "customerId": customer_id,
        "orgId": customer.get("orgId") or request.get("orgId"),
        "customerStatus": customer.get("status"),
    }


class WebexSetupAssistanceOperator(WebexWholesaleBaseOperator):
    """Deliver a Wholesale Setup Assist request for the provisioned customer, or leave it to submit by hand.

    The request (:func:`build_setup_assist_request`, completed by :func:`for_customer`) is POSTed as JSON
    through an ``HttpHook`` on ``setup_assist_conn_id`` (an ``http`` connection, e.g.
    ``{"conn_type": "http", "host": "http://127.0.0.1:8123/setup-assist/v1"}``) to ``endpoint``.

    When that connection is not defined, nothing is sent and the task succeeds: the result's ``delivery`` is
    ``"to submit by hand"`` and the onboarding report shows the request as a ready-to-submit form.

    Failures of a configured channel: a 4xx answer raises
    :class:`~webex_wholesale.operators.exceptions.WebexSetupAssistRejectedError` (no retry); a 408, 423, 429,
    5xx or no answer :class:`~webex_wholesale.operators.exceptions.WebexSetupAssistDeliveryError` (retryable);
    a connection that exists but cannot be loaded
    :class:`~webex_wholesale.operators.exceptions.WebexSetupAssistConnectionMissingError` (no retry).

    :param request: the compiled request (``build_setup_assist_request``; templated, may be an XComArg).
    :param customer: the customer returned by the wait task (templated).
    :param setup_assist_conn_id: the delivery channel's ``http`` connection (templated).
    :param endpoint: path appended to the connection's URL (templated).
    :return: ``{"reference": <id from the answer or None>, "delivery": "delivered" | "to submit by hand",
        "request": <the request>}``.
    """

    template_fields: Sequence[str] = (
        "request",
        "customer",
        "setup_assist_conn_id",
        "endpoint",
        "webex_wholesale_conn_id",
        "on_behalf_of_sub_partner_org_id",
    )
    order_data_fields: Sequence[str] = ("request", "customer")
    ui_color = "#fdf0d5"

    def __init__(
        self,
        *,
        request: Any,
        customer: Any,
        setup_assist_conn_id: str = SETUP_ASSIST_CONN_ID,
        endpoint: str = "requests",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.request = request
        self.customer = customer
        self.setup_assist_conn_id = setup_assist_conn_id
        self.endpoint = endpoint

    def execute(self, context: Context) -> dict[str, Any]:
        if not isinstance(self.request, Mapping):
            raise WebexInvalidInputError(f"request must be the compiled Setup Assist request, not {self.request!r}")
        request = for_customer(self.request, self.customer or {})
        about = (request["externalId"], request["customerId"], request["orgId"], request["totalUsers"])
        channel = self._channel()
        if channel is None:
            self.log.warning(
                "Setup Assist requested for externalId=%s customerId=%s orgId=%s users=%d, but connection %r is "
                "not defined: the request is in the onboarding report, to submit by hand",
                *about,
                self.setup_assist_conn_id,
            )
            return {"reference": None, "delivery": TO_SUBMIT_BY_HAND, "request": request}
        reference = self.deliver(request, channel)
        self.log.info(
            "Setup Assist request delivered for externalId=%s customerId=%s orgId=%s users=%d: reference %s",
            *about,
            reference,
        )
        return {"reference": reference, "delivery": DELIVERED, "request": request}

    def _channel(self) -> Connection | None:
        """The delivery channel's connection; ``None`` when it is not defined (the request is then submitted by
        hand). One that is defined but cannot be loaded fails the step, naming the connection and how to fix it."""
        conn_id = self.setup_assist_conn_id
        try:
            return BaseHook.get_connection(conn_id)
        except AirflowNotFoundException:
            return None
        except Exception as e:
            example = {"conn_type": "http", "host": "https://tickets.example.com/setup-assist/v1"}
            raise WebexSetupAssistConnectionMissingError(
                f"The Setup Assist channel's Airflow connection {conn_id!r} cannot be loaded "
                f"({type(e).__name__}: {e}). Define it as an http connection pointing at the channel that takes "
                f"Setup Assist requests, e.g. {connection_env_example(conn_id, example)} "
                "(locally the simulator's intake: http://127.0.0.1:8123/setup-assist/v1), or delete it to put "
                "requests in the onboarding report, to submit by hand."
            ) from None

    def deliver(self, request: dict[str, Any], connection: Connection) -> str | None:
        """POST the request to the channel; return the reference it answers (``id``, ``reference`` or ``key``)."""
        import requests  # the HTTP stack is loaded by a task that delivers, not by every DAG parse
        from airflow.providers.http.hooks.http import HttpHook

        conn_id = self.setup_assist_conn_id
        timeout = (connection.extra_dejson or {}).get("timeout") or DEFAULT_DELIVERY_TIMEOUT
        hook = HttpHook(method="POST", http_conn_id=conn_id)
        at, started = datetime.now(UTC), time.monotonic()
        try:
            response = hook.run(
                self.endpoint,
                json=request,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                extra_options={"timeout": float(timeout), "check_response": False},
            )
        except requests.RequestException as e:
            self._audit_delivery(at, started, None, None)
            raise WebexSetupAssistDeliveryError(
                f"Setup Assist channel {conn_id!r} gave no answer ({type(e).__name__}: {e}); a task retry "
                "delivers again (the request carries requestKey to spot duplicates)."
            ) from e
        status = response.status_code
        if not 200 <= status < 300:
            self._audit_delivery(at, started, status, None)
            body = " ".join((response.text or "").split())[:500]
            retryable = status == 408 or is_transient_status(status)  # a channel's timeout is worth a retry too
            cls = WebexSetupAssistDeliveryError if retryable else WebexSetupAssistRejectedError
            raise cls(
                f"Setup Assist channel {conn_id!r} answered {status} {response.reason or ''} to POST "
                f"{self.endpoint}: {body or '(no body)'}",
                http_status=status,
                body=body,
            )
        reference = _reference(response)
        self._audit_delivery(at, started, status, reference)
        if reference is None:
            self.log.warning("Setup Assist channel %r accepted the request (%d) but returned no id", conn_id, status)
        return reference

    def _audit_delivery(self, at: datetime, started: float, status: int | None, reference: str | None) -> None:
        """One audit record for the delivery: the channel's reference stands where Webex's trackingId would. The
        path names the connection and the endpoint, never the channel's URL: a webhook's URL holds its secret."""
        if self.audit is None:
            return
        # Imported here: the models package costs the DAG file's parse (tests/dags/test_dag_parse_cost.py).
        from webex_wholesale.models.call_record import ApiCallRecord

        self.audit(
            ApiCallRecord(
                at=at,
                method="POST",
                path=f"{self.setup_assist_conn_id}/{self.endpoint}",
                http_status=status,
                tracking_id=reference,
                duration_ms=round((time.monotonic() - started) * 1000),
                attempts=1,
            )
        )


def _reference(response: Any) -> str | None:
    """The id a channel answered (``id``, ``reference`` or ``key`` of a JSON object), if any."""
    try:
        answer = response.json()
    except ValueError:
        return None
    if not isinstance(answer, Mapping):
        return None
    reference = answer.get("id") or answer.get("reference") or answer.get("key")
    return str(reference) if reference is not None else None
