"""Keeping the state in a JSON file across restarts (``--state-file``), without slowing the API down.

Handlers only bump ``SimState.version``; a saver task writes the whole state at most every
``SAVE_INTERVAL`` seconds when the version moved, and once more at shutdown. So 5,000 provisions cost a
handful of writes, not 5,000 (each write is atomic: a temporary file renamed over the old one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from wholesale_sim.state import SimState

SAVE_INTERVAL = 0.5


class StateFileError(ValueError):
    """A state file that exists but cannot be read back; the message names the file."""


def load_state(path: Path | str | None) -> SimState:
    """The saved state, or an empty one when there is no file (yet)."""
    if path is None or not Path(path).exists():
        return SimState()
    try:
        return SimState.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise StateFileError(f"cannot load state file {path}: {e}") from e


def save_state(state: SimState, path: Path | str) -> None:
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(state.to_json()), encoding="utf-8")
    os.replace(tmp, target)


class Saver:
    """Writes the state returned by ``current`` to ``path`` whenever it changed, from an asyncio task."""

    def __init__(self, current: Callable[[], SimState], path: Path | str) -> None:
        self._current = current
        self._path = path
        self._saved: tuple[int, int] | None = None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Cancel the periodic task and write one last time (shutdown must not lose the last changes)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.save_if_changed()

    def save_if_changed(self) -> None:
        state = self._current()
        stamp = (id(state), state.version)  # a reset swaps in a new state object
        if stamp != self._saved:
            save_state(state, self._path)
            self._saved = stamp

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(SAVE_INTERVAL)
            self.save_if_changed()
