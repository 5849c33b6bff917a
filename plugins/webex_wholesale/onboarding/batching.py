"""Split the non-admin subscribers into batches for the mapped fan-out.

One mapped task instance per subscriber would cost Airflow about 0.2 s of scheduling each and break at
``max_map_length`` (1024), so subscribers are grouped: as many batches as may run at once (the
``webex_wholesale_api`` pool's slots), never fewer subscribers per batch than ``min_batch_size``.
Each batch gets an equal share of the API request budget, so all batches together stay within it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def plan_batches(
    subscribers: Sequence[dict[str, Any]],
    *,
    parallel_batches: int,
    min_batch_size: int = 25,
    requests_per_second: float | None = None,
    first_number: int = 2,
) -> list[dict[str, Any]]:
    """Return one ``expand_kwargs`` entry per batch: ``subscribers``, ``batch_label``, ``requests_per_second``.

    ``first_number`` is the 1-based position of the first subscriber in the order (the admin is number 1),
    so labels such as ``subscribers 2-251 of 1000`` match what the ops team sees in the order.
    """
    if parallel_batches < 1:
        raise ValueError("parallel_batches must be at least 1")
    if min_batch_size < 1:
        raise ValueError("min_batch_size must be at least 1")
    total = len(subscribers)
    if total == 0:
        return []
    count = min(parallel_batches, math.ceil(total / min_batch_size))
    size = math.ceil(total / count)
    share = requests_per_second / count if requests_per_second else None
    last_number = first_number + total - 1
    batches = []
    for start in range(0, total, size):
        chunk = list(subscribers[start : start + size])
        low = first_number + start
        high = low + len(chunk) - 1
        batches.append(
            {
                "subscribers": chunk,
                "batch_label": f"subscribers {low}-{high} of {last_number}",
                "requests_per_second": share,
            }
        )
    return batches
