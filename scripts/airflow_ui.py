"""``make airflow``: the simulator plus a local Airflow (UI, scheduler, triggerer, dag-processor) on 127.0.0.1.

Trigger ``webex_wholesale_onboarding`` from the form at http://127.0.0.1:8080 (login: admin, password printed
below); Ctrl-C stops everything. Airflow's state is kept in ``.airflow-home/ui`` between starts.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from local_stack import ROOT, SIM_TOKEN, airflow, simulator, standalone, standalone_env

HOME = ROOT / ".airflow-home" / "ui"
POOL_SLOTS = "4"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI/API port (default 8080)")
    parser.add_argument("--sim-port", type=int, default=8123, help="simulator port (default 8123)")
    args = parser.parse_args()
    HOME.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _stop_requested)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even if started with SIGINT ignored

    try:
        with simulator(args.sim_port, "--provision-delay", "5", "--state-file", str(HOME / "sim-state.json")) as url:
            env = standalone_env(HOME, url, args.port, fresh=False)
            print(f"simulator:  {url}/v1 (token {SIM_TOKEN!r}; introspection {url}/_sim/state)")
            airflow(env, "db", "migrate")
            airflow(env, "pools", "set", "webex_wholesale_api", POOL_SLOTS, "Webex Wholesale API concurrency")
            print("starting Airflow (about 20 s) …")
            with standalone(env, HOME / "standalone.log") as local:
                print(f"airflow UI: {local.base_url}  (user admin, password {local.password})")
                print(f"logs:       {HOME / 'standalone.log'}")
                print("Ctrl-C stops Airflow and the simulator.")
                while local.process.poll() is None:
                    time.sleep(1)
                print(f"airflow standalone exited with code {local.process.returncode}", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        print("\nstopped Airflow and the simulator.")
        return 0


def _stop_requested(*_: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
