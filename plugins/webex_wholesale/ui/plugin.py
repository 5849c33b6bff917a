"""The Airflow plugin that puts the onboarding pages into the Airflow UI.

``fastapi_apps`` mounts the pages on the api-server under ``/wholesale``; ``external_views`` shows them in the UI,
in iframes: a "Wholesale" entry of its own in the navigation bar, and a "Wholesale report" tab on every DAG run's
page (the onboarding DAG's runs have a report; other DAGs' runs say they have none). A view needs a ``url_route``
or Airflow drops it silently. Hrefs have no leading slash: the UI resolves them against its ``<base href>``, so they
follow ``[api] base_url``.

Every Airflow process loads plugins (each task process does, for macros), so this module stays cheap to import:
the pages' app, with Airflow's auth machinery and the state database behind it, is built on its first request.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

from webex_wholesale.ui import URL_PREFIX

PLUGIN_NAME = "webex_wholesale_ui"
_HREF = URL_PREFIX.lstrip("/")


class PagesOnFirstRequest:
    """An ASGI app that builds the pages' FastAPI app (:func:`webex_wholesale.ui.app.create_app`) when first called.

    Importing the app means importing Airflow's api-server security code (about a second); only the api-server
    ever calls it, so only the api-server pays.
    """

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if self.app is None:
            from webex_wholesale.ui.app import create_app

            self.app = create_app()
        await self.app(scope, receive, send)


class WebexWholesaleUiPlugin(AirflowPlugin):
    """Onboarding pages: orders by state, one order, one run's report and audit."""

    name = PLUGIN_NAME
    fastapi_apps = [{"app": PagesOnFirstRequest(), "url_prefix": URL_PREFIX, "name": "Webex Wholesale onboarding"}]
    external_views = [
        {
            "name": "Wholesale",
            "href": f"{_HREF}/orders",
            "destination": "nav",
            "nav_top_level": True,
            "url_route": "wholesale-onboarding",
        },
        {
            "name": "Wholesale report",
            "href": f"{_HREF}/runs/{{DAG_ID}}/{{RUN_ID}}",
            "destination": "dag_run",
            "url_route": "wholesale-run-report",
        },
    ]
