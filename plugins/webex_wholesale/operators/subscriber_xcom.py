"""What a subscribers task publishes in XCom: read by the report.

Its own module so that the operator (imported when a DAG file is parsed), the batch it runs (imported when the task
runs) and the report each import these keys without importing one another.
"""

from __future__ import annotations

#: XCom key of the per-subscriber outcomes (always pushed, also when the task fails), without the emails the
#: batch's input holds (:mod:`~webex_wholesale.operators.batch_outcomes`).
OUTCOMES_XCOM_KEY = "outcomes"
#: XCom key of what this task's requests did with the API budget (``BudgetStats.summary()``).
BUDGET_XCOM_KEY = "budget"
