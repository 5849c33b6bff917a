"""``make browser-check``: the Airflow UI in headless Chromium (tests/browser/check.mjs), screenshots in build/.

Without ``--url`` it starts what ``make airflow`` starts (the simulator and ``airflow standalone``, in a throw-away
``.airflow-home/browser``) and stops it afterwards; with ``--url`` and ``--password`` it drives a running Airflow
(``make airflow``, ``make distributed --hold``, the Compose stack). It needs Debian's ``chromium`` and ``node``;
``npm ci`` installs the pinned playwright-core into tests/browser (it downloads no browser). When either is
missing it says so and exits 0, unless ``WWA_REQUIRE_BROWSER=1``, which makes that a failure (CI sets it where
Chromium is installed).

    .venv/bin/python scripts/browser_check.py [--url http://127.0.0.1:8080 --password PW] [--out build/screenshots]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from local_stack import ROOT, airflow, free_port, simulator, standalone, standalone_env

BROWSER_DIR = ROOT / "tests" / "browser"
HOME = ROOT / ".airflow-home" / "browser"
CHROMIUM = "/usr/bin/chromium"


def missing_tools() -> list[str]:
    return [
        tool for tool, found in (("chromium", Path(CHROMIUM).exists()), ("node", shutil.which("node"))) if not found
    ]


def install_playwright_core() -> None:
    """``npm ci`` from the committed lock, once: playwright-core only (it ships no browser)."""
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BROWSER_DIR, check=True)


def drive(url: str, password: str, out: Path) -> int:
    env = {
        **os.environ,
        "AIRFLOW_URL": url,
        "AIRFLOW_PASSWORD": password,
        "SCREENSHOT_DIR": str(out),
        "RUN_ID": f"browser-check-{int(time.time())}",
        "CHROMIUM": CHROMIUM,
    }
    return subprocess.run(["node", str(BROWSER_DIR / "check.mjs")], env=env, check=False).returncode


def with_local_airflow(out: Path) -> int:
    """``make airflow``'s stack, fresh, for the length of the check."""
    with simulator(free_port(), "--provision-delay", "2", log_path=HOME.parent / "browser-sim.log") as sim_url:
        env = standalone_env(HOME, sim_url, free_port(), fresh=True)
        airflow(env, "db", "migrate")
        airflow(env, "pools", "set", "webex_wholesale_api", "4", "Webex Wholesale API concurrency")
        if (queue := Path(sys.executable).parent / "wholesale-queue").exists():
            subprocess.run([str(queue), "db", "upgrade"], env=env, check=True, capture_output=True)
        print("starting Airflow (about 30 s) …", flush=True)
        with standalone(env, HOME.parent / "browser-standalone.log") as local:
            return drive(local.base_url, local.password, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running Airflow's UI (default: start one)")
    parser.add_argument("--password", default=os.environ.get("AIRFLOW_PASSWORD"), help="the admin's password")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots", help="where screenshots go")
    args = parser.parse_args()
    if missing := missing_tools():
        required = os.environ.get("WWA_REQUIRE_BROWSER") == "1"
        print(
            f"browser-check: {' and '.join(missing)} not installed ({'required: failing' if required else 'skipped'})"
        )
        return 1 if required else 0
    install_playwright_core()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.url:
        if not args.password:
            parser.error("--url needs --password (or AIRFLOW_PASSWORD)")
        return drive(args.url, args.password, args.out)
    return with_local_airflow(args.out)


if __name__ == "__main__":
    sys.exit(main())
