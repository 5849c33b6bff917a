"""Deferrable triggers of the Webex Wholesale provider."""

from webex_wholesale.triggers.customer import WebexCustomerStatusTrigger

__all__ = ["WebexCustomerStatusTrigger"]
