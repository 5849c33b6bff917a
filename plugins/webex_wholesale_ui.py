"""Airflow's plugin loader imports this file (by name, from the plugins folder) to find the onboarding pages.

The plugin itself lives in the package (``webex_wholesale.ui.plugin``), which ``.airflowignore`` keeps the
loader from executing a second time; this file only hands the class over.
"""

from webex_wholesale.ui.plugin import WebexWholesaleUiPlugin

__all__ = ["WebexWholesaleUiPlugin"]
