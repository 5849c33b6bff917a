"""Conformance: every answer of a realistic scenario validates against the official spec's response schemas.

The spec is the project's own copy in ``wholesale_sim/spec`` (read through importlib.resources). It has no
``servers`` block, so one pointing at the simulator is added in memory. Error responses have no schema in the
spec (only a description), so for them openapi-core checks that the status code is one the operation declares.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
import requests
from helpers.clocks import SimClock
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.response.exceptions import MissingData
from sim_payloads import api_session, customer_body, subscriber_body, wait_for_status

CUSTOMER = r"/wholesale/customers/[^/?]+"
SUBSCRIBER = r"/wholesale/subscribers/[^/?]+"
COVERED = [
    ("GET", r"/wholesale/customers", {200, 400, 401, 403}),
    ("POST", r"/wholesale/customers", {202, 400, 409, 415, 403}),
    ("POST", r"/wholesale/customers/validate", {200, 400, 409}),
    ("GET", CUSTOMER, {200, 404}),
    ("PUT", CUSTOMER, {202, 400, 409}),
    ("DELETE", CUSTOMER, {202, 404}),
    ("GET", r"/wholesale/subscribers", {200, 400}),
    ("POST", r"/wholesale/subscribers", {200, 202, 400, 404, 409}),
    ("POST", r"/wholesale/subscribers/validate", {200, 400, 409}),
    ("GET", SUBSCRIBER, {200, 404}),
    ("PUT", SUBSCRIBER, {200, 400}),
    ("DELETE", SUBSCRIBER, {204}),
    ("GET", r"/wholesale/subPartners", {200}),
]
FAULTS = {429, 500, 502, 503}


class OfficialSpec:
    """The shipped spec with an in-memory ``servers`` entry, and a response validator on top of openapi-core."""

    def __init__(self, base_url: str) -> None:
        text = resources.files("wholesale_sim").joinpath("spec", "webex-wholesale.openapi.json").read_text("utf-8")
        self.raw = json.loads(text)
        assert "servers" not in self.raw  # if a later spec version adds one, revisit this in-memory addition
        self.raw["servers"] = [{"url": base_url}]
        self.base_path = "/" + base_url.split("://", 1)[1].split("/", 1)[1]
        self.openapi = OpenAPI.from_dict(self.raw)

    def validate(self, response: requests.Response) -> None:
        """Raise unless status, headers and body conform to the operation's declared responses."""
        try:
            self.openapi.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
        except MissingData:
            # openapi-core reads ``"content": {}`` (customer DELETE 202, subscriber DELETE 204) as "a body is
            # required"; in OpenAPI it means "no body". There, only an empty body conforms.
            if response.content or self._declared_content(response) != {}:
                raise

    def _declared_content(self, response: requests.Response) -> dict | None:
        path = response.url.split("?")[0].split(self.base_path, 1)[1]
        for template, operations in self.raw["paths"].items():
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
                declared = operations.get(response.request.method.lower(), {}).get("responses", {})
                return declared.get(str(response.status_code), {}).get("content")
        return None


class Recorder:
    """A session hook that keeps every response, to validate them all at the end."""

    def __init__(self) -> None:
        self.responses: list[requests.Response] = []

    def __call__(self, response: requests.Response, *args, **kwargs) -> None:
        self.responses.append(response)

    def session(self, token: str) -> requests.Session:
        session = api_session(token)
        session.hooks["response"].append(self)
        return session


def drive_scenario(api: requests.Session, base: str, anonymous: requests.Session, clock: SimClock) -> None:
    """Everything a pipeline does, plus the refusals it may meet (the clock stopped where a status must hold)."""
    customers, subscribers = f"{base}/wholesale/customers", f"{base}/wholesale/subscribers"
    body = customer_body()
    api.post(f"{customers}/validate", json=body)
    api.post(f"{customers}/validate", json={"address": body["address"], "customerInfo": {"primaryEmail": "a@b.io"}})
    api.post(f"{customers}/validate", json={**body, "provisioningId": "unknown"})
    with clock.stopped():
        location = api.post(customers, json=body).headers["Location"]
        api.post(customers, json=body)  # 409 duplicate externalId
        api.post(f"{customers}/validate", json=body)  # 409 as well
        api.post(customers, json={**body, "externalId": "other", "address": {"city": "x"}})  # 400
        api.post(customers, data="x", headers={"Content-Type": "text/plain"})  # 415
        api.get(location)  # provisioning
    customer = wait_for_status(api, location, "provisioned")
    api.get(location, params={"includePackageLicenseInfo": "true"})
    for external_id in ("c-partial-error-1", "c-provision-error-1", "c-rpl-review-1"):
        other = api.post(customers, json=customer_body(externalId=external_id)).headers["Location"]
        wait_for_status(api, other, {"c-partial-error-1": "provisioned_with_errors"}.get(external_id, "x"), 0.3)
    api.get(customers, params={"max": "2"})
    api.get(customers, params={"externalId": body["externalId"], "status": "provisioned"})
    api.get(customers, params={"max": "5000"})  # 400
    anonymous.get(customers)  # 401
    api.get(f"{customers}/unknown")  # 404

    admin = api.post(subscribers, json=subscriber_body(customer["id"], packages=["webex_suite"]))
    api.post(subscribers, json=subscriber_body(customer["id"], email="free-user-migrate@acme.example.com"))  # 202
    for _ in range(3):
        api.post(subscribers, json=subscriber_body(customer["id"]))
    api.post(subscribers, json=subscriber_body(customer["id"], email=admin.json()["email"]))  # 409 10022
    api.post(subscribers, json=subscriber_body(customer["id"], packages=["webex_calling", "webex_suite"]))  # 400
    api.post(subscribers, json=subscriber_body("unknown"))  # 404
    listed = api.get(subscribers, params={"customerId": customer["id"], "max": 2})
    link = re.fullmatch(r'<([^>]+)>; rel="next"', listed.headers["Link"])
    api.get(link.group(1))
    api.get(subscribers, params={"email": admin.json()["email"]})
    api.get(subscribers, params={"max": 500})  # 400
    member = api.get(f"{subscribers}/{admin.json()['id']}").json()
    api.put(f"{subscribers}/{member['id']}", json={"packages": ["webex_meetings"]})
    api.put(f"{subscribers}/{member['id']}", json={"packages": ["webex_meetings"], "package": "webex_calling"})  # 400
    api.post(f"{subscribers}/validate", json={"customerId": customer["id"], "email": "new@acme.example.com"})
    api.post(f"{subscribers}/validate", json={"customerId": customer["id"], "email": member["email"]})  # 409
    api.post(f"{subscribers}/validate", json={"email": "new@acme.example.com"})  # 400
    api.delete(f"{subscribers}/{member['id']}")
    api.get(f"{subscribers}/{member['id']}")  # 404

    partners = api.get(f"{base}/wholesale/subPartners").json()["items"]
    api.get(f"{base}/wholesale/subPartners", params={"provisioningState": "active", "max": "1"})
    suspended = next(p["orgId"] for p in partners if p["provisioningState"] == "suspended")
    api.post(customers, params={"onBehalfOfSubPartnerOrgId": suspended}, json=customer_body())  # 403
    api.get(customers, params={"onBehalfOfSubPartnerOrgId": "nobody"})  # 403

    with clock.stopped():
        api.put(location, json={"packages": ["webex_calling", "webex_meetings", "webex_suite"]})
        api.put(location, json={"packages": ["webex_meetings"]})  # 409: still updating
    wait_for_status(api, location, "provisioned")
    api.put(location, json={"packages": ["webex_teleport"]})  # 400
    with clock.stopped():
        api.delete(location)
        api.get(location)  # deleting
    api.delete(f"{customers}/unknown")  # 404


@pytest.fixture
def recorded(simulator, sim_clock):
    recorder = Recorder()
    with recorder.session(simulator.token) as api, recorder.session("wrong") as anonymous:
        drive_scenario(api, simulator.base_url, anonymous, sim_clock)
    return recorder.responses


def test_every_answer_of_the_scenario_validates_against_the_official_spec(simulator, recorded):
    spec = OfficialSpec(simulator.base_url)

    failures = []
    for response in recorded:
        try:
            spec.validate(response)
        except Exception as e:  # collect them all, to report every non-conformance at once
            failures.append(
                f"{response.request.method} {response.url} -> {response.status_code}: {e!r} {e.__cause__!r}"
            )

    assert failures == []


def test_the_scenario_covers_every_operation_and_status(simulator, recorded):
    seen = {(r.request.method, r.url.split("/v1", 1)[1].split("?")[0], r.status_code) for r in recorded}

    for method, pattern, statuses in COVERED:
        got = {status for m, path, status in seen if m == method and re.fullmatch(pattern, path)}
        assert statuses <= got, (method, pattern, statuses - got)


def test_injected_faults_and_rate_limits_conform_too(api_factory):
    api, sim = api_factory(fault_rate=1.0, seed=1)
    spec = OfficialSpec(sim.base_url)

    responses = [api.get(f"{sim.base_url}/wholesale/customers", timeout=5) for _ in range(12)]
    responses.append(api.post(f"{sim.base_url}/wholesale/subscribers", json={}, timeout=5))

    assert {r.status_code for r in responses} <= FAULTS
    for response in responses:
        spec.validate(response)
