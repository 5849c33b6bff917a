"""Split the non-admin subscribers into batches for the mapped fan-out.

One mapped task instance per subscriber would cost Airflow about 0.2 s of scheduling each and break at
``max_map_length`` (1024), so subscribers are grouped, ``batch_size`` to a batch. A batch carries no share of the
API budget: every batch takes from the connection's one shared budget (``webex_wholesale.budget``) and
sizes its requests in flight from it. How many batches run at once is the ``webex_wholesale_api`` pool's slots,
the one setting for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: Subscribers per batch: big enough that 10,000 subscribers make 40 mapped tasks, small enough that a retried
#: batch re-lists little.
BATCH_SIZE = 250


def plan_batches(
    subscribers: Sequence[dict[str, Any]], *, batch_size: int = BATCH_SIZE, first_number: int = 2
) -> list[dict[str, Any]]:
    """Return one ``expand_kwargs`` entry per batch: ``subscribers`` and ``batch_label``, sizes as even as can be.

    ``first_number`` is the 1-based position of the first subscriber in the order (the admin is number 1),
    so labels such as ``subscribers 2-251 of 1000`` match what the ops team sees in the order.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    total = len(subscribers)
    if total == 0:
        return []
    size = math.ceil(total / math.ceil(total / batch_size))
    last_number = first_number + total - 1
    batches = []
    for start in range(0, total, size):
        chunk = list(subscribers[start : start + size])
        low = first_number + start
        high = low + len(chunk) - 1
        batches.append({"subscribers": chunk, "batch_label": f"subscribers {low}-{high} of {last_number}"})
    return batches
