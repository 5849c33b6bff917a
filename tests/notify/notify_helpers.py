"""The notification tests' servers and connections: an SMTP inbox (aiosmtpd handler) and the two connections."""

from __future__ import annotations

import json
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage


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
