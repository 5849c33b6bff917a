"""Notification fixtures: a real SMTP server in the test process (aiosmtpd) and the two notification connections.

A fixture module, not a conftest, because two test folders use it (notify and health): each one's ``conftest.py``
imports it.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler keeping every message it is given, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.raw.append(envelope.content.decode("utf-8", "replace"))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def html(self, index: int) -> str:
        return self.messages[index].get_body(("html",)).get_content()


def free_port() -> int:
    """A loopback port nothing listens on (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_connection(port: int, **extra: object) -> str:
    """``AIRFLOW_CONN_WEBEX_WHOLESALE_NOTIFY_SMTP`` for a plain local server (no TLS), mailing ops@example.com."""
    settings = {"to": "ops@example.com", "disable_ssl": True, "disable_tls": True, "retry_limit": 0, "timeout": 5}
    return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port, "extra": {**settings, **extra}})


def webex_connection(sim, room_id: str = "ops-space") -> str:
    """``AIRFLOW_CONN_WEBEX_WHOLESALE_NOTIFY_WEBEX`` for the simulator's ``POST /v1/messages``."""
    return json.dumps({"conn_type": "http", "host": sim.base_url, "password": sim.token, "extra": {"roomId": room_id}})


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
