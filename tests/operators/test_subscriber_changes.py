"""One batch of a plan's subscriber changes against a scripted hook: order, idempotency, and how failures count."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from webex_wholesale.exceptions import WebexConnectionError, WebexPermanentError, WebexTransientError
from webex_wholesale.models import Subscriber
from webex_wholesale.models.change_outcome import ChangeAction
from webex_wholesale.models.change_plan import PlannedMove, PlannedRemoval
from webex_wholesale.operators.change import raise_if_changes_failed
from webex_wholesale.operators.exceptions import WebexChangesFailedError, WebexChangesRefusedError
from webex_wholesale.operators.subscriber_changes import SubscriberChanges


class ScriptedHook:
    """Answers DELETE and PUT from per-subscriber scripts (an exception is raised); records the calls in order."""

    def __init__(self, **answers: Exception) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str]] = []
        self.budget = SimpleNamespace(in_flight=lambda: 1)  # one at a time: the calls' order is the batch's

    def delete_subscriber(self, subscriber_id: str) -> None:
        self.calls.append(("DELETE", subscriber_id))
        if subscriber_id in self.answers:
            raise self.answers[subscriber_id]

    def update_subscriber(self, subscriber_id: str, body: dict) -> Subscriber:
        self.calls.append(("PUT", subscriber_id))
        if subscriber_id in self.answers:
            raise self.answers[subscriber_id]
        return Subscriber.model_validate({"id": subscriber_id, "packages": body["packages"], "status": "provisioned"})

    def close(self) -> None:
        pass


def removal(name: str) -> PlannedRemoval:
    return PlannedRemoval(email=f"{name}@pier.example.org", subscriber_id=name, package="webex_meetings")


def move(name: str) -> PlannedMove:
    body = {"packages": ["webex_calling"], "provisioningParameters": {"extension": "3100"}}
    return PlannedMove(
        email=f"{name}@pier.example.org", subscriber_id=name, from_package="webex_meetings", to_package="webex_calling",
        body=body,
    )  # fmt: skip


def apply(hook: ScriptedHook, removals=(), moves=()):
    return SubscriberChanges(hook, "test batch", None, logging.getLogger("test")).apply("C-1", removals, moves, [])


def test_removals_go_before_moves_and_each_records_before_and_after():
    hook = ScriptedHook()

    outcomes = apply(hook, [removal("gone")], [move("moved")])

    assert hook.calls == [("DELETE", "gone"), ("PUT", "moved")]
    assert [(o.action, o.before, o.after, o.done) for o in outcomes] == [
        (ChangeAction.REMOVE_SUBSCRIBER, "webex_meetings", None, True),
        (ChangeAction.MOVE_SUBSCRIBER, "webex_meetings", "webex_calling", True),
    ]


def test_a_user_webex_no_longer_has_counts_as_removed():
    hook = ScriptedHook(gone=WebexPermanentError(404, "Subscriber gone not found"))

    [outcome] = apply(hook, [removal("gone")])

    assert (outcome.done, outcome.message) == (True, "already removed")


def test_a_refused_move_fails_alone_and_fails_the_batch_at_once():
    hook = ScriptedHook(refused=WebexPermanentError(400, "attendant_console needs webex_calling"))

    outcomes = apply(hook, [], [move("refused"), move("fine")])

    assert [(o.subject.split("@")[0], o.done, o.http_status) for o in outcomes] == [
        ("refused", False, 400),
        ("fine", True, None),
    ]
    with pytest.raises(WebexChangesRefusedError, match="1 of 2 changes failed in batch test batch"):
        raise_if_changes_failed(outcomes, "test batch")


@pytest.mark.parametrize(
    "error", [WebexTransientError(503, "busy"), WebexConnectionError("PUT", "/wholesale/subscribers/x", "timeout")]
)
def test_a_failure_that_may_pass_fails_the_batch_retryably(error):
    outcomes = apply(ScriptedHook(slow=error), [], [move("slow")])

    with pytest.raises(WebexChangesFailedError) as raised:
        raise_if_changes_failed(outcomes, "test batch")
    assert not isinstance(raised.value, WebexChangesRefusedError)
    assert "transiently" in str(raised.value)
