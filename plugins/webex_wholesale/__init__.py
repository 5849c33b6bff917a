"""Webex Wholesale provider for Apache Airflow: connection type, hook, operators, trigger and order models."""

from __future__ import annotations

__version__ = "0.1.0"


def get_provider_info() -> dict:
    """Describe this package to Airflow's ProvidersManager (the ``apache_airflow_provider`` entry point).

    Registering the connection type here is what makes ``webex_wholesale`` appear in the UI's connection form.
    """
    return {
        "package-name": "webex-wholesale-airflow",
        "name": "Webex Wholesale",
        "description": "Provision Webex Wholesale customers and subscribers.",
        "versions": [__version__],
        "connection-types": [
            {
                "connection-type": "webex_wholesale",
                "hook-class-name": "webex_wholesale.hooks.wholesale.WebexWholesaleHook",
            }
        ],
    }
