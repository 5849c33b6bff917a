"""``make demo``: onboard the example customer with the real DAG against the local simulator, and print the report.

Starts ``wholesale-sim`` on a free loopback port, runs ``airflow dags test webex_wholesale_onboarding`` with
``include/orders/demo-order.json`` (or the order file given), prints the API calls the simulator saw, the
customer's lifecycle and the onboarding report, then stops the simulator. Exit code 0 only if the run succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import requests
from local_stack import BIN, ROOT, airflow, airflow_env, free_port, launch, simulator

DAG_ID = "webex_wholesale_onboarding"
HOME = ROOT / ".airflow-home" / "demo"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("order", nargs="?", type=Path, default=ROOT / "include" / "orders" / "demo-order.json")
    args = parser.parse_args()
    order = json.loads(args.order.read_text())

    HOME.parent.mkdir(exist_ok=True)
    with simulator(free_port(), "--provision-delay", "3", log_path=HOME.parent / "demo-sim.log") as url:
        env = airflow_env(HOME, url)
        print(f"simulator running at {url}/v1; Airflow home {HOME}")
        airflow(env, "db", "migrate")
        print(f"running DAG {DAG_ID} for externalId {order['externalId']!r} (airflow dags test) …")
        log_path = HOME / "dags-test.log"
        with open(log_path, "w") as log:
            result = subprocess.run(
                [str(BIN / "airflow"), "dags", "test", DAG_ID, "--conf", json.dumps(order)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        state = requests.get(f"{url}/_sim/state", timeout=10).json()

    print_simulator_view(state)
    print_lifecycle(log_path)
    report = fetch_report(env)
    print(report["markdown"] if report else "no report was produced: see the log")
    print(f"full Airflow output: {log_path}")
    print(f"DAG run {'succeeded' if result.returncode == 0 else 'FAILED'}.")
    return result.returncode


def print_simulator_view(state: dict) -> None:
    """What Webex (the simulator) saw: every API call in order, the customer and its administrator."""
    print("\nAPI calls received by the simulator:")
    for entry in state["requests"]:
        print(
            f"  {entry['method']:6} {entry['path']}{'?' + entry['query'] if entry.get('query') else ''} "
            f"-> {entry['status']}"
        )
    for customer in state["customers"]:
        admin = state["admins"].get(customer["id"], "-")
        print(
            f"\ncustomer {customer['externalId']}: status {customer['status']}, orgId {customer.get('orgId')}, "
            f"administrator {admin}"
        )
    print()


def print_lifecycle(log_path: Path) -> None:
    """The customer's asynchronous lifecycle, as the deferred wait saw it poll by poll."""
    seen = re.findall(r"webex_customer_poll .*?status=(\w+) poll=(\d+)", log_path.read_text(errors="replace"))
    if seen:
        print("customer lifecycle (deferred wait): " + " -> ".join(f"{status} (poll {n})" for status, n in seen))
        print()


def fetch_report(env: dict[str, str]) -> dict | None:
    """Read the report task's XCom from the demo's Airflow database (markdown and JSON)."""
    os.environ.update(env)
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from webex_wholesale.models.report import OnboardingReport
    from webex_wholesale.onboarding.report import to_markdown

    query = (
        select(XComModel)
        .where(XComModel.dag_id == DAG_ID, XComModel.task_id == "onboarding_report", XComModel.key == "return_value")
        .order_by(XComModel.timestamp.desc())
        .limit(1)
    )
    with create_session() as session:
        row = session.scalar(query)
        data = XComModel.deserialize_value(row) if row is not None else None
    if data is None:
        return None
    return {"json": data, "markdown": to_markdown(OnboardingReport.model_validate(data))}


if __name__ == "__main__":
    sys.exit(launch(main))
