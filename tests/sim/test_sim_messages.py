"""``POST /v1/messages``: a bot's message to a Webex space is answered as Webex answers it and kept for tests."""

from __future__ import annotations

import requests


def test_a_message_to_a_space_is_answered_with_the_message_and_kept(api, simulator):
    response = api.post(
        f"{simulator.base_url}/messages", json={"roomId": "ops-space", "markdown": "**acme** failed"}, timeout=5
    )

    assert response.status_code == 200
    message = response.json()
    assert (message["roomId"], message["markdown"], message["roomType"]) == ("ops-space", "**acme** failed", "group")
    assert message["id"]
    assert message["created"].endswith("Z")
    assert simulator.state()["messages"] == [message]


def test_a_message_without_a_space_or_without_content_is_refused(api, simulator):
    no_room = api.post(f"{simulator.base_url}/messages", json={"text": "hello"}, timeout=5)
    no_text = api.post(f"{simulator.base_url}/messages", json={"roomId": "ops-space"}, timeout=5)

    assert (no_room.status_code, no_text.status_code) == (400, 400)
    assert "roomId" in no_room.json()["message"]
    assert simulator.state()["messages"] == []


def test_a_message_needs_the_bearer_token(simulator):
    response = requests.post(f"{simulator.base_url}/messages", json={"roomId": "r", "text": "t"}, timeout=5)

    assert response.status_code == 401
    assert simulator.state()["messages"] == []
