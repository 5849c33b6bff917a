"""Provision a Wholesale customer (idempotently) and wait for its background provisioning to end.

The wait is one base operator (:class:`CustomerWaitBaseOperator`) with two subclasses: the provision operator itself
(``wait_for_provisioning=True``, as dbt Cloud's run operator waits for its job: one step, one task start fewer on
the onboarding's critical path) and :class:`WebexWaitForCustomerOperator`, for a DAG that waits in its own step.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from webex_wholesale.exceptions import (
    WebexAmbiguousWriteError,
    WebexPermanentError,
)
from webex_wholesale.operators._base import WebexWholesaleBaseOperator, require_customer_id
from webex_wholesale.operators.exceptions import (
    WebexCustomerOnHoldError,
    WebexCustomerPollingError,
    WebexCustomerProvisioningError,
    WebexCustomerTimeoutError,
)

if TYPE_CHECKING:
    from webex_wholesale.models import Customer

#: Extra time given to Airflow's deferral timeout beyond the trigger's own deadline, so the trigger's clear
#: ``timeout`` event normally arrives first and Airflow's generic ``TaskDeferralTimeout`` is only a safety net.
DEFERRAL_TIMEOUT_MARGIN = timedelta(minutes=5)
#: XCom key under which a wait keeps the last customer it saw, also when it fails (error, on hold, timeout), so the
#: onboarding report can show the customer's status.
CUSTOMER_XCOM_KEY = "customer"
#: XCom key under which the provision operator keeps what it created or adopted before any wait, so a failed wait
#: still tells the report which customer it was.
CUSTOMER_REF_XCOM_KEY = "customer_ref"
#: Seconds between the polls a deferrable wait makes in the worker before it defers.
WORKER_POLL_INTERVAL = 0.25


class CustomerWaitBaseOperator(WebexWholesaleBaseOperator):
    """Wait until a customer's background provisioning ends, then succeed or fail distinctly per outcome.

    :meth:`wait` polls in the worker for ``worker_wait`` seconds (every ``WORKER_POLL_INTERVAL``) and ends there
    if the wait is over by then: a customer that is ready within seconds costs no deferral, whose round trip
    through the triggerer and the scheduler takes longer than the wait itself. Otherwise it defers to
    :class:`~webex_wholesale.triggers.customer.WebexCustomerStatusTrigger` with an absolute deadline
    (``now + timeout``), so no worker slot is held and a triggerer restart neither resets nor loses the wait.
    With ``deferrable=False`` it polls in the worker instead (``WebexWholesaleHook.wait_for_customer``); both
    loops end with the same events (``webex_wholesale.models.wait``), read by :meth:`end_wait`.

    Outcomes:

    * ``gone`` (a wait ``until_gone``, for a deletion): ``{"id", "status": "gone"}``.
    * ``provisioned``: the customer (camelCase dict, with ``id`` and ``orgId``).
    * ``provisioned_with_errors``: the customer, and a WARNING listing each package's errors and warnings
      (errorCodes); subscribers can still be added.
    * ``error``: :class:`~webex_wholesale.operators.exceptions.WebexCustomerProvisioningError` with Webex's
      errorCodes and descriptions (e.g. 2560, Webex Calling under maintenance); no retry.
    * ``pending_rpl_review``: :class:`~webex_wholesale.operators.exceptions.WebexCustomerOnHoldError`; a human
      must clear the Denied Party List review in Partner Hub, then re-run (safe: every step is idempotent).
    * deadline passed: :class:`~webex_wholesale.operators.exceptions.WebexCustomerTimeoutError`, retryable (a
      task retry waits again).
    * permanent polling failure (unknown customer, refused access, connection unusable in the triggerer):
      :class:`~webex_wholesale.operators.exceptions.WebexCustomerPollingError`; no retry.

    Whatever the outcome, the last customer read is also pushed to XCom key ``customer`` (so a failed wait
    still tells the report the customer's status and errors).

    :param timeout: how long to wait in all (a ``timedelta`` or seconds).
    :param poll_interval: seconds between polls (in the triggerer, or in the worker when not deferrable).
    :param deferrable: wait in the triggerer (default) rather than in the worker.
    :param worker_wait: seconds a deferrable wait polls in the worker before deferring (0: one poll).
    """

    #: Wait for a deletion instead: until Webex no longer returns the customer (the ``gone`` outcome).
    until_gone = False

    def __init__(
        self,
        *,
        timeout: timedelta | float = timedelta(hours=2),
        poll_interval: float = 15.0,
        deferrable: bool = True,
        worker_wait: float = 5.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.deferrable = deferrable
        self.worker_wait = worker_wait

    @property
    def timeout_seconds(self) -> float:
        timeout = self.timeout
        return timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)

    def wait(
        self, context: Context, customer_id: str, *, last_read: Customer | None = None, **resume_kwargs: Any
    ) -> dict[str, Any]:
        """The customer once provisioned (see the outcomes above), or a deferral that resumes in
        ``execute_complete(context, event, **resume_kwargs)``.

        ``last_read`` is the customer as the caller has just read it, nothing sent since: when its wait is over
        already, it ends there, without a poll of its own (which would only wait its turn in the API budget).
        """
        from webex_wholesale.models import CustomerWaitStatus  # pydantic models: when the task runs, not at parse
        from webex_wholesale.models.wait import customer_event

        if last_read is not None and (event := customer_event(last_read, until_gone=self.until_gone)) is not None:
            return self.end_wait(context, event, customer_id)
        end_time = time.time() + self.timeout_seconds
        if self.deferrable:  # the first seconds in the worker, then the triggerer
            worker_end, interval = min(time.time() + self.worker_wait, end_time), WORKER_POLL_INTERVAL
        else:
            worker_end, interval = end_time, self.poll_interval
        try:
            event = self.hook.wait_for_customer(
                customer_id, end_time=worker_end, poll_interval=interval, until_gone=self.until_gone
            )
        finally:
            self.hook.close()
        if not self.deferrable or event["status"] != CustomerWaitStatus.TIMEOUT or time.time() >= end_time:
            return self.end_wait(context, event, customer_id)
        self.log.info(
            "Customer %s is still busy after %.0f s; deferring (poll every %.0f s, deadline in %.0f s)",
            customer_id,
            self.worker_wait,
            self.poll_interval,
            end_time - time.time(),
        )
        # Imported here, as the hook is: airflow.triggers.base costs ~30 ms, on every parse of a DAG file.
        from webex_wholesale.triggers.customer import WebexCustomerStatusTrigger

        self.defer(
            trigger=WebexCustomerStatusTrigger(
                customer_id=customer_id,
                webex_wholesale_conn_id=self.webex_wholesale_conn_id,
                end_time=end_time,
                poll_interval=self.poll_interval,
                on_behalf_of_sub_partner_org_id=self.on_behalf_of_sub_partner_org_id or None,
                until_gone=self.until_gone,
            ),
            method_name="execute_complete",
            kwargs=resume_kwargs or None,
            timeout=timedelta(seconds=self.timeout_seconds) + DEFERRAL_TIMEOUT_MARGIN,
        )

    def end_wait(self, context: Context, event: dict[str, Any] | None, customer_id: str | None) -> dict[str, Any]:
        """End the wait according to the event's ``status`` (see the class docstring); ``customer_id`` names the
        customer when the event does not."""
        from webex_wholesale.models import Customer, CustomerWaitStatus  # pydantic: when the task runs, not at parse

        event = event or {}
        customer_json = event.get("customer") or None
        customer = Customer.model_validate(customer_json) if customer_json else None
        customer_id = event.get("customer_id") or (customer.id if customer else None) or customer_id
        message = event.get("message") or ""
        if customer_json is not None:
            context["ti"].xcom_push(key=CUSTOMER_XCOM_KEY, value=customer_json)
        codes, descriptions = customer.problems() if customer else ([], [])
        about = {"customer_id": customer_id, "customer": customer_json}
        problems = {"error_codes": codes, "descriptions": descriptions}
        try:
            status = CustomerWaitStatus(event.get("status"))
        except ValueError:
            status = None

        if status is CustomerWaitStatus.GONE:
            self.log.info("Customer %s no longer exists", customer_id)
            return {"id": customer_id, "status": status.value}
        if status is CustomerWaitStatus.PROVISIONED:
            self.log.info("Customer %s is provisioned (orgId %s)", customer_id, customer.org_id if customer else None)
            return customer_json or {"id": customer_id, "status": status.value}
        if status is CustomerWaitStatus.PROVISIONED_WITH_ERRORS:
            self.log.warning(
                "Customer %s is provisioned_with_errors; subscribers can still be added, but these packages "
                "need attention: %s",
                customer_id,
                (customer.problems_text() if customer else "") or "(Webex listed no package errors)",
            )
            return customer_json or {"id": customer_id, "status": status.value}
        if status is CustomerWaitStatus.ERROR:
            raise WebexCustomerProvisioningError(
                f"Customer {customer_id} provisioning ended in status error"
                + (f" [errorCode {', '.join(map(str, codes))}]" if codes else "")
                + (f": {'; '.join(descriptions)}" if descriptions else "")
                + ". Fix the cause (errorCode 2560: Webex Calling under maintenance, see status.webex.com), "
                "then update or remove the customer and re-run.",
                status="error",
                **about,
                **problems,
            )
        if status is CustomerWaitStatus.ON_HOLD:
            raise WebexCustomerOnHoldError(
                f"Customer {customer_id} is on hold (status pending_rpl_review): Webex is running a Denied Party "
                "List (RPL) compliance review. A human must clear it in Partner Hub; then re-run this DAG run "
                "(or clear this task). Re-running is safe: every step is idempotent and adopts what exists.",
                status="pending_rpl_review",
                **about,
                **problems,
            )
        last_status = customer.status.value if customer else None
        if status is CustomerWaitStatus.TIMEOUT:
            raise WebexCustomerTimeoutError(
                f"Timed out waiting for customer {customer_id} after {self.timeout_seconds:.0f} s: {message} "
                "A task retry waits again.",
                status=last_status,
                **about,
            )
        raise WebexCustomerPollingError(
            message or f"Waiting for customer {customer_id} ended without a usable event ({event!r}).",
            status=last_status,
            **about,
        )


class WebexProvisionCustomerOperator(CustomerWaitBaseOperator):
    """Create the order's customer, or adopt the one that already has its ``externalId``; optionally wait for it.

    Idempotent: the customer is looked up by ``externalId`` first and adopted when it exists. Otherwise it is
    posted (``POST /wholesale/customers``, 202). A POST whose outcome is unknown (timeout, 500/502/504) or that
    is answered 409 is reconciled by a second lookup: what exists is adopted; the task fails only when nothing
    is found (an ambiguous POST then fails as a retryable error, a 409 as a permanent one).

    With ``wait_for_provisioning=True`` it then waits until the customer's provisioning has ended, as
    :class:`CustomerWaitBaseOperator` says (the outcomes, the deferral, its ``timeout``, ``poll_interval``,
    ``deferrable`` and ``worker_wait``), and a task retry after a failed wait adopts the customer and waits again.

    :param customer_body: the ``POST /wholesale/customers`` body (``OnboardingOrder.customer_body()``;
        templated, may be an XComArg), sent as is; its ``externalId`` is the idempotency key.
    :param wait_for_provisioning: wait for the customer's provisioning to end before succeeding.
    :return: ``{"customerId", "externalId", "adopted": bool, "status"}``, plus ``"customer"`` (the provisioned
        customer) after a wait; each is also its own XCom key (``multiple_outputs``), so the next steps take
        ``.output["customerId"]``. ``status`` is the adopted customer's status, or ``provisioning`` for a
        customer just accepted. The same dict without ``customer`` is also XCom ``customer_ref``, pushed before
        the wait.
    """

    template_fields: Sequence[str] = ("customer_body", "webex_wholesale_conn_id", "on_behalf_of_sub_partner_org_id")
    order_data_fields: Sequence[str] = ("customer_body",)
    ui_color = "#cfe6f7"

    def __init__(
        self,
        *,
        customer_body: Any,
        wait_for_provisioning: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("multiple_outputs", True)
        super().__init__(**kwargs)
        self.customer_body = customer_body
        self.wait_for_provisioning = wait_for_provisioning

    def execute(self, context: Context) -> dict[str, Any]:
        ref = self.provision()
        context["ti"].xcom_push(key=CUSTOMER_REF_XCOM_KEY, value=ref)
        if not self.wait_for_provisioning:
            return ref
        return {**ref, "customer": self.wait(context, ref["customerId"], ref=ref)}

    def execute_complete(
        self, context: Context, event: dict[str, Any] | None = None, *, ref: dict[str, Any]
    ) -> dict[str, Any]:
        """Resume after a deferred wait (``ref``: what :meth:`execute` created or adopted, handed over by the
        deferral): the customer reference, with the customer as the wait ended it."""
        return {**ref, "customer": self.end_wait(context, event, ref["customerId"])}

    def provision(self) -> dict[str, Any]:
        """Create the customer or adopt the existing one (see the class docstring); its reference."""
        body = dict(self.customer_body)
        external_id = body["externalId"]
        hook = self.hook
        try:
            existing = hook.find_customer_by_external_id(external_id)
            if existing is not None:
                return self._adopt(existing, "it already exists (a re-run, or created outside this run)")
            try:
                customer_id = hook.provision_customer(body)
            except WebexAmbiguousWriteError as e:
                self.log.warning("Customer POST outcome unknown (%s); looking up externalId=%s", e, external_id)
                found = hook.find_customer_by_external_id(external_id)
                if found is None:
                    self.log.error(
                        "No customer with externalId=%s after the ambiguous POST: it was not created; "
                        "a task retry posts again",
                        external_id,
                    )
                    raise
                return self._adopt(found, "the POST whose answer was lost did create it")
            except WebexPermanentError as e:
                if e.status_code != 409:
                    raise
                self.log.warning("Customer POST answered 409 (%s); looking up externalId=%s", e, external_id)
                found = hook.find_customer_by_external_id(external_id)
                if found is None:
                    raise
                return self._adopt(found, "Webex reported a conflict with this existing customer")
        finally:
            hook.close()
        self.log.info(
            "Customer accepted for provisioning: customerId=%s externalId=%s provisioningId=%s",
            customer_id,
            external_id,
            body.get("provisioningId"),
        )
        return {"customerId": customer_id, "externalId": external_id, "adopted": False, "status": "provisioning"}

    def _adopt(self, customer: Customer, why: str) -> dict[str, Any]:
        from webex_wholesale.models import CustomerStatus  # pydantic models: when the task runs, not at parse

        status = customer.status.value
        self.log.info(
            "Adopting existing customer customerId=%s externalId=%s status=%s: %s",
            customer.id,
            customer.external_id,
            status,
            why,
        )
        if customer.status is CustomerStatus.ERROR:
            self.log.warning(
                "Adopted customer %s is in status error; the wait step will fail until it is fixed in Partner Hub "
                "or through an update",
                customer.id,
            )
        return {"customerId": customer.id, "externalId": customer.external_id, "adopted": True, "status": status}


class WebexWaitForCustomerOperator(CustomerWaitBaseOperator):
    """Wait, in a step of its own, until the customer's background provisioning ends (see
    :class:`CustomerWaitBaseOperator` for the outcomes, the deferral and the wait's arguments).

    :param customer_id: the Wholesale customer id (templated; in a DAG, the provision step's
        ``.output["customerId"]``).
    :return: the provisioned customer (camelCase dict, with ``id`` and ``orgId``).
    """

    template_fields: Sequence[str] = ("customer_id", "webex_wholesale_conn_id", "on_behalf_of_sub_partner_org_id")
    ui_color = "#b8dcf5"

    def __init__(self, *, customer_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.customer_id = customer_id

    def execute(self, context: Context) -> dict[str, Any]:
        return self.wait(context, require_customer_id(self.customer_id))

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> dict[str, Any]:
        """Resume after a deferred wait: the customer as the wait ended it."""
        return self.end_wait(context, event, self.customer_id)
