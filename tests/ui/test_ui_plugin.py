"""Airflow finds the plugin in the plugins folder, and its api-server mounts the pages, authentication included."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from helpers.state_db import migrated_engine
from ui_helpers import DAG_ID, seed


@pytest.fixture
def airflow_plugins():
    """Airflow's plugin registry loaded afresh from the project's plugins folder (AIRFLOW__CORE__PLUGINS_FOLDER)."""
    from airflow import plugins_manager

    caches = (
        plugins_manager._get_plugins,
        plugins_manager._get_ui_plugins,
        plugins_manager.get_fastapi_plugins,
    )
    for cached in caches:
        cached.cache_clear()
    yield plugins_manager
    for cached in caches:
        cached.cache_clear()


def test_the_plugin_is_registered_with_its_app_and_both_views(airflow_plugins):
    from webex_wholesale.ui.plugin import PLUGIN_NAME

    plugins, import_errors = airflow_plugins._get_plugins()
    assert import_errors == {}
    assert PLUGIN_NAME in [p.name for p in plugins]

    apps, _middlewares = airflow_plugins.get_fastapi_plugins()
    assert [a["url_prefix"] for a in apps if a["name"] == "Webex Wholesale onboarding"] == ["/wholesale"]

    views, _react_apps = airflow_plugins._get_ui_plugins()  # a view without url_route would be missing here
    by_destination = {v["destination"]: v for v in views if v["href"].startswith("wholesale/")}
    assert by_destination["nav"]["href"] == "wholesale/orders"
    assert by_destination["dag_run"]["href"] == "wholesale/runs/{DAG_ID}/{RUN_ID}"


def test_the_api_server_mounts_the_pages_behind_airflow_authentication(
    airflow_plugins, auth_manager, mint_token, tmp_path, monkeypatch
):
    """The app Airflow's api-server serves (``create_app``), with the state database named by ``wholesale_db``."""
    from airflow.api_fastapi.app import create_app

    engine = migrated_engine(f"sqlite:///{tmp_path / 'wholesale.db'}")
    seeded = seed(engine)
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", f"sqlite:///{tmp_path / 'wholesale.db'}")
    client = TestClient(create_app(apps="core"))

    assert client.get("/wholesale/orders").status_code == 401
    client.cookies.set("_token", mint_token())
    page = client.get(f"/wholesale/runs/{DAG_ID}/{seeded.failed_run}")

    assert page.status_code == 200
    assert "What failed (2)" in page.text
    assert "acme-dental-0001" in client.get("/wholesale/orders", params={"q": "acme"}).text


@pytest.mark.processes
def test_loading_the_plugin_does_not_import_the_pages():
    """Every task process loads plugins; the pages (and Airflow's api-server security code) load on first request."""
    from ui_helpers import ROOT

    probe = "import sys, webex_wholesale_ui; print(sorted(m for m in sys.modules if m.startswith('webex_wholesale.')))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT / "plugins", capture_output=True, text=True, check=True
    ).stdout

    assert "webex_wholesale.ui.plugin" in loaded
    assert "webex_wholesale.ui.app" not in loaded
    assert "webex_wholesale.state" not in loaded
