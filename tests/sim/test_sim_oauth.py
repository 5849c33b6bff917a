"""POST /v1/access_token: refresh-token grant, and the issued access token works as a bearer token."""

from __future__ import annotations

import pytest
import requests

OAUTH = {"oauth_client_id": "cid", "oauth_client_secret": "secret", "oauth_refresh_token": "refresh-1"}
GRANT = {"grant_type": "refresh_token", "client_id": "cid", "client_secret": "secret", "refresh_token": "refresh-1"}


def test_refresh_issues_a_bearer_token_the_api_accepts(api_factory):
    _, sim = api_factory(**OAUTH)

    response = requests.post(f"{sim.base_url}/access_token", data=GRANT, timeout=5)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in", "token_type"}
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"] == "refresh-1"
    assert body["expires_in"] > 0
    assert body["access_token"] != sim.token
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert requests.get(f"{sim.base_url}/wholesale/customers", headers=headers, timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"grant_type": "authorization_code"}, 400),
        ({"refresh_token": "stolen"}, 400),
        ({"client_secret": "guess"}, 401),
        ({"client_id": "other"}, 401),
    ],
)
def test_bad_grants_are_refused_in_webex_error_shape(api_factory, change, status):
    _, sim = api_factory(**OAUTH)

    response = requests.post(f"{sim.base_url}/access_token", data={**GRANT, **change}, timeout=5)

    assert response.status_code == status
    assert response.json()["trackingId"]


def test_token_endpoint_is_off_unless_configured(simulator):
    response = requests.post(f"{simulator.base_url}/access_token", data=GRANT, timeout=5)

    assert response.status_code == 404


def test_a_made_up_token_is_still_refused_after_a_refresh(api_factory):
    _, sim = api_factory(**OAUTH)
    requests.post(f"{sim.base_url}/access_token", data=GRANT, timeout=5)

    response = requests.get(
        f"{sim.base_url}/wholesale/customers", headers={"Authorization": "Bearer sim-at-made-up"}, timeout=5
    )

    assert response.status_code == 401
