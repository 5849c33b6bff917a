"""Start the pieces a local run needs: the simulator as its own process and an Airflow environment wired to it.

Shared by ``make demo`` (scripts/demo.py), ``make airflow`` (scripts/airflow_ui.py) and the benchmark, so all
three run the same topology: simulator over HTTP on 127.0.0.1, connections injected as ``AIRFLOW_CONN_*``,
Airflow state in a throw-away folder under ``.airflow-home/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import requests
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SIM_TOKEN = "sim-token"  # the simulator's token: local only, never a real credential
#: The local PostgreSQL server (trust auth), where throw-away metadata and state databases are created.
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
#: Seconds the scheduler sleeps after an idle loop (Airflow's default: 1); docker-compose.yaml sets the same.
SCHEDULER_IDLE_SLEEP_TIME = "0.1"
#: Whether a task merges its run's conf into ``params`` and validates it again (Airflow's default: True); every
#: local Airflow and docker-compose.yaml turn it off (README, "Configuration").
DAG_RUN_CONF_OVERRIDES_PARAMS = "False"
#: The longest a task's supervisor sleeps between checks (Airflow's default: 5 s). When a task process closes its
#: sockets a moment before it exits, the supervisor notices the exit only at its next check, and the executor slot
#: stays taken until then: measured on about half the tasks of five runs at once, each holding a slot 5.2 s after
#: its end. It also sets how often a running task heartbeats (once a second instead of every five).
MIN_HEARTBEAT_INTERVAL = "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def throwaway_databases(*names: str) -> Iterator[dict[str, str]]:
    """Create PostgreSQL databases on the local server for the block; drop them (and their sessions) after."""
    server = psycopg2.connect(POSTGRES_SERVER)
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            for name in names:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield {name: f"postgres@127.0.0.1:5432/{name}" for name in names}
    finally:
        with server.cursor() as cursor:
            for name in names:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.close()


def postgres_metadata_env(database: str) -> dict[str, str]:
    """Airflow settings for a metadata DB on PostgreSQL (``database``: ``user@host:port/name``), as deployed."""
    return {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{database}",
        # Airflow derives an asyncpg URL for its few async queries; asyncpg is not in the lock (the official image
        # has it), and none of those queries is on an onboarding's path (multi-team, waiting for a run over REST).
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": "",
    }


@contextlib.contextmanager
def simulator(port: int, *flags: str, log_path: Path | None = None) -> Iterator[str]:
    """Run ``wholesale-sim`` on 127.0.0.1:``port`` until the block ends; yields its root URL."""
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(BIN / "wholesale-sim"), "--port", str(port), "--token", SIM_TOKEN, *flags],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/_sim/state", proc)
        yield url
    finally:
        stop_process_group(proc)
        if log_path:
            log.close()


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the simulator exited with code {proc.returncode} before answering")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(url, timeout=1).ok:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the simulator did not answer at {url} within {timeout:.0f} s")


#: The signals that ask a launcher to stop: Ctrl-C, and what ``kill``, make and CI send.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def launch(main: Callable[[], int | None]) -> int:
    """Run a launcher's ``main`` so that Ctrl-C or one SIGTERM stops everything it started; its exit status.

    The first stop signal raises :class:`KeyboardInterrupt`, which unwinds through every ``finally`` that stops
    a process group; later ones are ignored. A shell's ``kill -- -PGID`` of ``make airflow`` reaches the launcher
    twice (once directly, once forwarded by make): the second used to interrupt the first one's cleanup half-way.
    """
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop_requested)
    try:
        return main() or 0
    except KeyboardInterrupt:
        print("\nstopped: everything this started has stopped.", file=sys.stderr)
        return 130


def _stop_requested(*_: object) -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt


def stop_process_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGINT, then SIGTERM, then SIGKILL to the whole group, until no member runs; no signal cuts it short.

    The leader exiting is not enough: ``airflow standalone`` leaves its scheduler's workers running, and
    Chromium's helpers outlive it for a moment, still writing into its profile. Stop signals reaching the
    launcher meanwhile are held until the group is gone, so the escalation always reaches its end.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            proc.poll()  # reap the leader if it has exited, so it does not linger as a zombie
            if not group_running(proc.pid):
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                proc.poll()
                if not group_running(proc.pid):
                    return
                time.sleep(0.05)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def group_running(group: int) -> bool:
    """Whether a process of process group ``group`` still runs.

    Zombies do not count: they write nothing, and the orphans among them wait for PID 1 to reap them, which takes
    up to 2 s here (``os.killpg(group, 0)`` still finds them).
    """
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
        except (OSError, ValueError):
            continue
        if int(pgrp) == group and state != "Z":
            return True
    return False


def airflow_env(home: Path, sim_url: str, *, fresh: bool = True, **extra: str) -> dict[str, str]:
    """Environment for Airflow commands: this project's folders, the simulator's connections, no examples."""
    if fresh and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # An onboarding is a chain of short API steps: Airflow's default 1 s idle sleep between scheduler
            # loops costs up to a second per step (README, "Performance").
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": SCHEDULER_IDLE_SLEEP_TIME,
            # The api-server validates a run's conf against the form when the run is created, and the onboarding
            # reads its order from the conf, never from params: re-validating it in every task costs 0.2 s per
            # task for 1,000 subscribers, twice in a mapped task.
            "AIRFLOW__CORE__DAG_RUN_CONF_OVERRIDES_PARAMS": DAG_RUN_CONF_OVERRIDES_PARAMS,
            # A finished task gives its executor slot back within a second, not five (MIN_HEARTBEAT_INTERVAL).
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": MIN_HEARTBEAT_INTERVAL,
            "AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT": json.dumps(
                {"conn_type": "webex_wholesale", "host": f"{sim_url}/v1", "password": SIM_TOKEN}
            ),
            "AIRFLOW_CONN_WEBEX_SETUP_ASSIST_DEFAULT": json.dumps(
                {"conn_type": "http", "host": f"{sim_url}/setup-assist/v1"}
            ),
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    env.update(extra)
    # Every onboarding run records itself in the state database. SQLite migrates itself on first use; a PostgreSQL
    # one (make bench, make distributed) is migrated explicitly, as airflow-init does in Compose (idempotent).
    subprocess.run([str(BIN / "wholesale-queue"), "db", "upgrade"], env=env, check=True, capture_output=True)
    return env


def airflow(env: dict[str, str], *args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run one ``airflow`` CLI command; raise with its output when it fails."""
    result = subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=quiet, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout or "") + (result.stderr or "")
        raise RuntimeError(f"airflow {' '.join(args)} failed ({result.returncode}):\n{output[-4000:]}")
    return result


def standalone_env(home: Path, sim_url: str, port: int, *, fresh: bool, **extra: str) -> dict[str, str]:
    """``airflow_env`` for a whole local Airflow: API server on 127.0.0.1:``port``, small LocalExecutor."""
    return airflow_env(
        home,
        sim_url,
        fresh=fresh,
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__CORE__PARALLELISM="8",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        **extra,
    )


@dataclass
class LocalAirflow:
    """A running ``airflow standalone``: its URL, the admin password, a REST session and the process."""

    base_url: str
    password: str
    rest: requests.Session
    process: subprocess.Popen

    def post(self, path: str, body: dict) -> requests.Response:
        """POST to ``/api/v2/<path>``, as :meth:`write` does."""
        return self.write("POST", path, body)

    def write(self, method: str, path: str, body: dict) -> requests.Response:
        """Send a write to ``/api/v2/<path>``; a 5xx (SQLite's metadata DB locked by a busy scheduler, as in its
        first round or while tasks resume) rolled the write back, so it is asked again, up to five times."""
        for _ in range(5):
            answer = self.rest.request(method, f"{self.base_url}/api/v2/{path}", json=body, timeout=120)
            if answer.status_code < 500:
                break
            time.sleep(2)
        answer.raise_for_status()
        return answer


@contextlib.contextmanager
def process_group(argv: list[str], env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """Run ``argv`` in its own process group, logging to ``log_path``, until the block ends; then stop the group."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        stop_process_group(proc)


def rest_session(base_url: str, home: Path) -> tuple[str, requests.Session]:
    """Log in to Airflow's REST API as admin (the simple auth manager's generated password in ``home``)."""
    password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
    login = requests.post(f"{base_url}/auth/token", json={"username": "admin", "password": password}, timeout=30)
    login.raise_for_status()
    rest = requests.Session()
    rest.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    return password, rest


@contextlib.contextmanager
def standalone(env: dict[str, str], log_path: Path) -> Iterator[LocalAirflow]:
    """Run ``airflow standalone`` until the block ends, logged in to its REST API as admin.

    Started in its own process group and stopped group-wide: standalone does not stop its children itself.
    """
    home, port = Path(env["AIRFLOW_HOME"]), int(env["AIRFLOW__API__PORT"])
    with process_group([str(BIN / "airflow"), "standalone"], env, log_path) as proc:
        wait_healthy(port, {"airflow standalone": proc})
        base_url = f"http://127.0.0.1:{port}"
        password, rest = rest_session(base_url, home)
        yield LocalAirflow(base_url=base_url, password=password, rest=rest, process=proc)


def wait_healthy(port: int, processes: dict[str, subprocess.Popen], timeout: float = 180.0) -> None:
    """Wait until the API server on ``port`` reports every component healthy; fail early if a process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in processes.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode} while starting")
        with contextlib.suppress(requests.RequestException, ValueError):
            health = requests.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=2).json()
            if all(part.get("status") == "healthy" for part in health.values() if isinstance(part, dict)):
                return
        time.sleep(1)
    raise RuntimeError(f"Airflow did not become healthy within {timeout:.0f} s")


@contextlib.contextmanager
def running_every(interval: float, step: Callable[[], None], name: str) -> Iterator[None]:
    """Call ``step`` every ``interval`` seconds in a daemon thread until the block ends (the benchmarks' samplers)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            step()

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
