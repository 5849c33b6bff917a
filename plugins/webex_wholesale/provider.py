"""What Airflow's ProvidersManager and the API's User-Agent know of this package: its name, version and connection type.

A leaf module on the lowest floor (the hook reads the version and the connection form from it); the package's
``__init__`` re-exports it for the ``apache_airflow_provider`` entry point.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

PACKAGE_NAME = "webex-wholesale-airflow"
try:
    __version__ = version(PACKAGE_NAME)
except PackageNotFoundError:  # the plugins folder used without installing the package
    __version__ = "0+unknown"

#: How Airflow's connection form shows a ``webex_wholesale`` connection. Airflow 3.2+ reads it from the provider
#: info below without importing the hook (``get_ui_field_behaviour()`` on hooks is deprecated there);
#: ``WebexWholesaleHook.get_ui_field_behaviour()`` returns the same data for older readers.
CONNECTION_UI_FIELD_BEHAVIOUR: dict = {
    "hidden-fields": ["schema", "port", "login"],
    "relabeling": {"host": "API base URL", "password": "Access token"},
    "placeholders": {
        "host": "https://webexapis.com/v1",
        "password": "Access token (leave empty when the OAuth refresh keys are set in Extra)",
        "extra": (
            '{"client_id": "<integration client id>", "client_secret": "<client secret>", '
            '"refresh_token": "<refresh token>", "token_url": "https://webexapis.com/v1/access_token", '
            '"requests_per_second": 5}'
        ),
    },
}


def get_provider_info() -> dict:
    """Describe this package to Airflow's ProvidersManager (the ``apache_airflow_provider`` entry point).

    Registering the connection type here is what makes ``webex_wholesale`` appear in the UI's connection form.
    """
    return {
        "package-name": PACKAGE_NAME,
        "name": "Webex Wholesale",
        "description": "Provision Webex Wholesale customers and subscribers.",
        "versions": [__version__],
        "connection-types": [
            {
                "connection-type": "webex_wholesale",
                "hook-class-name": "webex_wholesale.hooks.wholesale.WebexWholesaleHook",
                "hook-name": "Webex Wholesale",
                "ui-field-behaviour": CONNECTION_UI_FIELD_BEHAVIOUR,
            }
        ],
    }
