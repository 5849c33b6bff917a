"""Where the state lives: the ``wholesale_db`` connection, else ``$AIRFLOW_HOME/wholesale.db``."""

from __future__ import annotations

import os

from webex_wholesale.state.engine import database_url


def test_default_is_wholesale_db_in_airflow_home(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_WHOLESALE_DB", raising=False)
    url = database_url()
    assert url.drivername == "sqlite"
    assert url.database == os.path.join(os.environ["AIRFLOW_HOME"], "wholesale.db")


def test_a_postgresql_connection_uses_psycopg2(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", "postgresql://postgres@127.0.0.1:5432/test")
    url = database_url()
    assert (url.drivername, url.username, url.host, url.port, url.database) == (
        "postgresql+psycopg2",
        "postgres",
        "127.0.0.1",
        5432,
        "test",
    )


def test_a_json_connection_keeps_its_password_out_of_the_rendered_url(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_WHOLESALE_DB",
        '{"conn_type": "postgres", "host": "db", "login": "ops", "password": "s3cret-pw", "schema": "state"}',
    )
    url = database_url()
    assert url.password == "s3cret-pw"
    assert "s3cret-pw" not in str(url)
    assert url.drivername == "postgresql+psycopg2"


def test_a_sqlite_connection_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_CONN_WHOLESALE_DB", f"sqlite:///{tmp_path}/state.db")
    url = database_url()
    assert (url.drivername, url.database) == ("sqlite", f"{tmp_path}/state.db")
