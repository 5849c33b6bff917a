"""Provision a batch of subscribers into a Wholesale customer, idempotently, with bounded concurrency."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from webex_wholesale.operators._base import WebexWholesaleBaseOperator
from webex_wholesale.operators.subscriber_xcom import BUDGET_XCOM_KEY, OUTCOMES_XCOM_KEY

if TYPE_CHECKING:
    from webex_wholesale.models import SubscriberOutcome


class WebexProvisionSubscribersOperator(WebexWholesaleBaseOperator):
    """Provision a batch of subscribers into one customer; one refused subscriber does not stop the others.

    Idempotent: the customer's subscribers are listed once (one paged list); those already present are
    skipped (``already_present``); the rest are posted by threads sharing one hook, as many as the connection's
    shared API budget can keep busy at the latency observed (``hook.budget.in_flight()``); the budget, not the
    thread count, bounds the request rate of every batch of every run together. A POST whose outcome is unknown
    (timeout, 500/502/504) is reconciled by looking the email up in the customer, never repeated blindly (it is posted
    once more only when the lookup proves nothing was created). A 409 with errorCode 10022 counts as
    ``already_present`` when the lookup finds the email in this customer, and fails otherwise (the email
    belongs to a user elsewhere).

    With ``is_admin_batch=True`` the first subscriber is the customer's administrator: it is posted alone,
    before any other, and its outcome has ``isAdmin: true``.

    The outcomes (``SubscriberOutcome`` JSON without the email, one per subscriber in the order of ``subscribers``:
    the input holds the emails, and a big order is kept in XCom once) are always pushed to XCom key ``outcomes``,
    before the task ends or fails; ``batch_outcomes.join_outcomes`` puts the emails back. Each outcome is also an
    audit row in the state database. If any subscriber failed the task then raises
    :class:`~webex_wholesale.operators.exceptions.WebexSubscribersRefusedError` (an ``AirflowFailException``)
    when every failure was a permanent refusal, or
    :class:`~webex_wholesale.operators.exceptions.WebexSubscribersFailedError` (retryable: a retry re-lists
    and only posts what is missing) when some failure was transient.

    :param customer_id: the Wholesale customer id (templated; in a DAG, the provision step's
        ``.output["customerId"]``).
    :param subscribers: ``SubscriberOrder`` JSON dicts (templated), as the validated order holds them.
    :param is_admin_batch: the first subscriber is the administrator.
    :param max_concurrency: parallel POSTs at most; ``None`` sizes them from the budget.
    :param batch_label: names the batch in logs (templated).
    :param customer_adopted: the customer existed before this run (templated; in a DAG, the provision step's
        ``.output["adopted"]``). When ``False``, the first try posts without listing the customer first: none of
        its users can exist yet. A retry, or an adopted customer, lists first.
    :return: how many subscribers had each result (``{"provisioned": 249, "failed": 1}``).
    """

    template_fields: Sequence[str] = (
        "customer_id",
        "subscribers",
        "batch_label",
        "customer_adopted",
        "webex_wholesale_conn_id",
        "on_behalf_of_sub_partner_org_id",
    )
    order_data_fields: Sequence[str] = ("subscribers",)
    ui_color = "#a9d3f0"
    audit_buffered = True  # up to 20,000 rows: written in batches, the writer closed when the batch ends

    def __init__(
        self,
        *,
        customer_id: str,
        subscribers: Any,
        is_admin_batch: bool = False,
        max_concurrency: int | None = None,
        batch_label: str | None = None,
        customer_adopted: Any = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.customer_id = customer_id
        self.customer_adopted = customer_adopted
        self.subscribers = subscribers
        self.is_admin_batch = is_admin_batch
        self.max_concurrency = max_concurrency
        self.batch_label = batch_label

    @property
    def _label(self) -> str:
        return self.batch_label or ("administrator" if self.is_admin_batch else self.task_id)

    def execute(self, context: Context) -> dict[str, int]:
        # The batch works on the pydantic models: imported when the task runs, not at every parse of a DAG file.
        from webex_wholesale.operators.batch_outcomes import publish_outcomes
        from webex_wholesale.operators.subscriber_batch import SubscriberBatch, parse_subscribers, raise_if_failed

        customer_id = self.for_customer(self.customer_id)
        orders = parse_subscribers(self.subscribers)
        outcomes: list[SubscriberOutcome] = []
        audit = self.audit
        try:
            batch = SubscriberBatch(self.hook, self._label, self.is_admin_batch, self.max_concurrency, self.log)
            look_up_first = bool(self.customer_adopted) or context["ti"].try_number > 1
            outcomes = batch.provision(customer_id, orders, look_up_first=look_up_first)
        finally:
            # Always published, even when the listing itself failed (then empty): the report reads these keys.
            context["ti"].xcom_push(key=OUTCOMES_XCOM_KEY, value=publish_outcomes(outcomes))
            budget = self.hook.budget_stats()
            if budget is not None:
                self.log.info("Batch %s API budget: %s", self._label, budget.describe())
                context["ti"].xcom_push(key=BUDGET_XCOM_KEY, value=budget.summary())
            if audit is not None:
                audit.record_subscribers(outcomes)
                audit.close()
        raise_if_failed(outcomes, self._label)
        return dict(Counter(o.result.value for o in outcomes))
