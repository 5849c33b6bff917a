"""The subscriber operator and the shared API budget, against the simulator over real HTTP."""

from __future__ import annotations

import structlog
from wholesale_op_helpers import context, meetings_subscribers, provisioned_customer

from webex_wholesale.operators import WebexProvisionSubscribersOperator
from webex_wholesale.operators.subscriber_xcom import BUDGET_XCOM_KEY


def test_requests_in_flight_are_sized_from_the_budget_and_its_figures_published(sim):
    customer = provisioned_customer()
    op = WebexProvisionSubscribersOperator(
        task_id="subs", customer_id=customer["id"], subscribers=meetings_subscribers(30, domain="budget.example.com")
    )
    ctx = context()
    before = len(sim.state()["requests"])

    with structlog.testing.capture_logs() as logs:
        op.execute(ctx)

    sent = len(sim.state()["requests"]) - before
    figures = ctx["ti"].xcom[BUDGET_XCOM_KEY]
    assert figures["requests"] == sent == 31  # one list, thirty posts: every request took from the budget
    assert figures["throttled"] == 0
    (sized,) = [e["event"] for e in logs if "requests in flight (sized from the API budget)" in str(e["event"])]
    assert int(sized.split(": ")[1].split()[0]) >= 2  # rate x latency x headroom, not a fixed thread count
    assert op.hook.budget.policy.ceiling is None  # no requests_per_second on the test connection: learned
