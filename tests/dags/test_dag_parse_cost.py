"""What parsing the onboarding DAG file must not pay for (the parse time itself is measured by ``make bench``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes  # fresh interpreters that import Airflow: not in make test-fast

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "webex_wholesale_onboarding.py"
#: Imported when a task runs, never by a parse: pydantic models and the report built from them.
RUN_TIME_ONLY = ("webex_wholesale.models", "webex_wholesale.onboarding.report")
PARSE_AND_REPORT = """
import runpy, sys
runpy.run_path(sys.argv[1])
print(*(name in sys.modules for name in sys.argv[2:]))
from webex_wholesale.models import OnboardingOrder
from webex_wholesale.models.report import OnboardingReport
print("email_validator" in sys.modules, OnboardingOrder.__pydantic_complete__, OnboardingReport.__pydantic_complete__)
"""


def _parse_and_report() -> list[list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PARSE_AND_REPORT, str(DAG_FILE), *RUN_TIME_ONLY],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split() for line in result.stdout.splitlines()[-2:]]


def test_parsing_the_dag_file_imports_no_model():
    """The models and the report cost about 75 ms to import: the tasks that use them import them when they run."""
    imported, _ = _parse_and_report()

    assert dict(zip(RUN_TIME_ONLY, imported, strict=True)) == dict.fromkeys(RUN_TIME_ONLY, "False")


def test_the_models_build_no_validator_on_import():
    """The models build their validators on first use (``defer_build``): importing them builds none and does not
    import the email validator they would pull in."""
    _, built = _parse_and_report()

    assert built == ["False", "False", "False"]
