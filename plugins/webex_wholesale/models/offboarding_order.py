"""An offboarding order: the customer to delete, named twice (the offboarding DAG's conf, a queued order's JSON)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import model_validator

from webex_wholesale.models._base import OrderModel
from webex_wholesale.models._types import NonEmptyStr
from webex_wholesale.models.errors import rule_error

__all__ = ["OffboardingOrder"]


class OffboardingOrder(OrderModel):
    """``externalId`` of the customer to delete and ``confirmExternalId``, which must repeat it exactly."""

    external_id: NonEmptyStr
    confirm_external_id: NonEmptyStr

    @model_validator(mode="after")
    def _confirmed(self) -> Self:
        if self.confirm_external_id != self.external_id:
            raise rule_error([(("confirmExternalId",), f"must repeat externalId {self.external_id!r} exactly")])
        return self

    def to_conf(self) -> dict[str, Any]:
        """The order as the offboarding DAG's conf (camelCase JSON)."""
        return self.model_dump(mode="json", by_alias=True)
