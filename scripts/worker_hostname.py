"""``[core] hostname_callable`` for ``make distributed``: the name of the Celery worker a task ran on.

Both workers run on this one machine, so the default (the machine's FQDN) would give every task instance the same
hostname and hide which worker ran what. scripts/distributed.py sets ``WWA_WORKER_NAME`` for each worker.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    return os.environ.get("WWA_WORKER_NAME") or socket.getfqdn()
