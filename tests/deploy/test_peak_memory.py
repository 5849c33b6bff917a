"""How ``make bench`` turns memory samples into its per-process peak (scripts/peak_memory.py), on made-up samples."""

from __future__ import annotations

from peak_memory import Peak, highest, keep_highest, peak_line, short_command, with_task_names

TI = "01a24a06-33a7-7ca0-9255-b09c3554e37d"


def test_each_process_keeps_its_highest_reading_even_after_it_exited():
    peaks: dict[int, Peak] = {}
    asked: list[int] = []

    def command(pid: int) -> str:
        asked.append(pid)
        return f"airflow worker -- {TI}" if pid == 7 else "airflow scheduler"

    keep_highest(peaks, [(7, 300.0), (9, 120.0)], command)
    keep_highest(peaks, [(7, 280.0), (9, 140.0)], command)  # 7 fell back: its peak stays
    keep_highest(peaks, [(9, 130.0)], command)  # 7 exited: it keeps its last peak

    assert {pid: peak.mb for pid, peak in peaks.items()} == {7: 300.0, 9: 140.0}
    assert asked == [7, 9, 9]  # the command line is read for a new high only
    assert highest(peaks.values()) == Peak(7, 300.0, f"airflow worker -- {TI}")
    assert highest([]) is None


def test_the_report_names_the_task_and_the_target():
    peak = with_task_names(Peak(7, 612.4, f"airflow worker -- {TI}"), {TI: "provision_subscribers[3]"})

    assert (
        peak_line(peak, 1024) == "peak RSS 612 MB (pid 7: airflow worker -- provision_subscribers[3]), target < 1024 MB"
    )
    assert peak_line(None, None) == "peak RSS: nothing sampled"
    assert short_command(["/work/.venv/bin/python", "/work/.venv/bin/airflow", "api_server   ", "--", "x"]) == (
        "python airflow api_server -- x"
    )
