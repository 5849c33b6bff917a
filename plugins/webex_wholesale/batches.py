"""How many users one mapped task handles, and how a list is cut into batches.

One mapped task instance per user would cost Airflow about 0.2 s of scheduling each and break at
``max_map_length`` (1024), so users (to onboard, or to change) are grouped. A leaf module (no imports of the
package) on the lowest floor, so the onboarding's fan-out and a change plan cut their lists the same way, and a DAG
file that imports it imports no model.

How big: every batch is a task to start (seconds of Airflow's time, under load) and lists the customer's
subscribers before it works (a page of 100 per request), so few big batches beat many small ones once the API is
fast: at 200 requests/s, batches of 250 spent more time starting and listing than posting. But fewer batches than
the ``webex_wholesale_api`` pool runs at once leave its slots, and the requests they would keep in flight, idle.
"""

from __future__ import annotations

import math

#: Users per batch at most: 20,000 subscribers (Control Hub's limit per CSV file) make 20 mapped tasks.
BATCH_SIZE = 1000
#: Batches at least, when each has ``MIN_BATCH_SIZE`` users or more, and more in multiples of it: the pool's slots
#: as shipped (docker-compose.yaml, ``make bench``), so that an order of 2,000 runs in one wave of 4 tasks, and a
#: last wave of fewer batches than the pool runs leaves no slot idle (10,000: 12 of 834, not 10).
MIN_BATCHES = 4
MIN_BATCH_SIZE = 100


def batch_slices(total: int, batch_size: int = BATCH_SIZE) -> list[slice]:
    """Slices that split ``total`` items into batches of at most ``batch_size``, their sizes as even as can be,
    and ``MIN_BATCHES`` of them when each gets ``MIN_BATCH_SIZE`` items or more (more in multiples of it)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if total == 0:
        return []
    count = max(math.ceil(total / batch_size), min(MIN_BATCHES, total // MIN_BATCH_SIZE))
    if count > MIN_BATCHES:
        count = math.ceil(count / MIN_BATCHES) * MIN_BATCHES
    size = math.ceil(total / count)
    return [slice(start, min(start + size, total)) for start in range(0, total, size)]
