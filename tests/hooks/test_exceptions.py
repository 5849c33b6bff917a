"""The client's errors: message format, retry classification, pickling, no secrets."""

from __future__ import annotations

import pickle

import pytest
from airflow.sdk.exceptions import AirflowFailException

from webex_wholesale.exceptions import (
    WebexAmbiguousWriteError,
    WebexApiError,
    WebexConfigurationError,
    WebexConnectionError,
    WebexPermanentError,
    WebexTransientError,
    WebexWholesaleError,
)


def _conflict() -> WebexPermanentError:
    return WebexPermanentError(
        409,
        "User already exists",
        error_codes=[10022],
        descriptions=["User already exists"],
        tracking_id="SIM_abc",
        method="POST",
        path="/wholesale/subscribers",
    )


def test_message_format():
    assert str(_conflict()) == (
        "Webex API POST /wholesale/subscribers answered 409: User already exists [errorCode 10022] (trackingId SIM_abc)"
    )


def test_message_adds_descriptions_that_differ_from_the_message():
    error = WebexPermanentError(
        400,
        "Invalid request",
        error_codes=[1, 2],
        descriptions=["address.city is required", "packages is required"],
        method="POST",
        path="/wholesale/customers",
    )
    assert str(error) == (
        "Webex API POST /wholesale/customers answered 400: Invalid request: address.city is required; "
        "packages is required [errorCode 1, 2]"
    )


def test_hierarchy():
    assert issubclass(WebexPermanentError, AirflowFailException)
    assert issubclass(WebexPermanentError, WebexApiError)
    assert not issubclass(WebexTransientError, AirflowFailException)
    for cls in (
        WebexConfigurationError,
        WebexApiError,
        WebexPermanentError,
        WebexTransientError,
        WebexConnectionError,
        WebexAmbiguousWriteError,
    ):
        assert issubclass(cls, WebexWholesaleError)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (404, False), (409, False), (423, True), (429, True), (500, True), (503, True)],
)
def test_retryable_property(status, retryable):
    assert WebexApiError(status, "x", method="GET", path="/p").retryable is retryable


@pytest.mark.parametrize(
    "error",
    [
        _conflict(),
        WebexTransientError(503, "busy", tracking_id="t", method="GET", path="/wholesale/customers", retry_after=2.0),
        WebexConnectionError("GET", "/wholesale/customers", "ReadTimeout: no answer within 30 s"),
        WebexAmbiguousWriteError(
            "POST", "/wholesale/customers", "ReadTimeout: no answer within 30 s", status_code=None, tracking_id="WWA_1"
        ),
        WebexConfigurationError("Connection 'x' has no access token"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_pickle_round_trip(error):
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(clone) is type(error)
    assert str(clone) == str(error)
    assert vars(clone) == vars(error)


def test_pickle_keeps_api_fields():
    clone = pickle.loads(pickle.dumps(_conflict()))  # noqa: S301 - our own bytes
    assert (clone.status_code, clone.message, clone.error_codes, clone.tracking_id) == (
        409,
        "User already exists",
        [10022],
        "SIM_abc",
    )
    assert (clone.method, clone.path, clone.descriptions) == ("POST", "/wholesale/subscribers", ["User already exists"])
    assert isinstance(clone, AirflowFailException)


def test_airflow_serialize_rebuilds_the_error():
    error = _conflict()
    path, args, kwargs = error.serialize()
    assert path == "webex_wholesale.exceptions.WebexPermanentError"
    assert str(WebexPermanentError(*args, **kwargs)) == str(error)


def test_ambiguous_write_tells_what_to_do():
    error = WebexAmbiguousWriteError("POST", "/wholesale/subscribers", "ReadTimeout: no answer within 30 s")
    assert "may or may not have been processed" in str(error)
    assert "look the resource up" in str(error)


def test_connection_env_example_is_a_pasteable_json_definition():
    import json

    from webex_wholesale.exceptions import connection_env_example

    line = connection_env_example("webex_wholesale_default", {"conn_type": "webex_wholesale", "host": "h"})

    name, _, value = line.partition("=")
    assert name == "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT"
    assert json.loads(value.strip("'")) == {"conn_type": "webex_wholesale", "host": "h"}
