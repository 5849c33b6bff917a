"""``make airflow``: the simulator plus a local Airflow (UI, scheduler, triggerer, dag-processor) on 127.0.0.1.

Trigger ``webex_wholesale_onboarding`` from the form at http://127.0.0.1:8080 (login: admin, password printed
below); Ctrl-C stops everything. Airflow's state is kept in ``.airflow-home/ui`` between starts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from local_stack import ROOT, SIM_TOKEN, airflow, launch, simulator, standalone, standalone_env

HOME = ROOT / ".airflow-home" / "ui"
POOL_SLOTS = "4"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI/API port (default 8080)")
    parser.add_argument("--sim-port", type=int, default=8123, help="simulator port (default 8123)")
    parser.add_argument("--home", type=Path, default=HOME, help=f"AIRFLOW_HOME, kept between starts (default {HOME})")
    args = parser.parse_args()
    home = args.home
    home.mkdir(parents=True, exist_ok=True)
    with simulator(args.sim_port, "--provision-delay", "5", "--state-file", str(home / "sim-state.json")) as url:
        env = standalone_env(home, url, args.port, fresh=False)
        print(f"simulator:  {url}/v1 (token {SIM_TOKEN!r}; introspection {url}/_sim/state)")
        airflow(env, "db", "migrate")
        airflow(env, "pools", "set", "webex_wholesale_api", POOL_SLOTS, "Webex Wholesale API concurrency")
        print("starting Airflow (about 20 s) …")
        with standalone(env, home / "standalone.log") as local:
            print(f"airflow UI: {local.base_url}  (user admin, password {local.password})")
            print(f"logs:       {home / 'standalone.log'}")
            print("Ctrl-C stops Airflow and the simulator.")
            while local.process.poll() is None:
                time.sleep(1)
            print(f"airflow standalone exited with code {local.process.returncode}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(launch(main))
