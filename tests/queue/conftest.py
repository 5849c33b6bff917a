"""Queue fixtures: a migrated SQLite state database named by the ``wholesale_db`` connection, as a user sets it."""

from __future__ import annotations

import sys
from pathlib import Path

# The order builders are shared with the state tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "state"))

from helpers.state_fixtures import state_db  # noqa: F401 (a fixture, found by name)
