"""The shared API request budget: when each request to a Webex API connection may go, for every process at once.

A room of its own below the hooks: the hook takes a turn before every attempt and reports each answer, through
the names below (the one seam); the budget knows nothing of HTTP clients or hooks. Inside: the rules as pure
functions (:mod:`.rules`), the stores that apply them atomically (:mod:`.store`: Redis or an SQLite file), the
budget a hook holds (:mod:`.api_budget`) and what one process's requests did with it (:mod:`.stats`).
"""

from webex_wholesale.budget.api_budget import ApiBudget, budget_store, open_budget
from webex_wholesale.budget.stats import BudgetStats

__all__ = ["ApiBudget", "BudgetStats", "budget_store", "open_budget"]
