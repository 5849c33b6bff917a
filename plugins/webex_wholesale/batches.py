"""How many users one mapped task handles, and how a list is cut into batches of that size.

One mapped task instance per user would cost Airflow about 0.2 s of scheduling each and break at
``max_map_length`` (1024), so users (to onboard, or to change) are grouped. A leaf module (no imports of the
package) on the lowest floor, so the onboarding's fan-out and a change plan cut their lists the same way, and a DAG
file that imports it imports no model.
"""

from __future__ import annotations

import math

#: Users per batch: big enough that 10,000 subscribers make 40 mapped tasks, small enough that a retried batch
#: re-lists little.
BATCH_SIZE = 250


def batch_slices(total: int, batch_size: int = BATCH_SIZE) -> list[slice]:
    """Slices that split ``total`` items into batches of at most ``batch_size``, their sizes as even as can be."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if total == 0:
        return []
    size = math.ceil(total / math.ceil(total / batch_size))
    return [slice(start, min(start + size, total)) for start in range(0, total, size)]
