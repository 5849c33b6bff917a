"""A Celery worker that dies mid-fan-out is noticed in seconds: the timeouts that make it so, and the check of it.

Airflow notices a dead worker only by its tasks' missing heartbeats: by default after 300 s
(``[scheduler] task_instance_heartbeat_timeout``), looked for every 10 s. A task's supervisor heartbeats every
``[workers] min_heartbeat_interval`` (1 s here, see local_stack.MIN_HEARTBEAT_INTERVAL), so 30 s is thirty beats
missed in a row, with ``[workers] max_failed_heartbeats`` (3) ending a task whose own heartbeats fail long before.
With a 5 s detection interval a killed worker's tasks are failed within 35 s and retried on the other worker after
the onboarding DAG's retry delay (10 s). docker-compose.yaml sets the same values (tests/deploy/test_compose.py).

``make distributed KILL_WORKER=1`` (``--kill-worker``) SIGKILLs the first worker's process group while it runs
subscriber batches and prints how long the interrupted batches took to succeed elsewhere; the subscriber checks of
scripts/distributed.py then show that nothing was created twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: ``[scheduler] task_instance_heartbeat_timeout``: seconds without a heartbeat before a task is failed (default 300).
TASK_HEARTBEAT_TIMEOUT = "30"
#: ``[scheduler] task_instance_heartbeat_timeout_detection_interval``: how often the scheduler looks (default 10).
TASK_HEARTBEAT_DETECTION_INTERVAL = "5"
#: The promise: a worker lost mid-fan-out costs less than this, from the kill to the last interrupted batch's success.
RECOVERY_LIMIT_S = 90.0
FAN_OUT_TASK = "provision_subscribers"


def heartbeat_env() -> dict[str, str]:
    """The scheduler settings above, as environment variables."""
    return {
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": TASK_HEARTBEAT_TIMEOUT,
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": TASK_HEARTBEAT_DETECTION_INTERVAL,
    }


@dataclass
class WorkerKill:
    """One worker killed while it ran subscriber batches: when, and which batches (run id, map index)."""

    victim: str | None = None
    killed_at: datetime | None = None
    interrupted: list[tuple[str, int]] = field(default_factory=list)


def running_batches(task_instances: list[dict[str, Any]], host: str) -> list[tuple[str, int]]:
    """The subscriber batches (run id, map index) running on ``host`` among a run's task instances."""
    return [
        (ti["dag_run_id"], ti["map_index"])
        for ti in task_instances
        if ti["task_id"] == FAN_OUT_TASK and ti["state"] == "running" and ti.get("hostname") == host
    ]


def recovery(kill: WorkerKill, finals: list[dict[str, Any]]) -> tuple[float | None, list[str]]:
    """Seconds from the kill to the last interrupted batch's success (on another worker), and what went wrong."""
    if kill.killed_at is None:
        return None, ["no worker was seen running a subscriber batch: nothing was killed"]
    problems = []
    ended = []
    for ti in finals:
        where = f"batch {ti['dag_run_id']}[{ti['map_index']}]"
        if ti["state"] != "success":
            problems.append(f"{where} ended {ti['state']} after {kill.victim} was killed")
        elif ti.get("hostname") == kill.victim:
            problems.append(f"{where} is recorded as finished on the killed {kill.victim}")
        else:
            ended.append(datetime.fromisoformat(ti["end_date"]))
    if problems or not ended:
        return None, problems or ["no interrupted batch finished"]
    seconds = (max(ended) - kill.killed_at).total_seconds()
    if seconds >= RECOVERY_LIMIT_S:
        problems.append(f"recovery took {seconds:.0f} s, not under {RECOVERY_LIMIT_S:.0f} s")
    return seconds, problems


def busiest_worker(task_instances: list[dict[str, Any]], workers: list[str]) -> tuple[str, list[tuple[str, int]]]:
    """The worker running the most subscriber batches now (the first named on a tie), and those batches."""
    running = {worker: running_batches(task_instances, worker) for worker in workers}
    victim = max(workers, key=lambda worker: len(running[worker]))
    return victim, running[victim]


def kill_when_fanning_out(
    processes: dict[str, subprocess.Popen],
    kill: WorkerKill,
    task_instances: Any,
    *,
    batches: int = 2,
    patience: float = 5.0,
    timeout: float = 600.0,
) -> threading.Thread:
    """Start a thread that SIGKILLs the process group of the worker running the most subscriber batches.

    It kills as soon as one worker runs ``batches`` of them, or ``patience`` seconds after the first batch started
    (a small run may never run two on one worker). ``task_instances()`` returns the onboarding runs' task instances
    (REST shape, with ``dag_run_id``); ``processes`` maps each worker's hostname to its process.
    """

    def watch() -> None:
        deadline = time.monotonic() + timeout
        first_seen: float | None = None
        while time.monotonic() < deadline:
            victim, running = busiest_worker(task_instances(), list(processes))
            if running and first_seen is None:
                first_seen = time.monotonic()
            if len(running) >= batches or (running and time.monotonic() - first_seen >= patience):
                os.killpg(processes[victim].pid, signal.SIGKILL)
                kill.victim, kill.killed_at, kill.interrupted = victim, datetime.now(UTC), running
                print(f"killed {victim} (SIGKILL to its process group) while it ran {len(running)} batches")
                return
            time.sleep(0.5)

    thread = threading.Thread(target=watch, name="worker-killer", daemon=True)
    thread.start()
    return thread
