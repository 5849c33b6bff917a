"""The notification tests' fixtures, shared with the health tests (see :mod:`helpers.notify_fixtures`)."""

from helpers.notify_fixtures import inbox, smtp_server, space  # noqa: F401 (fixtures are found by name in a conftest)
