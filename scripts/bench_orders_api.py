"""How long the orders API takes to validate and queue a 20,000-row CSV, and how much memory the server needs.

A server process serves the plugin app (pages and orders API, with Airflow's simple auth manager) under uvicorn on
127.0.0.1, over a throw-away Airflow home and SQLite state database; this process posts to it over HTTP, as a
sales system would: the CSV with its customer (queued, 201), then the same CSV with one bad row at its end
(refused whole, 422). The server's peak resident memory is read from ``/proc/<pid>/status`` (``VmHWM``) before
the first post (Airflow and the app imported) and after the last. Targets: under 30 s and under 500 MB.

    .venv/bin/python scripts/bench_orders_api.py [--rows 20000]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from local_stack import ROOT, free_port, stop_process_group

CUSTOMER = ROOT / "include" / "orders" / "example-customer.json"
API = "/wholesale/api/v1"
TARGET_SECONDS, TARGET_MB = 30, 500
#: How the server's output line with the token starts (the simple auth manager prints its passwords there too).
TOKEN_LINE = "bench-token:"


def serve(port: int) -> None:
    """The server side: migrate, print a writer's token, serve until stopped."""
    import uvicorn
    from airflow.api_fastapi.app import init_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from airflow.utils import db
    from fastapi import FastAPI

    from webex_wholesale.state import migrate
    from webex_wholesale.state.engine import get_engine
    from webex_wholesale.ui import URL_PREFIX
    from webex_wholesale.ui.app import create_app

    db.initdb()
    migrate.upgrade(get_engine())
    token = init_auth_manager().generate_jwt(SimpleAuthManagerUser(username="bench", role="user"))
    print(TOKEN_LINE, token, flush=True)
    parent = FastAPI()
    parent.mount(URL_PREFIX, create_app())
    uvicorn.run(parent, host="127.0.0.1", port=port, log_level="warning")


def subscribers_csv(rows: int, bad_last: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["email", "package", "firstName", "lastName", "extension", "primaryPhoneNumber", "locationId"])
    writer.writerow(["office@bayside-vet.example.com", "webex_suite", "Jordan", "Office", "2001", "", ""])
    for n in range(1, rows):
        email = "no-at-sign" if bad_last and n == rows - 1 else f"user{n}@bayside-vet.example.com"
        phone = f"+1831555{n % 10_000:04d}"  # every row with a number: the costliest check of a calling user
        writer.writerow([email, "webex_calling", "User", f"Number{n}", str(10000 + n), phone, ""])
    return buffer.getvalue()


def peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def post(url: str, token: str, csv_text: str, external_id: str) -> tuple[int, float]:
    customer = {**json.loads(CUSTOMER.read_text()), "externalId": external_id}
    files = {"subscribers": ("s.csv", csv_text, "text/csv"), "customer": ("c.json", json.dumps(customer))}
    start = time.perf_counter()
    response = requests.post(url, files=files, headers={"Authorization": f"Bearer {token}"}, timeout=300)
    return response.status_code, time.perf_counter() - start


def wait_until_up(url: str, token: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).ok:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the orders API did not answer at {url} within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="wwa-bench-api-") as home:
        env = {
            **os.environ,
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW_CONN_WHOLESALE_DB": f"sqlite:///{home}/wholesale.db",
        }
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port)], env=env, stdout=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            token = next(line for line in server.stdout if line.startswith(TOKEN_LINE)).split()[1]
            url = f"http://127.0.0.1:{port}{API}/orders"
            wait_until_up(url, token)
            baseline = peak_mb(server.pid)
            queued, queued_s = post(url, token, subscribers_csv(args.rows), "bench-api-0001")
            refused, refused_s = post(url, token, subscribers_csv(args.rows, bad_last=True), "bench-api-0002")
            peak = peak_mb(server.pid)
        finally:
            stop_process_group(server)
    print(f"orders API, {args.rows:,}-row CSV over HTTP (targets: < {TARGET_SECONDS} s, < {TARGET_MB} MB):")
    print(f"  queued:  HTTP {queued} in {queued_s:5.1f} s")
    print(f"  refused: HTTP {refused} in {refused_s:5.1f} s (one bad row, the last)")
    print(f"  server peak memory: {peak:.0f} MB ({baseline:.0f} MB before the first post)")
    ok = (queued, refused) == (201, 422) and max(queued_s, refused_s) < TARGET_SECONDS and peak < TARGET_MB
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
