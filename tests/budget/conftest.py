"""The budget tests take their turns through real hooks on a fake clock (see :mod:`helpers.hook_fixtures`)."""

from helpers.hook_fixtures import (  # noqa: F401 (fixtures are found by name in a conftest)
    connection,
    fake_time,
    make_budget,
    make_hook,
    own_budget_store,
)
