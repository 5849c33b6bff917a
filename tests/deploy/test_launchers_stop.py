"""Stopping is stopping: one SIGTERM to a launcher's process group, as a shell or make sends it, stops every
process group the launcher started (``airflow standalone``'s scheduler, dag-processor and triggerers, the simulator).

A real ``scripts/airflow_ui.py`` (``make airflow``) on free ports and its own AIRFLOW_HOME, stopped by a real
signal. Make also forwards the signal to its child, so the launcher gets a second SIGTERM while it is stopping:
that second one used to cut the SIGINT -> SIGTERM -> SIGKILL escalation short and leave standalone running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Bounds on waiting for a real Airflow to start and to stop on a loaded 2-core machine (not what is asserted).
START_TIMEOUT = 400.0
STOP_TIMEOUT = 120.0

pytestmark = [pytest.mark.scheduler, pytest.mark.timeout(START_TIMEOUT + 2 * STOP_TIMEOUT)]


def _processes() -> dict[int, tuple[int, int, str]]:
    """Every running process: pid -> (parent pid, process group, state)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
        except (OSError, ValueError):
            continue
        table[int(stat.parent.name)] = (int(ppid), int(pgrp), state)
    return table


def _descendants(root: int) -> dict[int, int]:
    """``root`` and every process below it: pid -> process group."""
    table = _processes()
    found = {root: table[root][1]}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, pgrp, _) in table.items():
            if ppid in found and pid not in found:
                found[pid] = pgrp
                grew = True
    return found


def _running_groups(groups: set[int]) -> set[int]:
    return {pgrp for ppid, pgrp, state in _processes().values() if pgrp in groups and state != "Z"}


def _wait_for_line(log: Path, text: str, launcher: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        if launcher.poll() is not None:
            pytest.fail(f"the launcher exited with {launcher.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    pytest.fail(f"{text!r} not printed within {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def test_one_sigterm_to_make_airflow_stops_every_process_group_it_started(tmp_path):
    from local_stack import free_port

    log = tmp_path / "launcher.log"
    ports = ("--port", str(free_port()), "--sim-port", str(free_port()))
    with open(log, "w") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-u", str(ROOT / "scripts" / "airflow_ui.py"), *ports, "--home", str(tmp_path / "home")],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a shell gives `make airflow`
        )
    try:
        _wait_for_line(log, "airflow UI:", launcher)
        started = _descendants(launcher.pid)
        groups = set(started.values())
        assert len(groups) >= 3, started  # the launcher's own, the simulator's, airflow standalone's

        os.killpg(launcher.pid, signal.SIGTERM)  # `kill -- -PGID`
        time.sleep(0.5)
        launcher.send_signal(signal.SIGTERM)  # what make forwards to its child meanwhile
        launcher.wait(timeout=STOP_TIMEOUT)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)

    assert "everything this started has stopped" in log.read_text()
    assert _running_groups(groups) == set()
