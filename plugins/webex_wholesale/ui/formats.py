"""How the pages write a time: one format everywhere, UTC and saying so (``2026-12-01 09:00:05 UTC``).

Times reach the pages as timezone-aware datetimes (the state database) or as ISO 8601 text (a report's JSON);
both are written the same way, so no page mixes two formats.
"""

from __future__ import annotations

from datetime import UTC, datetime

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


def timestamp(value: datetime | str | None) -> str:
    """``value`` in UTC as :data:`TIMESTAMP_FORMAT`; ``""`` for ``None``; text that is no time is returned as is."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the pages show timezone-aware times only")
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)
