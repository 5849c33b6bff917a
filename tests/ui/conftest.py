"""Page-test fixtures: Airflow's auth manager, tokens minted the way Airflow mints them, a filled state database,
and the pages' app mounted under /wholesale as the api-server mounts it."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers.state_db import migrated_engine
from sqlalchemy import Engine
from ui_helpers import Seeded, mounted_client, seed


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


@pytest.fixture
def chromium_executable() -> str:
    from browser_helpers import find_chromium

    executable = find_chromium()
    if executable is None:
        if os.environ.get("WWA_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required here (WWA_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium not installed (apt-get install chromium); WWA_REQUIRE_BROWSER=1 makes this a failure")
    return executable


@pytest.fixture
def chromium(chromium_executable) -> Iterator:
    """A headless Chromium (Playwright's ``Browser``) for the test."""
    from browser_helpers import headless_chromium

    with headless_chromium(chromium_executable) as browser:
        yield browser


@pytest.fixture
def served_pages(sqlite_engine, seeded) -> Iterator[str]:
    """The pages (mounted at /wholesale) served by uvicorn on a free loopback port."""
    import uvicorn

    app = mounted_client(sqlite_engine)[1].app
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
