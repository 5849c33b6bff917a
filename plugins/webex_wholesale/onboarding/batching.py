"""Split the non-admin subscribers into batches for the mapped fan-out.

One mapped task instance per subscriber would cost Airflow about 0.2 s of scheduling each and break at
``max_map_length`` (1024), so subscribers are grouped, ``batch_size`` to a batch at most. A batch carries no share
of the API budget: every batch takes from the connection's one shared budget (``webex_wholesale.hooks.budget``)
and sizes its requests in flight from it. How many batches run at once is the ``webex_wholesale_api`` pool's
slots, the one setting for it.

How big: every batch is a task to start (seconds of Airflow's time, under load) and lists the customer's
subscribers before it posts (a page of 100 per request), so few big batches beat many small ones once the API
is fast: at 200 requests/s, batches of 250 spent more time starting and listing than posting. But fewer batches
than the pool runs at once leave its slots, and the requests they would keep in flight, idle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: Subscribers per batch at most: 20,000 subscribers (Control Hub's limit per CSV file) make 20 mapped tasks.
BATCH_SIZE = 1000
#: Batches at least, when each has ``MIN_BATCH_SIZE`` subscribers or more, and more in multiples of it: the
#: pool's slots as shipped (docker-compose.yaml, ``make bench``), so that an order of 2,000 runs in one wave of 4
#: tasks, and a last wave of fewer batches than the pool runs leaves no slot idle (10,000: 12 of 834, not 10).
MIN_BATCHES = 4
MIN_BATCH_SIZE = 100


def plan_batches(
    subscribers: Sequence[dict[str, Any]], *, batch_size: int = BATCH_SIZE, first_number: int = 2
) -> list[dict[str, Any]]:
    """Return one ``expand_kwargs`` entry per batch: ``subscribers`` and ``batch_label``, sizes as even as can be,
    at most ``batch_size``, and ``MIN_BATCHES`` of them when each gets ``MIN_BATCH_SIZE`` subscribers or more
    (more in multiples of it).

    ``first_number`` is the 1-based position of the first subscriber in the order (the admin is number 1),
    so labels such as ``subscribers 2-251 of 1000`` match what the ops team sees in the order.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    total = len(subscribers)
    if total == 0:
        return []
    count = max(math.ceil(total / batch_size), min(MIN_BATCHES, total // MIN_BATCH_SIZE))
    if count > MIN_BATCHES:
        count = math.ceil(count / MIN_BATCHES) * MIN_BATCHES
    size = math.ceil(total / count)
    last_number = first_number + total - 1
    batches = []
    for start in range(0, total, size):
        chunk = list(subscribers[start : start + size])
        low = first_number + start
        high = low + len(chunk) - 1
        batches.append({"subscribers": chunk, "batch_label": f"subscribers {low}-{high} of {last_number}"})
    return batches
