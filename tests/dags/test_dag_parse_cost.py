"""What parsing the onboarding DAG file must not pay for (the parse time itself is measured by ``make bench``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "webex_wholesale_onboarding.py"
PARSE_AND_REPORT = """
import runpy, sys
runpy.run_path(sys.argv[1])
from webex_wholesale.models import OnboardingOrder
from webex_wholesale.onboarding.report import OnboardingReport
print("email_validator" in sys.modules, OnboardingOrder.__pydantic_complete__, OnboardingReport.__pydantic_complete__)
"""


def test_parsing_the_dag_file_builds_no_model_validator():
    """The models build their validators on first use (``defer_build``): a parse imports them, builds none, and
    does not import the email validator they would pull in."""
    result = subprocess.run(
        [sys.executable, "-c", PARSE_AND_REPORT, str(DAG_FILE)], capture_output=True, text=True, check=True
    )

    assert result.stdout.splitlines()[-1].split() == ["False", "False", "False"]
