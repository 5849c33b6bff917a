"""Just enough of the Chrome DevTools Protocol to load a page in headless Chromium and measure its layout."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from local_stack import stop_process_group  # the scripts' folder is not a package


class Chromium:
    """One headless Chromium tab, driven over the DevTools websocket.

    :param pid: the main process, leader of Chromium's own process group.
    :param profile: its fresh profile directory, removed when the browser stops.
    """

    def __init__(self, websocket, *, pid: int, profile: Path) -> None:
        self._ws = websocket
        self._ids = itertools.count(1)
        self.pid = pid
        self.profile = profile

    def call(self, method: str, **params: Any) -> dict:
        """Send one command and wait for its answer (events in between are dropped)."""
        call_id = next(self._ids)
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=60))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_for(self, event: str) -> None:
        while json.loads(self._ws.recv(timeout=60)).get("method") != event:
            pass

    def open(self, url: str) -> None:
        """Navigate and wait for the page's load event."""
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"]["value"]


@contextmanager
def headless_chromium(executable: str, width: int, height: int = 1000) -> Iterator[Chromium]:
    """Chromium with a fresh profile and a ``width`` x ``height`` viewport; stopped with its helpers afterwards.

    Chromium runs in a process group of its own, stopped as a whole before the profile is removed: its renderer
    and utility processes outlive the main one for a moment and still write into the profile (once that made
    removing it fail with "Directory not empty").
    """
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"],
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            port = next(m.group(1) for line in process.stderr if (m := re.search(r"ws://[^:]+:(\d+)/", line)))
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
                target = next(t for t in json.load(answer) if t["type"] == "page")
            with connect(target["webSocketDebuggerUrl"], max_size=None) as websocket:
                browser = Chromium(websocket, pid=process.pid, profile=Path(profile))
                browser.call("Page.enable")
                browser.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                             deviceScaleFactor=1, mobile=False)  # fmt: skip
                yield browser
        finally:
            stop_process_group(process)
