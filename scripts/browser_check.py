"""``make browser-check``: the Airflow UI in headless Chromium (scripts/browser_walk.py), screenshots in build/.

Without ``--url`` it starts what ``make airflow`` starts (the simulator and ``airflow standalone``, in a throw-away
``.airflow-home/browser``) and stops it afterwards; with ``--url`` and ``--password`` it drives a running Airflow
(``make airflow``, ``make distributed --hold``, the Compose stack). It needs Debian's ``chromium``, driven by the
pinned Python ``playwright`` (no browser download). When Chromium is missing it says so and exits 0, unless
``WWA_REQUIRE_BROWSER=1``, which makes that a failure (CI sets it).

    .venv/bin/python scripts/browser_check.py [--url http://127.0.0.1:8080 --password PW] [--out build/screenshots]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from browser_walk import VIEWPORT, Walk
from headless_chromium import find_chromium, headless_chromium
from local_stack import ROOT, airflow, free_port, launch, simulator, standalone, standalone_env

HOME = ROOT / ".airflow-home" / "browser"
QUEUE_CLI = Path(sys.executable).with_name("wholesale-queue")


def drive(
    chromium: str, url: str, password: str, out: Path, enqueue: Callable[[dict[str, Any]], int] | None = None
) -> int:
    """Walk the UI of the Airflow at ``url``; 0 when every step happened, 1 (with the reason) when one did not."""
    walk = Walk(
        base=url.rstrip("/"),
        password=password,
        run_id=f"browser-check-{int(time.time())}",
        shots=out,
        run_timeout=float(os.environ.get("RUN_TIMEOUT_S", "600")),
        enqueue=enqueue,
    )
    try:
        with headless_chromium(chromium) as browser:
            walk.run(browser.new_context(viewport=VIEWPORT))
    except Exception as error:  # any step that did not happen, as the browser or Airflow reported it
        print(f"browser-check FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


def queue_with_the_cli(env: dict[str, str]) -> Callable[[dict[str, Any]], int]:
    """``enqueue`` for the walk: ``wholesale-queue add`` in Airflow's environment (its state database); the id."""

    def enqueue(order: dict[str, Any]) -> int:
        file = HOME.parent / f"browser-{order['externalId']}.json"
        file.write_text(json.dumps(order), encoding="utf-8")
        added = subprocess.run([str(QUEUE_CLI), "add", str(file)], env=env, check=True, capture_output=True, text=True)
        found = re.search(r"queued order (\d+):", added.stdout)
        if found is None:
            raise RuntimeError(f"wholesale-queue add queued nothing: {added.stdout} {added.stderr}")
        return int(found[1])

    return enqueue


def with_local_airflow(chromium: str, out: Path) -> int:
    """``make airflow``'s stack, fresh, for the length of the check."""
    HOME.parent.mkdir(parents=True, exist_ok=True)  # the logs go beside the home, on a fresh clone too
    with simulator(free_port(), "--provision-delay", "2", log_path=HOME.parent / "browser-sim.log") as sim_url:
        env = standalone_env(HOME, sim_url, free_port(), fresh=True)
        airflow(env, "db", "migrate")
        airflow(env, "pools", "set", "webex_wholesale_api", "4", "Webex Wholesale API concurrency")
        subprocess.run([str(QUEUE_CLI), "db", "upgrade"], env=env, check=True, capture_output=True)
        print("starting Airflow (about 30 s) …", flush=True)
        with standalone(env, HOME.parent / "browser-standalone.log") as local:
            return drive(chromium, local.base_url, local.password, out, queue_with_the_cli(env))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running Airflow's UI (default: start one)")
    parser.add_argument("--password", default=os.environ.get("AIRFLOW_PASSWORD"), help="the admin's password")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots", help="where screenshots go")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        required = os.environ.get("WWA_REQUIRE_BROWSER") == "1"
        print(f"browser-check: chromium not installed ({'required: failing' if required else 'skipped'})")
        return 1 if required else 0
    args.out.mkdir(parents=True, exist_ok=True)
    if args.url:
        if not args.password:
            parser.error("--url needs --password (or AIRFLOW_PASSWORD)")
        return drive(chromium, args.url, args.password, args.out)
    return with_local_airflow(chromium, args.out)


if __name__ == "__main__":
    sys.exit(launch(main))
