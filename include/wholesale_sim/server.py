"""Serving an app with uvicorn on a socket bound beforehand (shared by the CLI and ``running_simulator``).

Binding first turns "port in use" into a clear error before uvicorn starts, and lets port 0 pick a free port
whose number is known before the server runs, with no window for another process to take it.
"""

from __future__ import annotations

import socket

import uvicorn
from fastapi import FastAPI


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; raises ``OSError`` (e.g. address already in use)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def make_server(app: FastAPI) -> uvicorn.Server:
    """One quiet uvicorn server: warnings only, no access log (the request log is in ``/_sim/state``)."""
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
