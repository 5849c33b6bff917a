"""The wholesale-sim console script: start line, one-line errors for bad flags, a port in use, a bad file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

BIN = Path(sys.executable).parent / "wholesale-sim"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=30, check=False)


def test_bad_flag_is_one_line_and_exit_code_2():
    result = run("--no-such-flag")

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("wholesale-sim: error: unrecognized arguments: --no-such-flag")


def test_bad_value_is_one_line_and_exit_code_2():
    result = run("--fault-rate", "1.5")

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--fault-rate" in result.stderr


def test_port_in_use_is_one_line_and_exit_code_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run("--port", str(port))

    assert result.returncode == 1
    assert result.stderr == f"wholesale-sim: cannot listen on 127.0.0.1:{port}: address already in use\n"


def test_unusable_templates_file_is_one_line_and_exit_code_1(tmp_path):
    bad = tmp_path / "templates.json"
    bad.write_text('{"templates": [{"name": "no id"}]}')

    result = run("--templates", str(bad))

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "provisioningId" in result.stderr
    assert str(bad) in result.stderr


def test_help_documents_the_traffic_flags():
    result = run("--help")

    flags = ("--rate-limit", "--rate-window", "--latency-ms", "--fault-rate", "--slow-rate", "--slow-ms", "--seed")
    for flag in (*flags, "--state-file"):
        assert flag in result.stdout


def test_starts_prints_one_line_without_the_full_token_and_serves():
    proc = subprocess.Popen(
        [sys.executable, "-m", "wholesale_sim", "--port", "0", "--token", "secret-token-123"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.split(" ")[3]
        deadline = time.monotonic() + 10
        while True:
            try:
                response = requests.get(
                    f"{url}/wholesale/customers", headers={"Authorization": "Bearer secret-token-123"}, timeout=2
                )
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGINT)
        proc.wait(timeout=10)

    assert line.startswith("wholesale-sim listening on http://127.0.0.1:")
    assert line.endswith("/v1 (token: secr…)\n")
    assert "secret-token-123" not in line
    assert response.status_code == 200
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr.read()
