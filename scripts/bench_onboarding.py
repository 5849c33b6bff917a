"""Benchmark: onboard N subscribers (default 1,000) under the real scheduler, against a rate-limited simulator.

The simulator allows ``--rate`` requests per second (default 20) and adds ``--latency-ms`` (default 100) to
every answer, so no client can finish faster than ``requests / rate``: that is the bound. The script prints
the Airflow run's wall time, the requests it sent, and the ratio of its wall time to the bound, next to a plain
sequential script (one request at a time, no Airflow) timed against an identical simulator in the same run.
Target: the Airflow run within 1.25x of the bound. The deployment is warmed up with one dry run first, as an
ops team's long-running Airflow is: the first task on fresh workers pays a one-time start-up of about 3 s.

    .venv/bin/python scripts/bench_onboarding.py [--subscribers 1000] [--rate 20] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime

import requests
from local_stack import ROOT, SIM_TOKEN, LocalAirflow, airflow, free_port, simulator, standalone, standalone_env

DAG_ID = "webex_wholesale_onboarding"
HOME = ROOT / ".airflow-home" / "bench"
POOL_SLOTS = 4


def make_order(subscribers: int, external_id: str) -> dict:
    """The demo order with ``subscribers`` meetings users (the admin keeps the suite package)."""
    order = json.loads((ROOT / "include" / "orders" / "demo-order.json").read_text())
    order["externalId"] = external_id
    order["setupAssistance"] = None
    admin = order["subscribers"][0]
    users = [
        {
            "email": f"user{i:05d}@{external_id}.example.com",
            "packages": ["webex_meetings"],
            "provisioningParameters": {"firstName": "User", "lastName": f"{i:05d}"},
        }
        for i in range(2, subscribers + 1)
    ]
    order["subscribers"] = [admin, *users]
    return order


def api_requests(sim_url: str) -> int:
    state = requests.get(f"{sim_url}/_sim/state", timeout=30).json()
    return sum(1 for r in state["requests"] if r["path"].startswith("/v1/"))


def sequential_baseline(sim_url: str, order: dict) -> float:
    """What a plain script does: one request at a time, waiting out 429s. Returns its wall time."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {SIM_TOKEN}"
    base = f"{sim_url}/v1/wholesale"

    def call(method: str, url: str, **kwargs) -> requests.Response:
        while True:
            response = session.request(method, url, timeout=30, **kwargs)
            if response.status_code != 429:
                response.raise_for_status()
                return response
            time.sleep(float(response.headers.get("Retry-After", "1")))

    body = {k: v for k, v in order.items() if k not in ("subscribers", "setupAssistance")}
    started = time.perf_counter()
    call("POST", f"{base}/customers/validate", json=body)
    customer_id = call("POST", f"{base}/customers", json=body).headers["Location"].rsplit("/", 1)[-1]
    while call("GET", f"{base}/customers/{customer_id}").json()["status"] == "provisioning":
        time.sleep(1)
    for subscriber in order["subscribers"]:
        call("POST", f"{base}/subscribers", json={"customerId": customer_id, **subscriber})
    return time.perf_counter() - started


def airflow_run(sim_url: str, order: dict, rate: float) -> tuple[dict, int]:
    """Run the order over REST under ``airflow standalone`` (LocalExecutor), after a warm-up dry run.

    Returns the timed run's JSON and the API requests it sent.
    """
    connection = {"conn_type": "webex_wholesale", "host": f"{sim_url}/v1", "password": SIM_TOKEN}
    connection["extra"] = {"requests_per_second": rate}
    env = standalone_env(
        HOME, sim_url, free_port(), fresh=True, AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT=json.dumps(connection)
    )
    airflow(env, "db", "migrate")
    airflow(env, "pools", "set", "webex_wholesale_api", str(POOL_SLOTS), "Webex Wholesale API concurrency")
    airflow(env, "variables", "set", "webex_wholesale_parallel_batches", str(POOL_SLOTS))
    airflow(env, "dags", "reserialize")
    with standalone(env, HOME / "standalone.log") as local:
        warm_up = {**make_order(2, "bench-warm-up"), "dryRun": True}
        _run_to_end(local, warm_up)  # the first task on fresh workers pays a one-time ~3 s start-up
        before = api_requests(sim_url)
        run = _run_to_end(local, order)
        return run, api_requests(sim_url) - before


def _run_to_end(local: LocalAirflow, conf: dict) -> dict:
    runs = f"{local.base_url}/api/v2/dags/{DAG_ID}/dagRuns"
    created = local.rest.post(runs, json={"logical_date": None, "conf": conf}, timeout=60)
    created.raise_for_status()
    run_id = created.json()["dag_run_id"]
    while True:
        time.sleep(1)
        run = local.rest.get(f"{runs}/{run_id}", timeout=30).json()
        if run["state"] in ("success", "failed"):
            return run


def _seconds(run: dict) -> float:
    start, end = (datetime.fromisoformat(run[k]) for k in ("start_date", "end_date"))
    return (end - start).total_seconds()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="simulator rate limit, requests/s")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    flags = ("--rate-limit", str(args.rate), "--latency-ms", str(args.latency_ms), "--provision-delay", "1")
    HOME.mkdir(parents=True, exist_ok=True)
    stamp = int(time.time())

    baseline = None
    if not args.skip_baseline:
        with simulator(free_port(), *flags) as url:
            order = make_order(args.subscribers, f"bench-seq-{stamp}")
            baseline = sequential_baseline(url, order)
            baseline_requests = api_requests(url)

    with simulator(free_port(), *flags, log_path=HOME.parent / "bench-sim.log") as url:
        run, sent = airflow_run(url, make_order(args.subscribers, f"bench-af-{stamp}"), args.rate)

    wall = _seconds(run)
    bound = sent / args.rate
    print(f"subscribers:            {args.subscribers}")
    print(f"simulator:              {args.rate:g} requests/s, {args.latency_ms} ms latency")
    print(f"airflow run:            {run['state']}, {wall:.1f} s wall (run start to end), {sent} API requests")
    print(f"rate-limit bound:       {bound:.1f} s  (requests / {args.rate:g} per second)")
    print(f"ratio to bound:         {wall / bound:.2f}x  (target <= 1.25x)")
    if baseline is not None:
        seq_bound = baseline_requests / args.rate
        print(
            f"sequential script:      {baseline:.1f} s for {baseline_requests} requests "
            f"({baseline / seq_bound:.2f}x its bound); airflow is {baseline / wall:.2f}x faster"
        )
    return 0 if run["state"] == "success" else 1


if __name__ == "__main__":
    sys.exit(main())
