"""Benchmark: one customer with 10,000 and then 20,000 subscribers under ``dag.test()``: time and peak memory.

Control Hub takes 20,000 users per CSV file, so a customer that size must fit. Each size runs in a fresh process
(``dag.test()`` runs every task in that one process) against a simulator of its own (no limit, no latency, in
another process), and the bench reads the process's peak RSS from the kernel when it exits. Target: the run
succeeds under 1 GiB peak RSS. Before issue 20, 10,000 subscribers took 538 s and 1.34 GB: every subscriber was
in XCom three times, and twice more as outcomes.

    .venv/bin/python scripts/bench_big_customer.py [--sizes 10000,20000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_onboarding import DAG_ID, make_order
from local_stack import ROOT, airflow, airflow_env, free_port, simulator

HOME = ROOT / ".airflow-home" / "bench-big"
#: Peak resident memory allowed per process.
MAX_RSS_BYTES = 1024**3


def run_child(order_file: Path) -> int:
    """In the measured process: one ``dag.test()`` run of the order; print its state and seconds as JSON."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(ROOT / "dags")).get_dag(DAG_ID)
    order = json.loads(order_file.read_text())
    started = time.perf_counter()
    dag_run = dag.test(run_conf=order)
    print(json.dumps({"state": str(dag_run.state), "seconds": time.perf_counter() - started}))
    return 0 if dag_run.state == "success" else 1


def measure(subscribers: int) -> tuple[str, float, int]:
    """Run a ``subscribers`` order in a fresh process; return its run's state, wall seconds and peak RSS (bytes)."""
    order_file = HOME / f"order-{subscribers}.json"
    with simulator(free_port(), "--provision-delay", "1", log_path=HOME / f"sim-{subscribers}.log") as url:
        env = airflow_env(HOME / str(subscribers), url)
        airflow(env, "db", "migrate")
        order_file.write_text(json.dumps(make_order(subscribers, f"bench-big-{subscribers}-{int(time.time())}")))
        with open(HOME / f"dag-test-{subscribers}.log", "w") as log:
            child = subprocess.Popen(
                [sys.executable, __file__, "--child", str(order_file)], env=env, stdout=subprocess.PIPE, stderr=log
            )
            output = child.stdout.read().decode() if child.stdout else ""
            _pid, _status, usage = os.wait4(child.pid, 0)
    lines = [line for line in output.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {"state": "crashed", "seconds": 0.0}
    return result["state"], result["seconds"], usage.ru_maxrss * 1024  # Linux reports kilobytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,20000", help="comma-separated subscriber counts")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args.child)
    HOME.mkdir(parents=True, exist_ok=True)
    ok = True
    print(f"\n{'one customer under dag.test()':32} {'run':>8} {'time s':>8} {'peak RSS':>10}  verdict (< 1 GiB)")
    for size in (int(n) for n in args.sizes.split(",")):
        state, seconds, peak = measure(size)
        passed = state == "success" and peak < MAX_RSS_BYTES
        ok = ok and passed
        print(
            f"{f'{size:,} subscribers':32} {state:>8} {seconds:8.1f} {peak / 1024**2:8.0f} MB  "
            f"{'PASS' if passed else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
