"""Airflow's plugin loader imports this file (by name, from the plugins folder) to find the task-module preloader.

The plugin lives in the package (``webex_wholesale.preload``), which ``.airflowignore`` keeps the loader from
executing a second time; this file only hands the class over.
"""

from webex_wholesale.preload import WebexWholesalePreloadPlugin

__all__ = ["WebexWholesalePreloadPlugin"]
