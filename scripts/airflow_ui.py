"""``make airflow``: the simulator plus a local Airflow (UI, scheduler, triggerer, dag-processor) on 127.0.0.1.

Trigger ``webex_wholesale_onboarding`` from the form at http://127.0.0.1:8080 (login: admin, password printed
below); Ctrl-C stops everything. Airflow's state is kept in ``.airflow-home/ui`` between starts.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time

import requests
from local_stack import BIN, ROOT, airflow, airflow_env, simulator, stop_process_group

HOME = ROOT / ".airflow-home" / "ui"
POOL_SLOTS = "4"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI/API port (default 8080)")
    parser.add_argument("--sim-port", type=int, default=8123, help="simulator port (default 8123)")
    args = parser.parse_args()

    with simulator(args.sim_port, "--provision-delay", "5", "--state-file", str(HOME / "sim-state.json")) as url:
        env = airflow_env(
            HOME,
            url,
            fresh=False,
            AIRFLOW__API__HOST="127.0.0.1",
            AIRFLOW__API__PORT=str(args.port),
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{args.port}/execution/",
            AIRFLOW__CORE__PARALLELISM="8",
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="30",
        )
        print(f"simulator:  {url}/v1 (token {'sim-token'!r}; introspection {url}/_sim/state)")
        airflow(env, "db", "migrate")
        airflow(env, "pools", "set", "webex_wholesale_api", POOL_SLOTS, "Webex Wholesale API concurrency")
        log_path = HOME / "standalone.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [str(BIN / "airflow"), "standalone"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        try:
            _wait_for_health(args.port, proc)
            password = json.loads((HOME / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
            print(f"airflow UI: http://127.0.0.1:{args.port}  (user admin, password {password})")
            print(f"logs:       {log_path}")
            print("Ctrl-C stops Airflow and the simulator.")
            while proc.poll() is None:
                time.sleep(1)
            print(f"airflow standalone exited with code {proc.returncode}; see {log_path}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nstopping Airflow and the simulator…")
            return 0
        finally:
            stop_process_group(proc)


def _wait_for_health(port: int, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("airflow standalone exited while starting")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"Airflow did not become healthy within {timeout:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
