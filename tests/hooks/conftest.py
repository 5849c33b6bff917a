"""The hook tests' fixtures, shared with the budget tests (see :mod:`helpers.hook_fixtures`)."""

from helpers.hook_fixtures import (  # noqa: F401 (fixtures are found by name in a conftest)
    connection,
    fake_time,
    hook,
    logs,
    make_budget,
    make_hook,
    own_budget_store,
    waits,
)
