"""Benchmark: the scenarios of issues 9 and 20, side by side in one run, under the real scheduler (LocalExecutor).

Each scenario gets its own simulator (so its own API budget) in one ``airflow standalone``; the API connection is
replaced over REST between scenarios. The bound of a rate-limited scenario is ``successful requests / limit``: no
client can finish faster. A plain sequential script (one request at a time) runs against its own simulator in a
background thread meanwhile, for scenario 4.

1. 1,000 subscribers, simulator at 20/s + 100 ms, budget not configured (learned): wall <= 1.15x bound, <= 3% 429s.
2. the same with the budget configured (``requests_per_second: 20``): wall <= 1.10x bound.
3. 5 customers x 200 subscribers triggered at once, budget configured: <= 1% 429s, wall <= 1.15x bound.
4. 1,000 subscribers, 300 ms latency, no limit, budget not configured: >= 10x faster than the sequential script.
6. (issue 21) moving 1,000 subscribers of an existing customer to another package with ``webex_wholesale_change``,
   simulator at 20/s + 100 ms, budget not configured: wall <= 1.15x bound, <= 3% 429s. The customer and its users
   are in the simulator's state file before it starts, so every request counted is the change's own.

Issue 20, the learned budget against limits it does not know (budget not configured, 100 ms latency): 5/s (500
subscribers), 20/s, 100/s and 200/s (2,000 subscribers each), and 100/s counted per fixed 10 s window instead of a
token bucket: the fan-out within 1.15x of its bound, at most 3% of requests answered 429 (7-11). And 12: no limit
and no added latency, 10,000 subscribers: at least as fast as the sequential script, run just before it (both
take CPU: side by side they would slow each other). 13: the same with 20,000 subscribers (Control Hub's most per
CSV file), no sequential script: the run succeeds and no process of the standalone peaks at 1 GiB resident. Every
scenario prints its largest per-process peak RSS and which process it was (scripts/peak_memory.py).

Orders reach Airflow as the scheduled onboarding delivers them: queued with ``wholesale-queue add``, then one round
of the queue DAG starts a run per order (conf ``{"orderId": N}``). Scenario 5 repeats scenario 2 with the order
inline in the run's conf, as an ops team triggers one run over REST, for comparison: Airflow carries a run's conf
through every step (the scheduler decodes it with each task instance it reads, each task start ships it), so a
1,000-subscriber order inline costs seconds that the queue's reference does not.

Airflow keeps its metadata in SQLite, as ``airflow standalone`` does by default. ``--metadata-db postgres`` puts it
in a throw-away database on the local PostgreSQL server (127.0.0.1:5432, dropped at the end), as deployments do
(``docker-compose.yaml``): measured here, that helps five runs at once (SQLite serialises every writer) and costs
a single run a second or two (a network round trip per query). The figures say which one ran.

The machine may be shared: figures vary between runs; run it twice and compare.

    .venv/bin/python scripts/bench_onboarding.py [--subscribers 1000] [--only 1,2,6] [--metadata-db postgres]
        [--big-subscribers 20000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import requests
from local_stack import (
    BIN,
    ROOT,
    SIM_TOKEN,
    LocalAirflow,
    airflow,
    free_port,
    launch,
    postgres_metadata_env,
    simulator,
    standalone,
    standalone_env,
    throwaway_databases,
)
from peak_memory import MAX_PEAK_MB, Peak, PeakSampler, peak_line, with_task_names

from webex_wholesale.budget import BudgetStats
from webex_wholesale.state.engine import create_state_engine
from webex_wholesale.state.orders import list_orders, run_id_for

DAG_ID = "webex_wholesale_onboarding"
CHANGE_DAG_ID = "webex_wholesale_change"
QUEUE_DAG_ID = "webex_wholesale_queue"
CONN_ID = "webex_wholesale_default"
HOME = ROOT / ".airflow-home" / "bench"
STATE_DB_URL = f"sqlite:///{HOME / 'wholesale.db'}"
POOL_SLOTS = 4


@dataclass(frozen=True)
class Scenario:
    number: int
    title: str
    customers: int
    subscribers: int
    latency_ms: int
    rate_limit: float | None = 20.0
    #: Count ``rate_limit`` per fixed window of this many seconds instead of a token bucket.
    rate_window: float | None = None
    configured_rate: float | None = None
    max_ratio: float | None = None
    #: The fan-out's span against its own bound (its requests / the limit): what the budget alone decides.
    max_fan_out_ratio: float | None = None
    max_429_share: float | None = None
    min_speedup: float | None = None
    #: The largest peak RSS (MB) allowed to any one process of the standalone while the scenario runs.
    max_peak_mb: float | None = None
    #: How the orders reach Airflow: ``queue`` (``wholesale-queue add``, then a queue round), ``conf`` (inline), or
    #: ``change`` (the customer exists already; its order, every user moved, is a change run's conf).
    delivery: str = "queue"

    def sim_flags(self) -> tuple[str, ...]:
        flags = ("--latency-ms", str(self.latency_ms), "--provision-delay", "1")
        if self.rate_limit:
            flags = (*flags, "--rate-limit", f"{self.rate_limit:g}")
        return (*flags, "--rate-window", f"{self.rate_window:g}") if self.rate_window else flags

    @property
    def baseline_alongside(self) -> bool:
        """The sequential script runs beside the Airflow runs when it mostly waits on the API's latency; without
        latency it is CPU-bound, and runs just before them instead."""
        return self.latency_ms > 0

    @property
    def dag_id(self) -> str:
        return CHANGE_DAG_ID if self.delivery == "change" else DAG_ID

    @property
    def fan_out_task(self) -> str:
        """The mapped task whose batches report what they did with the API budget (XCom ``budget``)."""
        return "apply_subscriber_changes" if self.delivery == "change" else "provision_subscribers"


@dataclass
class Result:
    scenario: Scenario
    wall: float
    states: list[str]
    requests: int
    throttled: int
    budget: BudgetStats
    #: The highest per-process peak RSS while the scenario's runs ran, its process named.
    peak: Peak | None = None
    #: When each step of the first run started and how long it took (see :func:`step_timeline`).
    steps: str = ""

    @property
    def successful(self) -> int:
        return self.requests - self.throttled

    @property
    def bound(self) -> float | None:
        return self.successful / self.scenario.rate_limit if self.scenario.rate_limit else None


def scenarios(subscribers: int, big: int = 20_000) -> list[Scenario]:
    share = subscribers // 5
    return [
        Scenario(1, "budget not configured", 1, subscribers, 100, max_ratio=1.15, max_429_share=0.03),
        Scenario(2, "budget configured 20/s", 1, subscribers, 100, configured_rate=20.0, max_ratio=1.10),
        Scenario(
            3, f"5 customers x {share} at once, configured", 5, share, 100, configured_rate=20.0, max_ratio=1.15,
            max_429_share=0.01,
        ),
        Scenario(4, "300 ms latency, no limit", 1, subscribers, 300, rate_limit=None, min_speedup=10.0),
        Scenario(5, "as 2, order inline in the conf (no target)", 1, subscribers, 100, configured_rate=20.0,
                 delivery="conf"),
        Scenario(6, "change: move every user, not configured", 1, subscribers, 100, max_ratio=1.15,
                 max_429_share=0.03, delivery="change"),
        *(
            Scenario(number, f"unknown limit {limit}/s, not configured", 1, count, 100, rate_limit=limit,
                     max_fan_out_ratio=1.15, max_429_share=0.03)
            for number, limit, count in ((7, 5.0, 500), (8, 20.0, 2000), (9, 100.0, 2000), (10, 200.0, 2000))
        ),
        Scenario(11, "unknown limit 100/s per fixed 10 s window", 1, 2000, 100, rate_limit=100.0, rate_window=10.0,
                 max_fan_out_ratio=1.15, max_429_share=0.03),
        Scenario(12, "no limit, no latency, 10,000 subscribers", 1, 10_000, 0, rate_limit=None, min_speedup=1.0),
        Scenario(13, f"no limit, no latency, {big:,} subscribers", 1, big, 0, rate_limit=None,
                 max_peak_mb=MAX_PEAK_MB),
    ]  # fmt: skip


def make_order(subscribers: int, external_id: str) -> dict:
    """The demo order with ``subscribers`` meetings users (the admin keeps the suite package), no Setup Assist."""
    order = json.loads((ROOT / "include" / "orders" / "demo-order.json").read_text())
    order["externalId"] = external_id
    order["customerInfo"]["name"] = f"Bench {external_id}"
    order["setupAssistance"] = None
    admin = {**order["subscribers"][0], "email": f"admin@{external_id}.example.com"}  # one per customer
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


def moved_order(order: dict) -> dict:
    """The change that moves every user of ``order`` (meetings, the admin aside) to webex_suite, each with an
    extension (a move onto a calling package needs one)."""
    moved = json.loads(json.dumps(order))
    for number, user in enumerate(moved["subscribers"][1:], start=2):
        user["packages"] = ["webex_suite"]
        user["provisioningParameters"]["extension"] = f"{10000 + number}"
    return moved


def seeded_state(order: dict, path) -> None:
    """Write a simulator state file holding ``order``'s customer, provisioned, with every one of its users."""
    from wholesale_sim.persistence import save_state
    from wholesale_sim.state import CustomerRecord, SimState, SubscriberRecord, webex_id

    state, long_ago = SimState(), time.time() - 3600
    customer = CustomerRecord(
        id=webex_id("ENTERPRISE"),
        external_id=order["externalId"],
        provisioning_id=order["provisioningId"],
        packages=list(order["packages"]),
        address=dict(order["address"]),
        org_id=webex_id("ORGANIZATION"),
        owner=None,
        outcome="provisioned",
        phase="provisioning",
        phase_started=long_ago,
        has_calling_location=True,
    )
    state.add_customer(customer)
    for user in order["subscribers"]:
        state.add_subscriber(
            SubscriberRecord(
                id=webex_id("SUBSCRIBER"),
                customer_id=customer.id,
                email=user["email"],
                package=user["packages"][0],
                status="provisioned",
                person_id=webex_id("PEOPLE"),
                parameters=dict(user["provisioningParameters"]),
                created=long_ago,
                last_status_change=long_ago,
            )
        )
    save_state(state, path)


def api_answers(sim_url: str) -> list[int]:
    state = requests.get(f"{sim_url}/_sim/state", timeout=60).json()
    return [r["status"] for r in state["requests"] if r["path"].startswith("/v1/")]


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


def set_api_connection(local: LocalAirflow, sim_url: str, rate: float | None) -> None:
    """Point the API connection at this scenario's simulator (REST: the running standalone reads it per task)."""
    extra = {"requests_per_second": rate} if rate else {}
    local.rest.delete(f"{local.base_url}/api/v2/connections/{CONN_ID}", timeout=60)
    body = {
        "connection_id": CONN_ID,
        "conn_type": "webex_wholesale",
        "host": f"{sim_url}/v1",
        "password": SIM_TOKEN,
        "extra": json.dumps(extra),
    }
    local.post("connections", body)


def trigger(local: LocalAirflow, conf: dict, dag_id: str = DAG_ID) -> str:
    """Create a run of ``dag_id`` (the onboarding DAG) with ``conf``; return its run id."""
    return local.post(f"dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf}).json()["dag_run_id"]


def deliver_through_queue(env: dict[str, str], local: LocalAirflow, orders: list[dict]) -> list[str]:
    """Queue ``orders`` (``wholesale-queue add``), start one round of the queue DAG; return the runs it starts."""
    orders_file = HOME / "bench-orders.json"
    orders_file.write_text(json.dumps(orders))
    subprocess.run([str(BIN / "wholesale-queue"), "add", str(orders_file)], env=env, check=True, capture_output=True)
    wanted = {order["externalId"] for order in orders}
    queued = [o["id"] for o in list_orders(create_state_engine(STATE_DB_URL)) if o["external_id"] in wanted]
    local.post(f"dags/{QUEUE_DAG_ID}/dagRuns", {"logical_date": None})
    return [run_id_for(order_id, attempt=1) for order_id in queued]


def wait_for(local: LocalAirflow, run_ids: list[str], dag_id: str = DAG_ID) -> list[dict]:
    """Wait until every run has ended (a run the queue has not started yet answers 404 meanwhile)."""
    runs = f"{local.base_url}/api/v2/dags/{dag_id}/dagRuns"
    done: dict[str, dict] = {}
    while len(done) < len(run_ids):
        time.sleep(1)
        for run_id in run_ids:
            if run_id not in done:
                answer = local.rest.get(f"{runs}/{run_id}", timeout=60)
                if answer.status_code == 404:
                    continue
                run = answer.json()
                if run["state"] in ("success", "failed"):
                    done[run_id] = run
    return [done[r] for r in run_ids]


def run_scenario(env: dict[str, str], local: LocalAirflow, scenario: Scenario, stamp: int) -> Result:
    orders = [
        make_order(scenario.subscribers, f"bench-{scenario.number}-{c}-{stamp}") for c in range(scenario.customers)
    ]
    flags = scenario.sim_flags()
    if scenario.delivery == "change":
        state_file = HOME / f"bench-sim-{scenario.number}-state.json"
        seeded_state(orders[0], state_file)
        flags = (*flags, "--state-file", str(state_file))
    with simulator(free_port(), *flags, log_path=HOME.parent / f"bench-sim-{scenario.number}.log") as url:
        set_api_connection(local, url, scenario.configured_rate)
        with PeakSampler(local.process.pid).running() as sampler:
            if scenario.delivery == "queue":
                run_ids = deliver_through_queue(env, local, orders)
            elif scenario.delivery == "change":
                run_ids = [trigger(local, moved_order(order), CHANGE_DAG_ID) for order in orders]
            else:
                run_ids = [trigger(local, order) for order in orders]
            runs = wait_for(local, run_ids, scenario.dag_id)
        answers = api_answers(url)
    starts = [datetime.fromisoformat(r["start_date"]) for r in runs]
    ends = [datetime.fromisoformat(r["end_date"]) for r in runs]
    wall = (max(ends) - min(starts)).total_seconds()
    budget = BudgetStats.merged([f for r in runs for f in budget_figures(local, scenario, r["dag_run_id"])])
    peak = sampler.highest()
    if peak:
        peak = with_task_names(peak, task_names(local, scenario.dag_id, run_ids))
    steps = step_timeline(local, scenario.dag_id, runs[0])
    return Result(scenario, wall, [r["state"] for r in runs], len(answers), answers.count(429), budget, peak, steps)


def step_timeline(local: LocalAirflow, dag_id: str, run: dict) -> str:
    """``task start+duration`` of each step of ``run``, in seconds from the run's start, in the order they started
    (a mapped task from its first instance's start to its last one's end): where the Airflow overhead lies."""
    url = f"{local.base_url}/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances"
    spans: dict[str, tuple[datetime, datetime]] = {}
    for ti in local.rest.get(url, params={"limit": 1000}, timeout=60).json()["task_instances"]:
        if ti["start_date"] and ti["end_date"]:
            start, end = datetime.fromisoformat(ti["start_date"]), datetime.fromisoformat(ti["end_date"])
            first, last = spans.get(ti["task_id"], (start, end))
            spans[ti["task_id"]] = (min(first, start), max(last, end))
    origin = datetime.fromisoformat(run["start_date"])
    ordered = sorted(spans.items(), key=lambda item: item[1][0])
    return ", ".join(
        f"{task} {(start - origin).total_seconds():.1f}+{(end - start).total_seconds():.1f}"
        for task, (start, end) in ordered
    )


def task_names(local: LocalAirflow, dag_id: str, run_ids: list[str]) -> dict[str, str]:
    """Each task instance's id -> its task (``[map index]`` when mapped): Airflow titles a task's processes with
    the instance's id only, and the peak's process should say which task it ran."""
    names = {}
    for run_id in run_ids:
        url = f"{local.base_url}/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
        for ti in local.rest.get(url, params={"limit": 100}, timeout=60).json()["task_instances"]:
            names[ti["id"]] = ti["task_id"] + (f"[{ti['map_index']}]" if ti["map_index"] >= 0 else "")
    return names


def budget_figures(local: LocalAirflow, scenario: Scenario, run_id: str) -> list[dict]:
    """What the run's fan-out batches said the budget did (XCom ``budget`` of each mapped instance)."""
    base = f"{local.base_url}/api/v2/dags/{scenario.dag_id}/dagRuns/{run_id}/taskInstances"
    listed = local.rest.get(
        f"{base}/{scenario.fan_out_task}/xcomEntries", params={"xcom_key": "budget", "limit": 1000}, timeout=60
    )
    figures = []
    for entry in listed.json()["xcom_entries"]:
        url = f"{base}/{entry['task_id']}/xcomEntries/budget"
        value = local.rest.get(url, params={"map_index": entry["map_index"]}, timeout=60).json()["value"]
        figures.append(json.loads(value) if isinstance(value, str) else value)
    return figures


@contextlib.contextmanager
def metadata_db(kind: str) -> Iterator[dict[str, str]]:
    """Airflow's metadata DB for the block: a throw-away PostgreSQL database, else SQLite in ``HOME`` (no settings)."""
    if kind == "sqlite":
        yield {}
        return
    with throwaway_databases(f"wwa_bench_{int(time.time())}") as databases:
        yield postgres_metadata_env(next(iter(databases.values())))


def airflow_runs(selected: list[Scenario], stamp: int, metadata: dict[str, str]) -> list[Result]:
    """One standalone (after a warm-up dry run: fresh workers pay a one-time start-up), the scenarios in turn."""
    with simulator(free_port()) as warm_url:
        # Other Airflows may run on this machine: their log servers hold the default ports.
        log_ports = {
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        }
        env = standalone_env(
            HOME,
            warm_url,
            free_port(),
            fresh=True,
            AIRFLOW_CONN_WHOLESALE_DB=STATE_DB_URL,
            WEBEX_WHOLESALE_QUEUE_SCHEDULE="none",  # rounds start when the bench says so
            **log_ports,
            **metadata,
        )
        env.pop("AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT")  # defined over REST, per scenario
        airflow(env, "db", "migrate")
        airflow(env, "pools", "set", "webex_wholesale_api", str(POOL_SLOTS), "Webex Wholesale API concurrency")
        airflow(env, "dags", "reserialize")
        with standalone(env, HOME / "standalone.log") as local:
            set_api_connection(local, warm_url, None)
            wait_for(local, [trigger(local, {**make_order(2, f"bench-warm-up-{stamp}"), "dryRun": True})])
            return [run_scenario(env, local, scenario, stamp) for scenario in selected]


def fan_out_ratio(result: Result) -> float | None:
    """The fan-out's span against its own bound: its successful requests at the limit (what the budget decides)."""
    b, limit = result.budget, result.scenario.rate_limit
    successful = b.requests - b.throttled
    if not limit or successful <= 0 or b.first_at is None or b.last_at is None:
        return None
    return (b.last_at - b.first_at) / (successful / limit)


def report(results: list[Result], baselines: dict[int, float], subscribers: int, big: int, metadata_kind: str) -> bool:
    ok = True
    print(
        f"\n{'scenario':44} {'runs':>7} {'wall s':>7} {'requests':>8} {'429s':>10} {'bound s':>8} {'ratio':>6}  verdict"
    )
    for r in results:
        s = r.scenario
        share = r.throttled / r.requests if r.requests else 0.0
        checks = [all(state == "success" for state in r.states)]
        ratio = r.wall / r.bound if r.bound else None
        fan_out = fan_out_ratio(r)
        baseline = baselines.get(s.number)
        target = []
        if s.max_ratio is not None and ratio is not None:
            checks.append(ratio <= s.max_ratio)
            target.append(f"<= {s.max_ratio:.2f}x")
        if s.max_fan_out_ratio is not None:
            checks.append(fan_out is not None and fan_out <= s.max_fan_out_ratio)
            target.append(f"fan-out <= {s.max_fan_out_ratio:.2f}x its bound")
        if s.max_429_share is not None:
            checks.append(share <= s.max_429_share)
            target.append(f"<= {s.max_429_share:.0%} 429s")
        if s.min_speedup:
            speedup = baseline / r.wall if baseline else 0.0
            checks.append(speedup >= s.min_speedup)
            target.append(f"{speedup:.2f}x as fast as sequential {baseline or 0:.1f} s (>= {s.min_speedup:g}x)")
        if s.max_peak_mb is not None:
            checks.append(r.peak is not None and r.peak.mb < s.max_peak_mb)
            target.append(f"peak RSS < {s.max_peak_mb:g} MB per process")
        verdict = "PASS" if all(checks) else "FAIL"
        ok = ok and all(checks)
        runs = f"{r.states.count('success')}/{len(r.states)}"
        print(
            f"{s.number}. {s.title:41} {runs:>7} {r.wall:7.1f} {r.requests:8d} {r.throttled:4d} ({share:4.1%}) "
            f"{(f'{r.bound:8.1f}' if r.bound else '       -')} {(f'{ratio:5.2f}x' if ratio else '     -')}  "
            f"{verdict}  {'; '.join(target)}"
        )
        b = r.budget
        span = (b.last_at or 0.0) - (b.first_at or 0.0)
        print(
            f"   fan-out batches (budget figures): {b.requests} requests over {span:.1f} s"
            f"{f' ({fan_out:.2f}x its bound)' if fan_out else ''}, average {b.average_rate:.1f}/s, peak "
            f"{b.peak_rate}/s, {b.throttled} answered 429, paused {b.paused_s:.1f} s; Airflow scheduling outside "
            f"the fan-out: {r.wall - span:.1f} s"
        )
        print(f"   {peak_line(r.peak, s.max_peak_mb)}")
        print(f"   steps of its first run (start+duration s): {r.steps}")
    print(
        f"(subscribers in 1-5: {subscribers}, in 13: {big:,}; bound = successful requests / the scenario's limit; "
        f"peak RSS: the highest VmHWM of any process under airflow standalone while the scenario ran, read every "
        f"0.5 s; Airflow's metadata DB: {metadata_kind})"
    )
    return ok


def sequential_wall(scenario: Scenario, stamp: int) -> float:
    """The sequential script's time for the scenario's order, against a simulator of its own with the same flags."""
    with simulator(free_port(), *scenario.sim_flags()) as url:
        return sequential_baseline(url, make_order(scenario.subscribers, f"bench-seq-{scenario.number}-{stamp}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9,10,11,12,13", help="comma-separated scenario numbers")
    parser.add_argument(
        "--big-subscribers", type=int, default=20_000,
        help="subscribers in scenario 13 (default 20,000; fewer check its plumbing in a minute or two)",
    )  # fmt: skip
    parser.add_argument("--metadata-db", choices=["sqlite", "postgres"], default="sqlite", help="Airflow's metadata DB")
    args = parser.parse_args()
    wanted = {int(n) for n in args.only.split(",")}
    selected = [s for s in scenarios(args.subscribers, args.big_subscribers) if s.number in wanted]
    HOME.mkdir(parents=True, exist_ok=True)
    stamp = int(time.time())

    compared = [s for s in selected if s.min_speedup]
    baselines = {s.number: sequential_wall(s, stamp) for s in compared if not s.baseline_alongside}

    def measure(scenario: Scenario) -> None:
        baselines[scenario.number] = sequential_wall(scenario, stamp)

    threads = [
        threading.Thread(target=measure, args=(s,), name=f"sequential-{s.number}")
        for s in compared
        if s.baseline_alongside
    ]
    for thread in threads:
        thread.start()
    with metadata_db(args.metadata_db) as metadata:
        results = airflow_runs(selected, stamp, metadata)
    for thread in threads:
        thread.join()
    return 0 if report(results, baselines, args.subscribers, args.big_subscribers, args.metadata_db) else 1


if __name__ == "__main__":
    sys.exit(launch(main))
