"""The peak resident memory of each process of a tree (``airflow standalone``'s), sampled while a block runs.

Under the scheduler a run spreads over many processes: the scheduler and its LocalExecutor workers (each the
supervisor of the task it runs), one task process forked per task, the dag-processor, the api-server and the
triggerer. The target (issue 20: under 1 GiB) is per process, so the figure is the largest peak of any of them, and
which process it was. The kernel keeps each process's peak (``VmHWM``); reading it every 0.5 s misses only a
process that lives less than that, and what one adds in its last half second before it exits.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import psutil
from bench_orders_api import peak_mb
from local_stack import running_every

#: Issue 20's target for one process, 1 GiB (1024**3 bytes), in the MB (MiB) that ``peak_mb`` reads.
MAX_PEAK_MB = 1024
#: A task instance's id: Airflow titles a task's processes with it (``airflow worker -- <id>`` for the task,
#: ``airflow worker -- LocalExecutor: <id>`` for its supervisor), never with the task's name.
TI_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


@dataclass(frozen=True)
class Peak:
    pid: int
    mb: float
    #: The process's command line when its peak was read (a LocalExecutor worker retitles itself per task).
    command: str


def keep_highest(peaks: dict[int, Peak], readings: Iterable[tuple[int, float]], command: Callable[[int], str]) -> None:
    """Fold ``(pid, MB)`` readings into ``peaks``, the highest per pid; a process that has exited keeps its last.

    ``command`` is asked only for a new high, so an unchanged process costs one read of its status a sample.
    """
    for pid, mb in readings:
        if pid not in peaks or mb > peaks[pid].mb:
            peaks[pid] = Peak(pid, mb, command(pid))


def highest(peaks: Iterable[Peak]) -> Peak | None:
    return max(peaks, key=lambda peak: peak.mb, default=None)


def with_task_names(peak: Peak, names: Mapping[str, str]) -> Peak:
    """``peak`` with the task instance id in its command line replaced by the task's name, where ``names`` has it."""
    return replace(peak, command=TI_ID.sub(lambda match: names.get(match[0], match[0]), peak.command))


def peak_line(peak: Peak | None, limit_mb: float | None) -> str:
    """What a report prints: ``peak RSS 612 MB (pid 1234: airflow worker -- provision_subscribers[0])``, and the
    target when there is one."""
    line = f"peak RSS {peak.mb:.0f} MB (pid {peak.pid}: {peak.command})" if peak else "peak RSS: nothing sampled"
    return f"{line}, target < {limit_mb:g} MB" if limit_mb else line


def short_command(argv: list[str], width: int = 100) -> str:
    """The command line with every path cut to its file name (``python airflow scheduler``) and its runs of blanks
    to one (setproctitle pads a title with spaces), at most ``width``."""
    text = " ".join(Path(word).name if word.startswith("/") else word for word in " ".join(argv).split())
    return text if len(text) <= width else f"{text[: width - 3]}..."


def vm_hwm_mb(pid: int) -> float | None:
    """The process's peak RSS in MB, or None when it is gone (or a zombie, which has no ``VmHWM`` left)."""
    with contextlib.suppress(OSError, StopIteration):
        return peak_mb(pid)
    return None


def reset_peak(pid: int) -> None:
    """Start the process's ``VmHWM`` again from its current RSS (``clear_refs`` 5): the scheduler, its workers and
    the api-server live through every scenario, and would otherwise bring an earlier one's peak into this one's."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


@dataclass
class PeakSampler:
    """Every ``interval`` seconds, the peak of ``root`` and each of its descendants since the block began."""

    root: int
    interval: float = 0.5
    peaks: dict[int, Peak] = field(default_factory=dict)

    def tree(self) -> dict[int, psutil.Process]:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(self.root)
            return {proc.pid: proc for proc in (root, *root.children(recursive=True))}
        return {}

    def sample(self) -> None:
        tree = self.tree()

        def command(pid: int) -> str:
            with contextlib.suppress(psutil.Error):
                return short_command(tree[pid].cmdline())
            return "(exited)"

        keep_highest(self.peaks, ((pid, mb) for pid in tree if (mb := vm_hwm_mb(pid)) is not None), command)

    @contextlib.contextmanager
    def running(self) -> Iterator[PeakSampler]:
        for pid in self.tree():
            reset_peak(pid)
        self.sample()
        try:
            with running_every(self.interval, self.sample, "peak-memory-sampler"):
                yield self
        finally:
            self.sample()

    def highest(self) -> Peak | None:
        return highest(self.peaks.values())
