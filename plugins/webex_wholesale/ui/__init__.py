"""The onboarding pages in the Airflow UI: orders by state, one order, one run's report and audit.

A FastAPI sub-app with server-rendered HTML (:mod:`.app`), mounted on Airflow's api-server by the plugin in
:mod:`.plugin` (found by Airflow through ``plugins/webex_wholesale_ui.py``). Every route requires an authenticated
Airflow user (:mod:`.auth`).
"""

#: Where the plugin mounts the pages on the api-server; the UI's external views point under it.
URL_PREFIX = "/wholesale"
