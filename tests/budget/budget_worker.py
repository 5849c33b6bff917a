"""A worker process for the shared-budget tests: one hook, ``threads`` threads, ``count`` API calls.

Creates ``<out>.ready`` once its hook has loaded the connection and opened the budget, starts when the go-file
appears (so that all workers overlap), and writes its budget stats as JSON to ``<out>`` at the end.

    python budget_worker.py <go-file> <count> <threads> <out>
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from webex_wholesale.hooks.wholesale import WebexWholesaleHook


def main() -> None:
    go, count, threads, out = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    hook = WebexWholesaleHook(max_attempts=10)
    hook.budget.state()  # connection loaded, store opened
    out.with_suffix(".ready").touch()
    deadline = time.monotonic() + 300  # never outlive a test that gave up
    while not go.exists():
        if time.monotonic() > deadline:
            sys.exit("no go-file")
        time.sleep(0.01)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda _: hook.list_customers(), range(count)))
    out.write_text(json.dumps(hook.budget.stats.summary()))


if __name__ == "__main__":
    main()
