"""Split the non-admin subscribers into batches for the mapped fan-out (``BATCH_SIZE`` to a batch, see
:mod:`webex_wholesale.batches`).

A batch carries no share of the API budget: every batch takes from the connection's one shared budget
(``webex_wholesale.budget``) and sizes its requests in flight from it. How many batches run at once is the
``webex_wholesale_api`` pool's slots, the one setting for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webex_wholesale.batches import BATCH_SIZE, batch_slices


def plan_batches(
    subscribers: Sequence[dict[str, Any]], *, batch_size: int = BATCH_SIZE, first_number: int = 2
) -> list[dict[str, Any]]:
    """Return one ``expand_kwargs`` entry per batch: ``subscribers`` and ``batch_label``, sizes as even as can be.

    ``first_number`` is the 1-based position of the first subscriber in the order (the admin is number 1),
    so labels such as ``subscribers 2-251 of 1000`` match what the ops team sees in the order.
    """
    last_number = first_number + len(subscribers) - 1
    return [
        {
            "subscribers": list(subscribers[part]),
            "batch_label": f"subscribers {first_number + part.start}-{first_number + part.stop - 1} of {last_number}",
        }
        for part in batch_slices(len(subscribers), batch_size)
    ]
