"""``make distributed``: the Compose file's topology run natively on this machine, then checked end to end.

Everything listens on 127.0.0.1 on free ports: PostgreSQL holds Airflow's metadata DB and the state DB (two
throw-away databases created here and dropped at the end), Redis is the Celery broker and the shared API budget
(db numbers of their own, flushed at start and end), Airflow runs its api-server, scheduler, dag-processor,
triggerer and two Celery workers (distinct names), and the simulator answers at most ``--rate`` requests/s with
``--latency-ms`` per answer, so the budget matters. The script enqueues ``--customers`` orders of
``--subscribers`` subscribers, lets the queue DAG onboard them (or triggers the onboarding DAG over REST with
``--via rest``), then checks: every subscriber exactly once at the simulator, each customer's admin first, every
order succeeded, task instances ran on both workers, and how the budget held (429s, peak rate). It prints the
figures and stops everything it started, by process group, even when a step fails. With ``--kill-worker`` it also
SIGKILLs one worker while it runs subscriber batches and checks the batches recover elsewhere in under 90 s
(scripts/worker_loss.py).

    .venv/bin/python scripts/distributed.py [--customers 3] [--subscribers 200] [--via queue|rest] [--kill-worker]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests
from local_stack import (
    BIN,
    ROOT,
    airflow,
    airflow_env,
    free_port,
    launch,
    postgres_metadata_env,
    process_group,
    rest_session,
    running_every,
    simulator,
    throwaway_databases,
    wait_healthy,
)
from worker_loss import WorkerKill, heartbeat_env, kill_when_fanning_out, recovery

ONBOARDING_DAG = "webex_wholesale_onboarding"
QUEUE_DAG = "webex_wholesale_queue"
RUN_DIR = ROOT / ".airflow-home" / "distributed"
HOME = RUN_DIR / "airflow"  # AIRFLOW_HOME, made afresh by airflow_env
LOGS = RUN_DIR / "logs"  # one log file per process, the orders file
REDIS_SERVER = "redis://127.0.0.1:6379"
WORKERS = ("worker-a", "worker-b")
CELERY_APP = "airflow.providers.celery.executors.celery_executor.app"  # as in the Compose worker healthcheck
POOL_SLOTS = "4"
TERMINAL_RUN_STATES = {"success", "failed"}


@dataclass
class Stack:
    """What one distributed run set up: where Airflow answers and how to reach its parts."""

    base_url: str
    password: str
    rest: requests.Session
    sim_url: str
    env: dict[str, str]
    state_db_url: str
    logs: Path


# --- Redis db numbers ---


@contextlib.contextmanager
def flushed_redis(*db_numbers: int) -> Iterator[list[str]]:
    """Redis db numbers owned by this run: emptied at start (a previous run's leftovers) and at the end."""
    urls = [f"{REDIS_SERVER}/{number}" for number in db_numbers]
    clients = [redis.Redis.from_url(url) for url in urls]
    for client in clients:
        client.flushdb()
    try:
        yield urls
    finally:
        for client in clients:
            with contextlib.suppress(redis.RedisError):
                client.flushdb()


# --- The Airflow processes ---


def distributed_env(
    sim_url: str, port: int, metadata_db: str, state_db: str, broker: str, budget: str, concurrency: int
) -> dict[str, str]:
    """One environment for every component, as the Compose file's ``x-airflow-common`` block gives them."""
    return airflow_env(
        HOME,
        sim_url,
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+postgresql+psycopg2://{metadata_db}",
        AIRFLOW__CELERY__BROKER_URL=broker,
        AIRFLOW__CELERY__WORKER_CONCURRENCY=str(concurrency),
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
        AIRFLOW__API__SECRET_KEY=secrets.token_hex(32),
        AIRFLOW__CORE__FERNET_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        AIRFLOW__CORE__PARALLELISM="32",
        # Paused until the orders are queued, so that the queue DAG's first scheduled round cannot run early.
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW_CONN_WHOLESALE_DB=f"postgresql://{state_db}",
        AIRFLOW_CONN_WEBEX_WHOLESALE_BUDGET=budget,
        **heartbeat_env(),  # a killed worker's tasks are failed and retried within seconds (worker_loss.py)
        **postgres_metadata_env(metadata_db),
    )


def worker_env(env: dict[str, str], name: str) -> dict[str, str]:
    """A worker's own additions: its name on its task instances and a port of its own for serving logs."""
    return {
        **env,
        "WWA_WORKER_NAME": name,
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "worker_hostname.hostname",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "scripts"), env.get("PYTHONPATH")])),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
    }


@contextlib.contextmanager
def airflow_processes(env: dict[str, str], logs: Path, concurrency: int) -> Iterator[dict[str, subprocess.Popen]]:
    """Start the api-server, scheduler, dag-processor, triggerer and the Celery workers; stop them all after."""
    airflow_bin = str(BIN / "airflow")
    commands = {
        "api-server": ([airflow_bin, "api-server"], env),
        "scheduler": ([airflow_bin, "scheduler"], env),
        "dag-processor": ([airflow_bin, "dag-processor"], env),
        "triggerer": ([airflow_bin, "triggerer"], env),
    }
    for name in WORKERS:
        argv = [airflow_bin, "celery", "worker", "-H", f"{name}@%h", "-c", str(concurrency)]
        commands[name] = (argv, worker_env(env, name))
    with contextlib.ExitStack() as stack:
        processes = {
            name: stack.enter_context(process_group(argv, process_env, logs / f"{name}.log"))
            for name, (argv, process_env) in commands.items()
        }
        yield processes  # the ExitStack stops them in reverse order: workers first, the api-server last


def wait_for_workers(
    env: dict[str, str], logs: Path, processes: dict[str, subprocess.Popen], timeout: float = 120.0
) -> None:
    """Until each worker has logged ``<name>@<host> ready.`` and answers a ping through the broker."""
    deadline = time.monotonic() + timeout
    waiting = set(WORKERS)
    while waiting and time.monotonic() < deadline:
        for name in list(waiting):
            if processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited with code {processes[name].returncode}; see {logs / name}.log")
            if f"{name}@" in (text := (logs / f"{name}.log").read_text()) and " ready." in text:
                waiting.discard(name)
        time.sleep(1)
    if waiting:
        raise RuntimeError(f"Celery workers {sorted(waiting)} not ready within {timeout:.0f} s")
    # The Compose file's worker healthcheck, run here: each worker answers a ping through the broker.
    nodes = ",".join(f"{name}@{socket.gethostname()}" for name in WORKERS)
    ping = [str(BIN / "celery"), "--app", CELERY_APP, "inspect", "ping", "--timeout", "10", "-d", nodes]
    result = subprocess.run(ping, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"celery inspect ping {nodes} failed:\n{result.stdout}{result.stderr}")


def wait_for_dags(stack: Stack, dag_ids: list[str], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(stack.rest.get(f"{stack.base_url}/api/v2/dags/{d}", timeout=30).ok for d in dag_ids):
            return
        time.sleep(2)
    raise RuntimeError(f"DAGs {dag_ids} not parsed within {timeout:.0f} s (see {stack.logs}/dag-processor.log)")


# --- The orders ---


def make_order(customer: int, subscribers: int) -> dict:
    """The demo order for customer ``customer``: its own externalId and admin, then meetings users."""
    order = json.loads((ROOT / "include" / "orders" / "demo-order.json").read_text())
    external_id = f"distributed-{customer:02d}"
    domain = f"{external_id}.example.com"
    admin = {**order["subscribers"][0], "email": f"admin@{domain}"}
    users = [
        {
            "email": f"user{i:04d}@{domain}",
            "packages": ["webex_meetings"],
            "provisioningParameters": {"firstName": "User", "lastName": f"{i:04d}"},
        }
        for i in range(2, subscribers + 1)
    ]
    order |= {"externalId": external_id, "subscribers": [admin, *users], "setupAssistance": None}
    order["customerInfo"] = {**order["customerInfo"], "name": f"Distributed {customer}", "primaryEmail": admin["email"]}
    return order


def enqueue(stack: Stack, orders: list[dict]) -> None:
    """``wholesale-queue add`` the orders (one JSON list file), then start a queue round at once."""
    path = stack.logs / "orders.json"
    path.write_text(json.dumps(orders))
    result = subprocess.run(
        [str(BIN / "wholesale-queue"), "add", str(path)], env=stack.env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wholesale-queue add failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    for dag_id in (ONBOARDING_DAG, QUEUE_DAG):
        unpause(stack, dag_id)
    trigger(stack, QUEUE_DAG, "distributed-round", {})


def trigger_directly(stack: Stack, orders: list[dict]) -> None:
    """Without the queue: one onboarding run per order over REST, all at once."""
    unpause(stack, ONBOARDING_DAG)
    for order in orders:
        trigger(stack, ONBOARDING_DAG, f"distributed-{order['externalId']}", order)


def unpause(stack: Stack, dag_id: str) -> None:
    url = f"{stack.base_url}/api/v2/dags/{dag_id}"
    stack.rest.patch(url, json={"is_paused": False}, timeout=30).raise_for_status()


def trigger(stack: Stack, dag_id: str, run_id: str, conf: dict) -> None:
    body = {"logical_date": None, "dag_run_id": run_id, "conf": conf}
    response = stack.rest.post(f"{stack.base_url}/api/v2/dags/{dag_id}/dagRuns", json=body, timeout=60)
    if not response.ok:
        raise RuntimeError(f"triggering {dag_id} failed: {response.status_code} {response.text[:2000]}")


def dag_runs(stack: Stack, dag_id: str) -> list[dict]:
    response = stack.rest.get(f"{stack.base_url}/api/v2/dags/{dag_id}/dagRuns", params={"limit": 100}, timeout=30)
    response.raise_for_status()
    return response.json()["dag_runs"]


def wait_for_onboarding_runs(stack: Stack, count: int, timeout: float) -> list[dict]:
    """Until ``count`` onboarding runs exist and all have ended; returns them."""
    deadline = time.monotonic() + timeout
    runs: list[dict] = []
    while time.monotonic() < deadline:
        runs = dag_runs(stack, ONBOARDING_DAG)
        if len(runs) >= count and all(run["state"] in TERMINAL_RUN_STATES for run in runs):
            return runs
        time.sleep(2)
    states = Counter(run["state"] for run in runs)
    raise RuntimeError(f"{count} onboarding runs did not end within {timeout:.0f} s (now: {dict(states)})")


# --- Watching the simulator's request log while the orders run ---


@dataclass
class TrafficSampler:
    """Counts the simulator's /v1 requests (and 429s) once a second, for the peak request rate."""

    sim_url: str
    samples: list[tuple[float, int, int]] = field(default_factory=list)

    def sample(self) -> None:
        with contextlib.suppress(requests.RequestException, ValueError):
            api = [r for r in sim_state(self.sim_url)["requests"] if r["path"].startswith("/v1/")]
            self.samples.append((time.monotonic(), len(api), sum(r["status"] == 429 for r in api)))

    @contextlib.contextmanager
    def running(self) -> Iterator[TrafficSampler]:
        with running_every(1.0, self.sample, "traffic-sampler"):
            yield self

    def peak_rate(self, window: float = 5.0) -> float:
        """Highest /v1 request rate (answered or refused) over any ``window`` seconds between samples."""
        peak = 0.0
        for i, (start, count, _) in enumerate(self.samples):
            for end, later, _ in self.samples[i + 1 :]:
                if end - start >= window:
                    peak = max(peak, (later - count) / (end - start))
                    break
        return peak


def sim_state(sim_url: str) -> dict:
    response = requests.get(f"{sim_url}/_sim/state", timeout=60)
    response.raise_for_status()
    return response.json()


# --- The checks ---


def subscriber_problems(state: dict, orders: list[dict]) -> list[str]:
    """Every ordered subscriber exactly once at the simulator, under its customer, the admin before the others."""
    problems = []
    for order in orders:
        held = [s for s in state["subscribers"] if s["externalCustomerId"] == order["externalId"]]
        emails = Counter(s["email"].lower() for s in held)
        ordered = {s["email"].lower() for s in order["subscribers"]}
        twice = sorted(e for e, n in emails.items() if n > 1)
        missing, extra = sorted(ordered - set(emails)), sorted(set(emails) - ordered)
        for label, found in (("twice", twice), ("missing", missing), ("not ordered", extra)):
            if found:
                problems.append(f"{order['externalId']}: {len(found)} subscribers {label}, e.g. {found[:3]}")
        admin = order["subscribers"][0]["email"].lower()
        admin_created = next((s["created"] for s in held if s["email"].lower() == admin), None)
        early = sorted(
            s["email"] for s in held if s["email"].lower() != admin and s["created"] <= (admin_created or "")
        )
        if admin_created and early:
            problems.append(f"{order['externalId']}: {len(early)} created no later than the admin {admin}: {early[:3]}")
    return problems


def order_problems(stack: Stack, runs: list[dict], via: str) -> list[str]:
    problems = [f"onboarding run {r['dag_run_id']} ended {r['state']}" for r in runs if r["state"] != "success"]
    if via == "queue":
        import sqlalchemy  # the state DB through its own engine, as the UI pages read it

        engine = sqlalchemy.create_engine(stack.state_db_url.replace("postgresql://", "postgresql+psycopg2://", 1))
        with engine.connect() as connection:
            rows = connection.execute(sqlalchemy.text("SELECT external_id, state FROM wholesale_order")).all()
        engine.dispose()
        problems += [f"order {external_id} is {state}" for external_id, state in rows if state != "succeeded"]
    return problems


def onboarding_task_instances(stack: Stack) -> list[dict]:
    """Every task instance of every onboarding run so far (REST shape)."""
    instances = []
    for run in dag_runs(stack, ONBOARDING_DAG):
        url = f"{stack.base_url}/api/v2/dags/{ONBOARDING_DAG}/dagRuns/{run['dag_run_id']}/taskInstances"
        with contextlib.suppress(requests.RequestException):
            response = stack.rest.get(url, params={"limit": 1000}, timeout=30)
            if response.ok:
                instances += response.json()["task_instances"]
    return instances


def worker_loss_problems(stack: Stack, kill: WorkerKill) -> list[str]:
    """Print how long the killed worker's batches took to succeed elsewhere; return what went wrong."""
    finals = [
        ti
        for ti in onboarding_task_instances(stack)
        if (ti["dag_run_id"], ti["map_index"]) in kill.interrupted and ti["task_id"] == "provision_subscribers"
    ]
    seconds, problems = recovery(kill, finals)
    if seconds is not None:
        print(
            f"  worker loss          {kill.victim} killed during {len(kill.interrupted)} batches; recovered in "
            f"{seconds:.1f} s (the last interrupted batch succeeded on another worker)"
        )
    return problems


def task_hosts(stack: Stack, dag_id: str, run_ids: list[str]) -> Counter:
    """How many task instances each hostname ran, over the given runs (mapped instances counted one by one).

    A task that ran without recording a hostname shows as ``(none)``, which the checks refuse.
    """
    hosts: Counter = Counter()
    for run_id in run_ids:
        url = f"{stack.base_url}/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
        response = stack.rest.get(url, params={"limit": 1000}, timeout=30)
        response.raise_for_status()
        for ti in response.json()["task_instances"]:
            # Skipped tasks never ran; the scheduler itself marks an EmptyOperator done without a worker.
            if ti["state"] not in ("skipped", "removed", None) and ti.get("operator") != "EmptyOperator":
                hosts[f"{ti['hostname'] or '(none)'} {ti['task_id']}"] += 1
    return hosts


def by_worker(hosts: Counter) -> dict[str, Counter]:
    workers: dict[str, Counter] = {}
    for key, count in hosts.items():
        host, task_id = key.split(" ", 1)
        workers.setdefault(host, Counter())[task_id] += count
    return workers


# --- The run ---


def run(args: argparse.Namespace) -> int:
    if RUN_DIR.exists():
        shutil.rmtree(RUN_DIR)
    (logs := LOGS).mkdir(parents=True)
    suffix = secrets.token_hex(4)
    databases = (f"wwa_distributed_{suffix}_airflow", f"wwa_distributed_{suffix}_state")
    port, sim_port = free_port(), free_port()
    sim_flags = ["--rate-limit", str(args.rate), "--latency-ms", str(args.latency_ms), "--provision-delay", "3"]
    via = args.via
    if via == "auto":
        via = "queue" if (BIN / "wholesale-queue").exists() else "rest"
    orders = [make_order(i, args.subscribers) for i in range(1, args.customers + 1)]

    with (
        throwaway_databases(*databases) as dbs,
        flushed_redis(args.redis_db, args.redis_db + 1) as (broker, budget),
        simulator(sim_port, *sim_flags, log_path=logs / "simulator.log") as sim_url,
    ):
        metadata_db, state_db = dbs[databases[0]], dbs[databases[1]]
        env = distributed_env(sim_url, port, metadata_db, state_db, broker, budget, args.concurrency)
        print(f"metadata DB {databases[0]}, state DB {databases[1]}, broker {broker}, budget {budget}")
        print(f"simulator {sim_url} ({args.rate:g} requests/s, {args.latency_ms} ms); logs in {logs}")
        airflow(env, "db", "migrate")
        airflow(env, "pools", "set", "webex_wholesale_api", POOL_SLOTS, "Webex Wholesale API concurrency")
        if via == "queue":
            subprocess.run([str(BIN / "wholesale-queue"), "db", "upgrade"], env=env, check=True, capture_output=True)
        started = time.monotonic()
        with airflow_processes(env, logs, args.concurrency) as processes:
            wait_healthy(port, processes)
            wait_for_workers(env, logs, processes)
            base_url = f"http://127.0.0.1:{port}"
            password, rest = rest_session(base_url, HOME)
            stack = Stack(base_url, password, rest, sim_url, env, f"postgresql://{state_db}", logs)
            wait_for_dags(stack, [ONBOARDING_DAG, QUEUE_DAG] if via == "queue" else [ONBOARDING_DAG])
            print(f"Airflow up in {time.monotonic() - started:.1f} s at {base_url} (workers {', '.join(WORKERS)})")
            sampler = TrafficSampler(sim_url)
            kill = WorkerKill() if args.kill_worker else None
            with sampler.running():
                began = time.monotonic()
                if kill is not None:
                    workers = {name: processes[name] for name in WORKERS}
                    kill_when_fanning_out(workers, kill, lambda: onboarding_task_instances(stack))
                (enqueue if via == "queue" else trigger_directly)(stack, orders)
                runs = wait_for_onboarding_runs(stack, len(orders), args.timeout)
                wall = time.monotonic() - began
            outcome = report(stack, args, via, orders, runs, wall, sampler, kill)
            if args.browser_check and outcome == 0:
                from browser_check import BROWSER_DIR, drive, install_playwright_core

                install_playwright_core()
                print(f"\nbrowser check against this stack ({BROWSER_DIR / 'check.mjs'}):", flush=True)
                outcome = drive(stack.base_url, stack.password, ROOT / "build" / "screenshots")
            return outcome


def report(
    stack: Stack,
    args: argparse.Namespace,
    via: str,
    orders: list[dict],
    runs: list[dict],
    wall: float,
    sampler: TrafficSampler,
    kill: WorkerKill | None = None,
) -> int:
    """Print the figures and which worker ran what; return 1 if any check failed."""
    state = sim_state(stack.sim_url)
    api = [r for r in state["requests"] if r["path"].startswith("/v1/")]
    refused = sum(r["status"] == 429 for r in api)
    subscribers = sum(len(o["subscribers"]) for o in orders)
    hosts = task_hosts(stack, ONBOARDING_DAG, [r["dag_run_id"] for r in runs])
    if via == "queue":
        hosts += task_hosts(stack, QUEUE_DAG, [r["dag_run_id"] for r in dag_runs(stack, QUEUE_DAG)])
    workers = by_worker(hosts)
    problems = subscriber_problems(state, orders) + order_problems(stack, runs, via)
    problems += [f"no task ran on {name}" for name in WORKERS if name not in workers]
    problems += [f"tasks ran on {host}, which is not one of the workers" for host in workers if host not in WORKERS]

    bound = (len(api) - refused) / args.rate
    print(f"\n{len(orders)} customers x {args.subscribers} subscribers via {via}:")
    print(f"  wall time            {wall:.1f} s (trigger to the last run's end)")
    print(f"  subscribers/s        {subscribers / wall:.2f}")
    print(f"  API requests         {len(api)} ({refused} answered 429, {refused / max(len(api), 1):.1%})")
    print(f"  rate-limit bound     {bound:.1f} s (answered requests / {args.rate:g}/s); ratio {wall / bound:.2f}x")
    print(f"  peak request rate    {sampler.peak_rate():.1f}/s over 5 s (the simulator allows {args.rate:g}/s)")
    for host, tasks in sorted(workers.items()):
        print(f"  {host:<20} {sum(tasks.values())} task instances: {dict(sorted(tasks.items()))}")
    if kill is not None:
        problems += worker_loss_problems(stack, kill)
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print("\nOK: every subscriber once, admins first, every order succeeded, tasks on both workers.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=3)
    parser.add_argument("--subscribers", type=int, default=200, help="per customer, the admin included")
    parser.add_argument("--via", choices=("auto", "queue", "rest"), default="auto", help="auto: queue if installed")
    parser.add_argument("--rate", type=float, default=20.0, help="the simulator's requests/s limit")
    parser.add_argument("--latency-ms", type=int, default=100, help="the simulator's added latency")
    parser.add_argument("--concurrency", type=int, default=4, help="task slots per Celery worker")
    parser.add_argument("--redis-db", type=int, default=12, help="broker db; the budget uses the next one")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the runs")
    parser.add_argument(
        "--kill-worker", action="store_true", help="SIGKILL a worker mid-fan-out; print the recovery time (< 90 s)"
    )
    parser.add_argument(
        "--browser-check", action="store_true", help="then run the browser check (make browser-check) against it"
    )
    args = parser.parse_args()
    return run(args)


if __name__ == "__main__":
    sys.exit(launch(main))
