"""Check an order against its onboarding template with Webex's customer precheck; nothing is created."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import Context

from webex_wholesale.exceptions import WebexPermanentError
from webex_wholesale.operators._base import WebexWholesaleBaseOperator
from webex_wholesale.operators.exceptions import WebexTemplateRefusedError


class WebexCheckTemplateOperator(WebexWholesaleBaseOperator):
    """Precheck the order (``POST /wholesale/customers/validate``) and stop if Webex refuses it.

    There is no API to list onboarding templates, so "check the template" means: precheck the order's
    provisioningId, packages, address and customerInfo. A refusal raises
    :class:`~webex_wholesale.operators.exceptions.WebexTemplateRefusedError` (a ``WebexPermanentError``, so the
    task fails without retrying) naming the provisioningId and carrying Webex's message, errorCodes and
    trackingId.

    Idempotent: when the precheck answers 409 because a customer with the body's ``externalId`` already exists
    (a re-run of the same order), the body is prechecked again without ``externalId`` and the existing
    customer's id is added to the result as ``existingCustomerId``; the provision step then adopts it.

    :param precheck_body: the precheck request body (``OnboardingOrder.precheck_body()``; templated, may be an
        XComArg). It is sent as is.
    :return: the precheck result, ``{"message": ..., "info": [{"infoCode": 100, "description": ...}]}``
        (plus ``existingCustomerId`` on a re-run).
    """

    template_fields: Sequence[str] = ("precheck_body", "webex_wholesale_conn_id", "on_behalf_of_sub_partner_org_id")
    order_data_fields: Sequence[str] = ("precheck_body",)
    ui_color = "#e3f1fb"

    def __init__(self, *, precheck_body: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.precheck_body = precheck_body

    def execute(self, context: Context) -> dict[str, Any]:
        body = dict(self.precheck_body)
        external_id = body.get("externalId")
        provisioning_id = body.get("provisioningId")
        existing = None
        try:
            try:
                result = self.hook.precheck_customer(body)
            except WebexPermanentError as e:
                conflict = e.status_code == 409 and external_id
                existing = self.hook.find_customer_by_external_id(external_id) if conflict else None
                if existing is None:
                    raise
                # A re-run: the customer exists already, which the precheck reports as a conflict on externalId.
                # Check the rest of the order (template, packages, address) without it.
                self.log.info(
                    "Precheck answered 409 because customer %s already has externalId=%s (a re-run); "
                    "prechecking the order again without externalId",
                    existing.id,
                    external_id,
                )
                result = self.hook.precheck_customer({k: v for k, v in body.items() if k != "externalId"})
        except WebexPermanentError as e:
            raise WebexTemplateRefusedError.from_api_error(
                e, provisioning_id=provisioning_id, external_id=external_id
            ) from e
        finally:
            self.hook.close()
        self.log.info(
            "Webex precheck passed for externalId=%s provisioningId=%s: %s",
            external_id,
            provisioning_id,
            result.message,
        )
        answer = result.model_dump(mode="json", by_alias=True)
        if existing is not None:
            answer["existingCustomerId"] = existing.id
        return answer
