"""What the hook tells an observer about each API call it finished: the audit trail's raw material.

The hook knows HTTP, not DAG runs; the state layer knows DAG runs, not HTTP. This record is the seam between them:
the hook builds one per call (after its last attempt) and hands it to the ``call_observer`` it was given, if any.
It holds no header, token or body, only what an auditor may read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ApiCallRecord:
    """One finished API call, as an audit record needs it."""

    at: datetime
    method: str
    path: str
    http_status: int | None
    tracking_id: str | None
    duration_ms: int
    attempts: int
    error_codes: tuple[int, ...] = field(default_factory=tuple)
    #: The subscriber the call was about (``POST /wholesale/subscribers``), when there is one.
    subscriber_email: str | None = None

    @property
    def changes_something(self) -> bool:
        """Only calls that may change Webex's state are audited (a GET or a precheck changes nothing)."""
        return self.method in {"POST", "PUT", "PATCH", "DELETE"} and not self.path.endswith("/validate")


CallObserver = Callable[[ApiCallRecord], None]
