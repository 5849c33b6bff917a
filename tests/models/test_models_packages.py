"""The package tables are consistent with each other, and the models stay out of Airflow and HTTP."""

from __future__ import annotations

import subprocess
import sys

from webex_wholesale.models import (
    CUSTOMER_CALLING_PACKAGES,
    CUSTOMER_PACKAGES,
    LIMITABLE_PACKAGES,
    PACKAGE_DEPENDENCIES,
    SUBSCRIBER_CALLING_PACKAGES,
    SUBSCRIBER_PACKAGES,
)


def test_every_table_names_known_customer_packages():
    known = set(CUSTOMER_PACKAGES)

    assert set(CUSTOMER_CALLING_PACKAGES) <= known
    assert set(LIMITABLE_PACKAGES) <= known
    for addon, needs in PACKAGE_DEPENDENCIES.items():
        assert addon in known
        assert set(needs) <= set(CUSTOMER_CALLING_PACKAGES)


def test_subscriber_calling_packages_are_all_but_meetings():
    assert set(SUBSCRIBER_PACKAGES) - set(SUBSCRIBER_CALLING_PACKAGES) == {"webex_meetings"}


def test_no_duplicates_in_the_tables():
    for table in (CUSTOMER_PACKAGES, SUBSCRIBER_PACKAGES, CUSTOMER_CALLING_PACKAGES, LIMITABLE_PACKAGES):
        assert len(set(table)) == len(table)


def test_models_import_neither_airflow_nor_http_libraries():
    """The layer rule: models know the order format and the API's field rules, never Airflow or HTTP."""
    code = (
        "import sys, webex_wholesale.models\n"
        "banned = ('airflow', 'requests', 'httpx', 'aiohttp', 'urllib3')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(banned)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
