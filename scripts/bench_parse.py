"""Benchmark: how long parsing the onboarding DAG file takes, next to a one-task DAG parsed the same way.

Each sample is a fresh Python process that first imports what every DAG parse in the dag-processor already has
(``airflow`` and ``airflow.sdk``), then times executing the DAG file alone. The figure is the median of
``--runs`` samples; the ratio compares it with the one-task baseline measured in the same run, so a slower
machine moves both. ``--report`` also runs ``airflow dags report`` (a throw-away AIRFLOW_HOME, dags/ and
plugins/ as folders, no examples) and prints its per-file figure; ``--imports`` lists the modules the DAG
file imports beyond the baseline, by cumulative import time (``python -X importtime``), to show what costs;
``--preload`` imports modules before the timed parse, to show what the file would cost without them.

    .venv/bin/python scripts/bench_parse.py [--runs 7] [--report] [--imports N] [--preload webex_wholesale.models]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from local_stack import launch

ROOT = Path(__file__).resolve().parents[1]
DAG_FILE = ROOT / "dags" / "webex_wholesale_onboarding.py"
BASELINE_DAG = '''"""A one-task DAG: the parse cost every DAG file pays."""
from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2026, 1, 1))
def bench_parse_baseline():
    @task
    def noop():
        return None

    noop()


bench_parse_baseline()
'''
# Runs in the child: warm up as a running dag-processor is (airflow imported, one DAG already parsed), mark the
# start on stderr (for ``-X importtime``), then time the file.
TIMED_PARSE = """
import importlib, os, runpy, sys, time
import airflow
runpy.run_path(sys.argv[1], run_name="bench_parse_warmup")
for name in filter(None, os.environ.get("BENCH_PARSE_PRELOAD", "").split(",")):
    importlib.import_module(name)
print("bench-parse-start", file=sys.stderr, flush=True)
wall, cpu = time.perf_counter(), time.process_time()
runpy.run_path(sys.argv[2], run_name="bench_parse_dag")
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


def parse_seconds(path: Path, warmup: Path) -> tuple[float, float]:
    """Wall and CPU seconds executing ``path`` in a fresh interpreter, after importing airflow and parsing
    ``warmup``. CPU time is the steadier figure on a shared machine; wall time is what a parse waits.
    """
    result = subprocess.run(
        [sys.executable, "-c", TIMED_PARSE, str(warmup), str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    wall, cpu = result.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def median_parse_ms(path: Path, warmup: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds over ``runs`` fresh processes, after one unmeasured parse that leaves
    the bytecode cache (``.pyc``) written, as a running dag-processor has it."""
    parse_seconds(path, warmup)
    samples = [parse_seconds(path, warmup) for _ in range(runs)]
    return tuple(statistics.median(sample[i] for sample in samples) * 1000 for i in (0, 1))


def imported_modules_ms(path: Path, warmup: Path, top: int) -> list[tuple[str, float]]:
    """Modules first imported by ``path`` (not by the warm-up), heaviest cumulative time first."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", TIMED_PARSE, str(warmup), str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    lines = result.stderr.splitlines()
    start = lines.index("bench-parse-start")
    rows = []
    for line in lines[start + 1 :]:
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        if depth <= 2:  # the file's own imports and their direct children
            rows.append((name.strip(), int(parts[1]) / 1000))
    return sorted(rows, key=lambda row: row[1], reverse=True)[:top]


def dags_report_ms() -> dict[str, float]:
    """``airflow dags report``'s per-file parse duration, in a throw-away AIRFLOW_HOME."""
    with tempfile.TemporaryDirectory(prefix="bench-parse-") as home:
        env = {
            **_env(),
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        }
        airflow = Path(sys.executable).with_name("airflow")
        subprocess.run([str(airflow), "db", "migrate"], env=env, capture_output=True, check=True)
        result = subprocess.run(
            [str(airflow), "dags", "report", "--output", "json"], env=env, capture_output=True, text=True, check=True
        )
    # Warnings share stdout with the table; the JSON is the one line that starts with "[{".
    (table,) = (line for line in result.stdout.splitlines() if line.startswith("[{"))
    rows = json.loads(table)
    return {Path(row["file"]).name: _seconds(row["duration"]) * 1000 for row in rows}


def _seconds(duration: str | float) -> float:
    """``dags report`` prints a timedelta ("0:00:00.012345") or seconds."""
    if isinstance(duration, (int, float)):
        return float(duration)
    hours, minutes, seconds = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _env() -> dict[str, str]:
    """The children's environment: plugins/ importable, and bytecode caching on (a shell that sets
    PYTHONDONTWRITEBYTECODE would otherwise make every sample recompile the project's source)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")])}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh-process samples per file (median reported)")
    parser.add_argument("--report", action="store_true", help="also run `airflow dags report`")
    parser.add_argument("--imports", type=int, default=0, metavar="N", help="list the N heaviest imports")
    parser.add_argument("--preload", default="", help="comma-separated modules imported before the timed parse")
    args = parser.parse_args()
    os.environ["BENCH_PARSE_PRELOAD"] = args.preload

    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        baseline = Path(tmp) / "baseline_dag.py"
        baseline.write_text(BASELINE_DAG, encoding="utf-8")
        baseline_ms = median_parse_ms(baseline, baseline, args.runs)
        onboarding_ms = median_parse_ms(DAG_FILE, baseline, args.runs)
        preloaded = f", with {args.preload} preloaded" if args.preload else ""
        print(f"parse {DAG_FILE.name}, median of {args.runs} fresh processes{preloaded}:")
        for label, ours, base in zip(("wall", "cpu"), onboarding_ms, baseline_ms, strict=True):
            print(f"  {label}: {ours:.1f} ms; one-task baseline {base:.1f} ms; ratio {ours / base:.1f}x")
        if args.imports:
            print(f"heaviest imports of {DAG_FILE.name} (cumulative ms):")
            for name, ms in imported_modules_ms(DAG_FILE, baseline, args.imports):
                print(f"  {ms:8.1f}  {name}")
    if args.report:
        for name, ms in sorted(dags_report_ms().items()):
            print(f"airflow dags report: {name}: {ms:.1f} ms")


if __name__ == "__main__":
    sys.exit(launch(main))
