"""Check an order against its onboarding template with Webex's customer precheck; nothing is created."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import Context

from webex_wholesale.operators._base import WebexWholesaleBaseOperator


class WebexCheckTemplateOperator(WebexWholesaleBaseOperator):
    """Precheck the order (``POST /wholesale/customers/validate``) and stop if Webex refuses it.

    There is no API to list onboarding templates, so "check the template" means: precheck the order's
    provisioningId, packages, address and customerInfo. A refusal raises
    :class:`~webex_wholesale.operators.exceptions.WebexTemplateRefusedError` (a ``WebexPermanentError``, so the
    task fails without retrying) naming the provisioningId and carrying Webex's message, errorCodes and
    trackingId.

    :param order: the onboarding order as its camelCase dict (templated; may be an XComArg).
    :return: the precheck result, ``{"message": ..., "info": [{"infoCode": 100, "description": ...}]}``.
    """

    template_fields: Sequence[str] = ("order", "webex_wholesale_conn_id", "on_behalf_of_sub_partner_org_id")
    ui_color = "#e3f1fb"

    def __init__(self, *, order: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.order = order

    def execute(self, context: Context) -> dict[str, Any]:
        from webex_wholesale.exceptions import WebexPermanentError
        from webex_wholesale.operators.exceptions import WebexTemplateRefusedError

        order = self._read_order(self.order)
        try:
            result = self.hook.precheck_customer(order.precheck_body())
        except WebexPermanentError as e:
            raise WebexTemplateRefusedError.from_api_error(
                e, provisioning_id=order.provisioning_id, external_id=order.external_id
            ) from e
        finally:
            self.hook.close()
        self.log.info(
            "Webex precheck passed for externalId=%s provisioningId=%s: %s",
            order.external_id,
            order.provisioning_id,
            result.message,
        )
        return result.model_dump(mode="json", by_alias=True)
