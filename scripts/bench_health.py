"""How fast the health check reads every watched customer: 1,000 customers x 20 subscribers, API at 20 requests/s.

The simulator (its own process, ``--rate-limit 20``) starts from a state file holding the customers, each as its
order says, and a throw-away SQLite state database records one succeeded onboarding per customer, so the check
finds nothing and is all reads: two per customer (the customer, one page of its subscribers). The budget is
configured at the simulator's rate, so the bound is ``requests / 20`` seconds; the check must finish within 1.2x of
it. Prints the requests per customer, the wall time against the bound, and the peak rate.

    .venv/bin/python scripts/bench_health.py [--customers 1000] [--subscribers 20] [--rate 20]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

MAX_RATIO = 1.2
BASE = Path(tempfile.mkdtemp(prefix="wwa-bench-health-"))
os.environ["AIRFLOW_HOME"] = str(BASE / "airflow")  # before anything imports airflow: the budget's store lives here
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"  # not one log line per request: 2,000 of them

from local_stack import SIM_TOKEN, free_port, launch, simulator  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from webex_wholesale.health.run import HealthSettings, check_health  # noqa: E402
from webex_wholesale.ids import ONBOARDING_DAG_ID  # noqa: E402
from webex_wholesale.models import parse_order  # noqa: E402
from webex_wholesale.models.states import RunOutcome  # noqa: E402
from webex_wholesale.state import migrate  # noqa: E402
from webex_wholesale.state.engine import create_state_engine  # noqa: E402
from webex_wholesale.state.findings import open_findings  # noqa: E402
from webex_wholesale.state.orders import QueuedOrder, enqueue  # noqa: E402
from webex_wholesale.state.schema import run_table, utcnow  # noqa: E402
from wholesale_sim.persistence import save_state  # noqa: E402
from wholesale_sim.state import CustomerRecord, SimState, SubscriberRecord  # noqa: E402

DEMO_ORDER = Path(__file__).resolve().parents[1] / "include" / "orders" / "demo-order.json"


def order_for(customer: int, subscribers: int) -> dict:
    """The demo order for one customer: its own externalId and users, meetings for all but the administrator."""
    order = json.loads(DEMO_ORDER.read_text())
    external_id = f"bench-health-{customer:05d}"
    domain = f"{external_id}.example.com"
    users = [{**order["subscribers"][0], "email": f"admin@{domain}"}]
    users += [
        {
            "email": f"user{i:03d}@{domain}",
            "packages": ["webex_meetings"],
            "provisioningParameters": {"firstName": "User", "lastName": f"{i:03d}"},
        }
        for i in range(1, subscribers)
    ]
    order |= {"externalId": external_id, "subscribers": users, "setupAssistance": None}
    order["customerInfo"] = {**order["customerInfo"], "primaryEmail": users[0]["email"]}
    return order


def webex_holding(orders: list[dict]) -> SimState:
    """The simulator's state: every customer provisioned long ago, with exactly its order's users."""
    state, long_ago = SimState(), time.time() - 86_400
    for n, order in enumerate(orders):
        customer_id = f"bench-customer-{n:05d}"
        state.add_customer(
            CustomerRecord(
                id=customer_id,
                external_id=order["externalId"],
                provisioning_id=order["provisioningId"],
                packages=list(order["packages"]),
                address=order["address"],
                org_id=f"bench-org-{n:05d}",
                owner=None,
                outcome="provisioned",
                phase="provisioning",
                phase_started=long_ago,
            )
        )
        for i, user in enumerate(order["subscribers"]):
            state.add_subscriber(
                SubscriberRecord(
                    id=f"bench-subscriber-{n:05d}-{i:03d}",
                    customer_id=customer_id,
                    email=user["email"],
                    package=user["packages"][0],
                    status="provisioned",
                    person_id=f"bench-person-{n:05d}-{i:03d}",
                    parameters={},
                    created=long_ago,
                    last_status_change=long_ago,
                )
            )
    return state


def record_onboardings(url: str, orders: list[dict]) -> object:
    """A state database where each order was onboarded by a run that succeeded."""
    engine = create_state_engine(url)
    migrate.upgrade(engine)
    ids = enqueue(engine, [QueuedOrder(parse_order(order), "bench") for order in orders])
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(run_table),
            [
                {
                    "dag_id": ONBOARDING_DAG_ID,
                    "dag_run_id": f"bench-{order_id}",
                    "order_id": order_id,
                    "customer_external_id": order["externalId"],
                    "customer_name": order["customerInfo"]["name"],
                    "customer_id": f"bench-customer-{n:05d}",
                    "state": RunOutcome.SUCCEEDED,
                    "started_at": now,
                    "ended_at": now,
                }
                for n, (order_id, order) in enumerate(zip(ids, orders, strict=True))
            ],
        )
    return engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--subscribers", type=int, default=20, help="per customer, the administrator included")
    parser.add_argument("--rate", type=float, default=20.0, help="the simulator's limit and the budget's rate")
    args = parser.parse_args()
    try:
        return measure(args)
    finally:
        shutil.rmtree(BASE, ignore_errors=True)


def measure(args: argparse.Namespace) -> int:
    orders = [order_for(n, args.subscribers) for n in range(args.customers)]
    save_state(webex_holding(orders), BASE / "sim-state.json")
    engine = record_onboardings(f"sqlite:///{BASE / 'wholesale.db'}", orders)
    port = free_port()
    flags = ("--rate-limit", f"{args.rate:g}", "--state-file", str(BASE / "sim-state.json"))
    with simulator(port, *flags, log_path=BASE / "simulator.log") as sim_url:
        os.environ["AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT"] = json.dumps(
            {
                "conn_type": "webex_wholesale",
                "host": f"{sim_url}/v1",
                "password": SIM_TOKEN,
                "extra": {"requests_per_second": args.rate},
            }
        )
        started = time.monotonic()
        summary = check_health(engine, HealthSettings(), dag_run_id="bench")
        wall = time.monotonic() - started
    findings = open_findings(engine)
    bound = summary["requests"] / args.rate
    ratio = wall / bound if bound else float("inf")
    print(f"health check of {args.customers} customers x {args.subscribers} subscribers, API {args.rate:g}/s:")
    print(f"  requests             {summary['requests']} ({summary['requestsPerCustomer']:.2f} per customer)")
    print(f"  wall time            {wall:.1f} s; bound {bound:.1f} s (requests / {args.rate:g}/s); ratio {ratio:.2f}x")
    print(f"  findings             {len(findings)} (every customer is as ordered)")
    problems = [f"ratio {ratio:.2f}x is over {MAX_RATIO}x"] if ratio > MAX_RATIO else []
    problems += [f"{len(findings)} findings on customers that are as ordered"] if findings else []
    if problems:
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"OK: within {MAX_RATIO}x of the bound its requests allow")
    return 0


if __name__ == "__main__":
    sys.exit(launch(main))
