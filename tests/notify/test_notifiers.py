"""Notifications by email (a real SMTP server) and to a Webex space (the simulator's POST /v1/messages).

Each channel is on when its connection exists and silent otherwise; a channel that fails is retried and logged,
and never raises; no message and no log line carries a token.
"""

from __future__ import annotations

import logging

import pytest
from helpers.notify_fixtures import free_port, smtp_connection

from webex_wholesale.models.notification import EventKind, NotificationEvent
from webex_wholesale.notify import deliver as delivery
from webex_wholesale.notify.channels import configured_channels
from webex_wholesale.notify.deliver import deliver

EVENT = NotificationEvent(
    kind=EventKind.RUN_FAILED,
    external_id="acme-42",
    customer_name="Acme <Corp> {{ 7 * 7 }}",
    what="2 of 20 subscribers failed",
    todo="Read the report, fix the cause, then retry the order.",
    link="http://airflow.example/wholesale/orders/7",
    details=("bob@acme.example: 400 invalid email",),
)


def test_no_connection_means_no_channel_and_delivering_sends_nothing():
    assert configured_channels() == []
    assert deliver(EVENT) == {}


def test_email_goes_to_the_connections_recipients_with_customer_what_todo_and_link(inbox):
    assert deliver(EVENT) == {"email": True}

    (message,) = inbox.messages
    assert message["To"] == "ops@example.com"
    assert message["Subject"] == "Webex Wholesale: Acme <Corp> {{ 7 * 7 }} (acme-42): failed"
    body = inbox.html(0)
    for expected in (
        "Acme &lt;Corp&gt; {{ 7 * 7 }} (acme-42)",  # escaped, and sent as written: no template rendering
        "2 of 20 subscribers failed",
        "bob@acme.example: 400 invalid email",
        "What to do: Read the report",
        'href="http://airflow.example/wholesale/orders/7"',
    ):
        assert expected in body


def test_a_webex_space_gets_one_markdown_message_with_customer_what_todo_and_link(space):
    assert deliver(EVENT) == {"webex space": True}

    (message,) = space.state()["messages"]
    assert message["roomId"] == "ops-space"
    text = message["markdown"]
    assert text.startswith("**Acme \\<Corp\\> {{ 7 \\* 7 }} (acme-42): failed**")
    assert "2 of 20 subscribers failed" in text
    assert "What to do: Read the report" in text
    assert "[Open the order](http://airflow.example/wholesale/orders/7)" in text


def test_both_channels_each_get_the_event_once(inbox, space):
    assert deliver(EVENT) == {"email": True, "webex space": True}

    assert len(inbox.messages) == 1
    assert len(space.state()["messages"]) == 1


def test_a_channel_that_cannot_deliver_is_retried_logged_and_never_raises(monkeypatch, space, caplog):
    monkeypatch.setenv("AIRFLOW_CONN_WEBEX_WHOLESALE_NOTIFY_SMTP", smtp_connection(free_port()))
    pauses: list[float] = []

    with caplog.at_level(logging.WARNING, logger=delivery.__name__):
        results = deliver(EVENT, sleep=pauses.append)

    assert results == {"email": False, "webex space": True}
    assert pauses == [2.0, 4.0]
    failures = [r for r in caplog.records if "by email failed" in r.getMessage()]
    assert [r.getMessage().split("(attempt ")[1][:6] for r in failures] == ["1 of 3", "2 of 3", "3 of 3"]
    assert "not delivered after 3 attempts" in caplog.text
    assert len(space.state()["messages"]) == 1


def test_a_refused_webex_message_is_logged_with_its_status_and_never_the_token(monkeypatch, simulator, caplog):
    import json

    wrong = json.dumps(
        {
            "conn_type": "http",
            "host": simulator.base_url,
            "password": "bot-secret-token",
            "extra": {"roomId": "ops-space"},
        }
    )
    monkeypatch.setenv("AIRFLOW_CONN_WEBEX_WHOLESALE_NOTIFY_WEBEX", wrong)

    with caplog.at_level(logging.DEBUG):
        results = deliver(EVENT, sleep=lambda _: None)

    assert results == {"webex space": False}
    assert "HTTP 401" in caplog.text
    assert "bot-secret-token" not in caplog.text
    assert simulator.state()["messages"] == []


def test_no_message_carries_the_token(inbox, space):
    deliver(EVENT)

    assert space.token not in inbox.raw[0]
    assert space.token not in space.state()["messages"][0]["markdown"]


def test_an_smtp_connection_without_recipients_is_refused_by_name(monkeypatch, smtp_server):
    import json

    _, port = smtp_server
    monkeypatch.setenv(
        "AIRFLOW_CONN_WEBEX_WHOLESALE_NOTIFY_SMTP", json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port})
    )

    with pytest.raises(ValueError, match="extra 'to'"):
        configured_channels()
    assert deliver(EVENT) == {}
