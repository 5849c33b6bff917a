"""Webex Wholesale provider for Apache Airflow: connection type, hook, operators, trigger and order models."""

from webex_wholesale.ids import DEFAULT_CONN_ID, SETUP_ASSIST_CONN_ID
from webex_wholesale.provider import CONNECTION_UI_FIELD_BEHAVIOUR, PACKAGE_NAME, __version__, get_provider_info

__all__ = [
    "CONNECTION_UI_FIELD_BEHAVIOUR",
    "DEFAULT_CONN_ID",
    "PACKAGE_NAME",
    "SETUP_ASSIST_CONN_ID",
    "__version__",
    "get_provider_info",
]
