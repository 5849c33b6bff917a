"""A notifier that posts to a Webex space with Webex's ``POST /messages``, as an ops team's bot does.

The connection (``webex_wholesale_notify_webex`` by default) holds the API base URL as its host (for example
``https://webexapis.com/v1``), the bot's access token as its password and the space in its extra ``roomId``.
Nothing here logs the request's headers; the token reaches only the ``Authorization`` header.
"""

from __future__ import annotations

from typing import Any

import requests
from airflow.sdk import BaseHook, BaseNotifier

from webex_wholesale.ids import NOTIFY_WEBEX_CONN_ID

__all__ = ["WebexSpaceNotifier", "messages_url"]

#: Seconds to wait for Webex to answer one message (connect, read).
TIMEOUT = (5.0, 15.0)


def messages_url(conn: Any) -> str:
    """``<base>/messages`` from a connection whose host is the API base URL (``https://`` and ``/v1`` when bare)."""
    host = (conn.host or "").rstrip("/")
    if "://" not in host:
        port = f":{conn.port}" if conn.port else ""
        host = f"{conn.schema or 'https'}://{host}{port}/v1"
    return f"{host}/messages"


class WebexSpaceNotifier(BaseNotifier):
    """Post ``markdown`` to the connection's space.

    :param markdown: the message (Webex renders Markdown).
    :param webex_conn_id: the connection naming the API, the bot's token and the space.
    """

    template_fields = ()

    def __init__(self, *, markdown: str, webex_conn_id: str = NOTIFY_WEBEX_CONN_ID) -> None:
        super().__init__()
        self.markdown = markdown
        self.webex_conn_id = webex_conn_id

    def notify(self, context: Any) -> None:
        """Send the message; raises on a refusal (4xx/5xx) or no answer, for the caller to retry or log."""
        conn = BaseHook.get_connection(self.webex_conn_id)
        room_id = conn.extra_dejson.get("roomId")
        if not room_id or not conn.password:
            raise ValueError(f"connection {self.webex_conn_id!r} needs a bot's token as password and a roomId in extra")
        response = requests.post(
            messages_url(conn),
            json={"roomId": room_id, "markdown": self.markdown},
            headers={"Authorization": f"Bearer {conn.password}"},
            timeout=TIMEOUT,
        )
        if response.status_code >= 400:
            tracking = response.headers.get("trackingid") or ""
            raise RuntimeError(f"Webex refused the message: HTTP {response.status_code} trackingId {tracking}".strip())
        self.log.info("Posted to the Webex space of %s (message %s)", self.webex_conn_id, response.json().get("id"))
