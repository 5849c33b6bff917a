"""Page-test fixtures: Airflow's auth manager, tokens minted the way Airflow mints them, a filled state database,
and the pages' app mounted under /wholesale as the api-server mounts it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from ui_helpers import Seeded, migrated_engine, mounted_client, seed


@pytest.fixture(scope="session")
def auth_manager(airflow_db):
    """The configured auth manager (SimpleAuthManager), initialised as the api-server does at start-up."""
    from airflow.api_fastapi.app import init_auth_manager

    return init_auth_manager()


@pytest.fixture
def mint_token(auth_manager) -> Callable[..., str]:
    """A JWT for a SimpleAuthManager user, signed like the one POST /auth/token returns."""
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    def mint(username: str = "ops", role: str | None = "viewer", expires_in: int = 3600) -> str:
        user = SimpleAuthManagerUser(username=username, role=role)
        return auth_manager.generate_jwt(user, expiration_time_in_seconds=expires_in)

    return mint


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    engine = migrated_engine(f"sqlite:///{tmp_path / 'wholesale.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(sqlite_engine) -> Seeded:
    return seed(sqlite_engine)


@pytest.fixture
def pages(sqlite_engine) -> FastAPI:
    return mounted_client(sqlite_engine)[0]


@pytest.fixture
def anonymous(sqlite_engine) -> TestClient:
    return mounted_client(sqlite_engine)[1]


@pytest.fixture
def browser(sqlite_engine, mint_token) -> TestClient:
    """A client carrying the Airflow UI's session cookie, as the iframe in the UI does."""
    client = mounted_client(sqlite_engine)[1]
    client.cookies.set("_token", mint_token())
    return client


@pytest.fixture
def orders_api(pages) -> FastAPI:
    """The orders API app the pages' app mounts at /wholesale/api/v1."""
    from starlette.routing import Mount

    from webex_wholesale.ui.api import API_PREFIX

    return next(r.app for r in pages.routes if isinstance(r, Mount) and r.path == API_PREFIX)


@pytest.fixture
def bearer(mint_token) -> Callable[[str | None], dict[str, str]]:
    """The Authorization header of a user with ``role`` (a simple auth manager role: viewer, user, op, admin)."""
    return lambda role="user": {"Authorization": f"Bearer {mint_token(username=f'{role}-1', role=role)}"}
