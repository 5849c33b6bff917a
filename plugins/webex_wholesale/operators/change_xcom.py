"""What the change and offboarding steps publish in XCom: read by the approval, the batches and the report.

Its own module, as :mod:`~webex_wholesale.operators.subscriber_xcom` is, so the operators (imported when a DAG file
is parsed), what they run and the report name these keys without importing one another.
"""

from __future__ import annotations

#: XCom key of the plan (``ChangePlan`` or ``OffboardingPlan`` JSON), pushed by the planning step.
PLAN_XCOM_KEY = "plan"
#: XCom key of the plan as a person reads it (Markdown): the approval's body.
SUMMARY_XCOM_KEY = "summary"
#: XCom key of the ``ChangeOutcome`` JSON records a step applied (always pushed, also when the step fails).
CHANGES_XCOM_KEY = "changes"
#: XCom key of the decision on the plan (``Approval`` JSON), pushed before a rejection skips what follows.
DECISION_XCOM_KEY = "decision"
#: XCom keys of what the apply steps take from the plan: the customer, and its package sets before and after.
CUSTOMER_ID_XCOM_KEY = "customerId"
PACKAGES_AFTER_ADDITIONS_XCOM_KEY = "packagesAfterAdditions"
PACKAGES_DESIRED_XCOM_KEY = "packagesDesired"
#: XCom keys of what the apply steps take from the change's order: the sub-partner it acts for (empty when none),
#: and the customer's ``provisioningParameters`` (empty when none; a package addition may need them).
SUB_PARTNER_XCOM_KEY = "subPartnerOrgId"
PROVISIONING_PARAMETERS_XCOM_KEY = "provisioningParameters"
