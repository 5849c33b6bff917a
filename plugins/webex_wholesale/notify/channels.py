"""The notification channels: email and a Webex space, each on when its Airflow connection exists.

No connection means no channel, silently: a deployment that configures neither is told nothing and nothing fails.
Each channel turns one event into a notifier ready to ``notify``; the notifiers' templating is not used, since
an event's text is final (a customer's name may hold ``{{`` and must be sent as written).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from airflow.sdk import BaseHook, BaseNotifier

from webex_wholesale.ids import NOTIFY_SMTP_CONN_ID, NOTIFY_WEBEX_CONN_ID
from webex_wholesale.models.notification import NotificationEvent

__all__ = ["Channel", "configured_channels"]

#: The sender when the SMTP connection's extra names no ``from_email``.
DEFAULT_FROM = "webex-wholesale@localhost"


@dataclass(frozen=True)
class Channel:
    """One way of telling people: its name (for logs) and how it makes a notifier for an event."""

    name: str
    conn_id: str
    notifier_for: Callable[[NotificationEvent], BaseNotifier]


def _connection(conn_id: str) -> Any | None:
    from airflow.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def _email_channel(conn: Any) -> Channel:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    extra = conn.extra_dejson
    to = extra.get("to")
    if not to:
        raise ValueError(f"connection {conn.conn_id!r} has no recipients: set its extra 'to' (an address or a list)")
    sender = extra.get("from_email") or DEFAULT_FROM

    def notifier_for(event: NotificationEvent) -> BaseNotifier:
        return SmtpNotifier(
            to=to, from_email=sender, subject=event.subject(), html_content=event.html(), smtp_conn_id=conn.conn_id
        )

    return Channel("email", conn.conn_id, notifier_for)


def _webex_channel(conn: Any) -> Channel:
    from webex_wholesale.notify.webex_space import WebexSpaceNotifier

    return Channel(
        "webex space",
        conn.conn_id,
        lambda event: WebexSpaceNotifier(markdown=event.markdown(), webex_conn_id=conn.conn_id),
    )


def configured_channels(
    smtp_conn_id: str = NOTIFY_SMTP_CONN_ID, webex_conn_id: str = NOTIFY_WEBEX_CONN_ID
) -> list[Channel]:
    """The channels whose connection exists. A connection that exists but is incomplete raises ``ValueError``."""
    channels = []
    if (conn := _connection(smtp_conn_id)) is not None:
        channels.append(_email_channel(conn))
    if (conn := _connection(webex_conn_id)) is not None:
        channels.append(_webex_channel(conn))
    return channels
