"""The Airflow names users, deployments and checks rely on: DAG ids and connection ids, each spelled only here.

A leaf module (no imports) on the lowest floor, so that every room, from the state database to the DAG files,
names a DAG or a connection by importing it, at no cost to parsing a DAG file.
"""

#: The DAG that onboards one order (triggered with the order as its conf, or by the queue for each claimed order).
ONBOARDING_DAG_ID = "webex_wholesale_onboarding"
#: The DAG that claims queued orders and starts one onboarding run for each.
QUEUE_DAG_ID = "webex_wholesale_queue"
#: The DAG that changes an existing customer to what an order says (plan, approval, apply).
CHANGE_DAG_ID = "webex_wholesale_change"
#: The DAG that deletes a customer once a person approves it.
OFFBOARDING_DAG_ID = "webex_wholesale_offboarding"

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
#: The DAG that checks onboarded customers' health and drift on a schedule and tells people what it finds.
HEALTH_DAG_ID = "webex_wholesale_health"

#: The ``smtp`` connection notifications are emailed through (recipients in its extra ``to``); undefined: no email.
NOTIFY_SMTP_CONN_ID = "webex_wholesale_notify_smtp"
#: The Webex space notifications are posted to (API base URL as host, a bot's token as password, the space in
#: extra ``roomId``); undefined: no Webex message.
NOTIFY_WEBEX_CONN_ID = "webex_wholesale_notify_webex"

#: The pool that bounds how many subscriber batch tasks (onboarding and change) call the API at once.
API_POOL = "webex_wholesale_api"
