"""A real SMTP server in the test process (aiosmtpd) and the two notification connections pointed at test servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from notify_helpers import Inbox, free_port, smtp_connection, webex_connection


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on a free loopback port; yields its inbox and port."""
    inbox = Inbox()
    port = free_port()  # aiosmtpd's start() connects to its own port to know it serves, so 0 will not do
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def inbox(smtp_server, monkeypatch) -> Inbox:
    """The email channel on, pointed at the test's SMTP server."""
    server, port = smtp_server
    monkeypatch.setenv("AIRFLOW_CONN_WEBEX_WHOLESALE_NOTIFY_SMTP", smtp_connection(port))
    return server


@pytest.fixture
def space(simulator, monkeypatch):
    """The Webex-space channel on, pointed at the test's simulator; yields the simulator."""
    monkeypatch.setenv("AIRFLOW_CONN_WEBEX_WHOLESALE_NOTIFY_WEBEX", webex_connection(simulator))
    return simulator
