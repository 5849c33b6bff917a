"""What every Webex Wholesale operator shares: the connection arguments, the hook, and input parsing.

Module top-level imports stay cheap (DAG files import the operators on every parse): the hook (``requests``,
HttpHook) and the pydantic models are imported inside methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from webex_wholesale.operators.exceptions import WebexInvalidInputError

if TYPE_CHECKING:
    from webex_wholesale.hooks.wholesale import WebexWholesaleHook
    from webex_wholesale.models import OnboardingOrder

DEFAULT_CONN_ID = "webex_wholesale_default"


class WebexWholesaleBaseOperator(BaseOperator):
    """Base of the Webex Wholesale operators; ``__init__`` only stores arguments.

    :param webex_wholesale_conn_id: Airflow connection of type ``webex_wholesale`` (templated).
    :param on_behalf_of_sub_partner_org_id: act for this sub-partner org (templated); when ``None``, an
        operator that takes an order uses the order's ``onBehalfOfSubPartnerOrgId``.
    """

    ui_color = "#d6ecfa"
    ui_fgcolor = "#0b3d5c"

    def __init__(
        self,
        *,
        webex_wholesale_conn_id: str = DEFAULT_CONN_ID,
        on_behalf_of_sub_partner_org_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.webex_wholesale_conn_id = webex_wholesale_conn_id
        self.on_behalf_of_sub_partner_org_id = on_behalf_of_sub_partner_org_id

    def _hook_kwargs(self) -> dict[str, Any]:
        return {}

    @cached_property
    def hook(self) -> WebexWholesaleHook:
        """The API client, built on first use (after templates are rendered and the order is read)."""
        from webex_wholesale.hooks.wholesale import WebexWholesaleHook

        return WebexWholesaleHook(
            self.webex_wholesale_conn_id,
            on_behalf_of_sub_partner_org_id=self.on_behalf_of_sub_partner_org_id or None,
            **self._hook_kwargs(),
        )

    def _read_order(self, value: Any) -> OnboardingOrder:
        """Parse the order; adopt its sub-partner unless the operator was given one."""
        order = load_order(value)
        if not self.on_behalf_of_sub_partner_org_id and order.on_behalf_of_sub_partner_org_id:
            self.on_behalf_of_sub_partner_org_id = order.on_behalf_of_sub_partner_org_id
        return order


def load_order(value: Any) -> OnboardingOrder:
    """An :class:`OnboardingOrder` from its camelCase dict (or the model itself); typed failure on a bad one."""
    from webex_wholesale.models import OnboardingOrder, OrderValidationError, parse_order

    if isinstance(value, OnboardingOrder):
        return value
    if isinstance(value, str):
        raise WebexInvalidInputError(
            "The order is a string, not an object: pass the order dict (or an XComArg), or render templates as "
            "native objects (render_template_as_native_obj=True)."
        )
    try:
        return parse_order(value)
    except OrderValidationError as e:
        raise WebexInvalidInputError(str(e)) from None


def customer_id_of(customer: Any) -> str:
    """The customer id from the wait task's customer dict (``id``) or a provision result (``customerId``)."""
    if isinstance(customer, str) and customer.strip():
        return customer.strip()
    if isinstance(customer, Mapping):
        value = customer.get("id") or customer.get("customerId")
        if isinstance(value, str) and value:
            return value
    raise WebexInvalidInputError(
        f"customer must be the customer dict returned by the wait task (with 'id' or 'customerId'); got "
        f"{type(customer).__name__}"
    )
