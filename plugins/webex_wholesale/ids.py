"""The Airflow names users, deployments and checks rely on: DAG ids and connection ids, each spelled only here.

A leaf module (no imports) on the lowest floor, so that every room, from the state database to the DAG files,
names a DAG or a connection by importing it, at no cost to parsing a DAG file.
"""

#: The DAG that onboards one order (triggered with the order as its conf, or by the queue for each claimed order).
ONBOARDING_DAG_ID = "webex_wholesale_onboarding"
#: The DAG that claims queued orders and starts one onboarding run for each.
QUEUE_DAG_ID = "webex_wholesale_queue"

#: The Airflow connection every Webex Wholesale hook, operator and trigger uses unless told otherwise
#: (``WebexWholesaleHook.default_conn_name`` reads it).
DEFAULT_CONN_ID = "webex_wholesale_default"
#: The ``http`` connection Setup Assist requests are delivered to; when it is not defined, the request is put
#: in the onboarding report, to submit by hand.
SETUP_ASSIST_CONN_ID = "webex_setup_assist_default"
#: The Airflow connection that points at the API budget's Redis (``redis://host:6379/1``); undefined: embedded store.
BUDGET_CONN_ID = "webex_wholesale_budget"
#: The Airflow connection naming the state database; undefined: SQLite in ``AIRFLOW_HOME``.
STATE_CONN_ID = "wholesale_db"
