"""Customers onboarded on the simulator and recorded in the state database as the onboarding DAG records them."""

from __future__ import annotations

import time
from typing import Any

import requests
from sqlalchemy import Engine
from state_helpers import order_data

from webex_wholesale.ids import ONBOARDING_DAG_ID
from webex_wholesale.models import parse_order
from webex_wholesale.models.states import RunOutcome
from webex_wholesale.state.orders import QueuedOrder, claim, enqueue
from webex_wholesale.state.runs import begin_order_run, finish_run

#: Statuses in which Webex (and the simulator) take subscribers.
READY = ("provisioned", "provisioned_with_errors")
CUSTOMER_FIELDS = ("provisioningId", "packages", "externalId", "address", "customerInfo", "provisioningParameters")


def api(sim: Any) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sim.token}"
    return session


def add_subscriber(
    sim: Any, customer_id: str, user: dict[str, Any], params: dict[str, str] | None = None
) -> dict[str, Any]:
    body = {"customerId": customer_id, **{k: user[k] for k in ("email", "packages", "provisioningParameters")}}
    response = api(sim).post(f"{sim.base_url}/wholesale/subscribers", json=body, params=params, timeout=10)
    assert response.status_code in (200, 202), response.text
    return response.json()


def onboard(
    sim: Any, engine: Engine, external_id: str, subscribers: int = 3, sub_partner: str | None = None
) -> tuple[dict[str, Any], str]:
    """Provision the order's customer (and its users, when it takes them) at the simulator, acting for
    ``sub_partner`` when given, and record a run that succeeded with it. Returns the order and the customer id."""
    order = order_data(external_id, subscribers)
    params = None
    if sub_partner:
        order["onBehalfOfSubPartnerOrgId"] = sub_partner
        params = {"onBehalfOfSubPartnerOrgId": sub_partner}
    session = api(sim)
    response = session.post(
        f"{sim.base_url}/wholesale/customers", json={k: order[k] for k in CUSTOMER_FIELDS}, params=params, timeout=10
    )
    assert response.status_code == 202, response.text
    customer_id = response.headers["Location"].rsplit("/", 1)[1]
    if settled_status(session, f"{sim.base_url}/wholesale/customers/{customer_id}", params) in READY:
        for user in order["subscribers"]:
            add_subscriber(sim, customer_id, user, params)
    (order_id,) = enqueue(engine, [QueuedOrder(parse_order(order), "test")])
    (item,) = claim(engine, 1)
    begin_order_run(engine, order_id, ONBOARDING_DAG_ID, item.dag_run_id)
    finish_run(engine, item.dag_run_id, RunOutcome.SUCCEEDED, customer_id=customer_id)
    return order, customer_id


def settled_status(session: requests.Session, url: str, params: dict[str, str] | None = None) -> str:
    """The customer's status once the simulator's provisioning delay is over."""
    for _ in range(200):
        status = session.get(url, params=params, timeout=10).json()["status"]
        if status not in ("provisioning", "updating"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"{url} still provisioning")
