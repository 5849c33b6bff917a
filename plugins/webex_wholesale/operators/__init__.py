"""Operators of the Webex Wholesale provider: one idempotent step of the onboarding job each.

Importing this package is cheap enough for DAG parse time: the hook (``requests``, HttpHook) and the pydantic
models are only imported when a task runs.
"""

from webex_wholesale.operators.customer import (
    CUSTOMER_XCOM_KEY,
    WebexProvisionCustomerOperator,
    WebexWaitForCustomerOperator,
)
from webex_wholesale.operators.exceptions import (
    WebexCustomerOnHoldError,
    WebexCustomerPollingError,
    WebexCustomerProvisioningError,
    WebexCustomerTimeoutError,
    WebexInvalidInputError,
    WebexSetupAssistConnectionMissingError,
    WebexSetupAssistDeliveryError,
    WebexSetupAssistRejectedError,
    WebexSubscribersFailedError,
    WebexSubscribersRefusedError,
    WebexTemplateRefusedError,
)
from webex_wholesale.operators.setup_assist import (
    WebexSetupAssistanceOperator,
    build_setup_assist_request,
    for_customer,
)
from webex_wholesale.operators.subscriber_xcom import OUTCOMES_XCOM_KEY
from webex_wholesale.operators.subscribers import WebexProvisionSubscribersOperator
from webex_wholesale.operators.template import WebexCheckTemplateOperator

__all__ = [
    "CUSTOMER_XCOM_KEY",
    "OUTCOMES_XCOM_KEY",
    "WebexCheckTemplateOperator",
    "WebexCustomerOnHoldError",
    "WebexCustomerPollingError",
    "WebexCustomerProvisioningError",
    "WebexCustomerTimeoutError",
    "WebexInvalidInputError",
    "WebexProvisionCustomerOperator",
    "WebexProvisionSubscribersOperator",
    "WebexSetupAssistConnectionMissingError",
    "WebexSetupAssistDeliveryError",
    "WebexSetupAssistRejectedError",
    "WebexSetupAssistanceOperator",
    "WebexSubscribersFailedError",
    "WebexSubscribersRefusedError",
    "WebexTemplateRefusedError",
    "WebexWaitForCustomerOperator",
    "build_setup_assist_request",
    "for_customer",
]
