"""What validation changed in an order: the values sent differently from how they were written.

The checks normalize some values to the spelling Webex expects (``us`` to ``US``, ``(240) 555-1212`` to
``+12405551212``), never their meaning; the operator still has to see each change, so the onboarding report and
the queue's import list them. They are found by comparing what was given with the validated order, field by field,
so every normalizing rule is listed without reporting itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from webex_wholesale.models.errors import Loc, format_path
from webex_wholesale.models.order import OnboardingOrder


class Normalized(TypedDict):
    """One value sent differently from how the order wrote it (JSON-safe, for XCom and the report)."""

    field: str
    given: str
    sent: str


def normalized_values(given: Mapping[str, Any], order: OnboardingOrder) -> list[Normalized]:
    """Every text value of ``given`` (the order as written, camelCase) that ``order`` (its validation) changed.

    Surrounding whitespace is not a change worth reporting; snake_case keys, which the models accept too, are not
    compared.
    """
    found: list[Normalized] = []

    def compare(before: Any, after: Any, loc: Loc) -> None:
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            for key in before:  # in the order's own order, so the list reads like the order
                if key in after:
                    compare(before[key], after[key], (*loc, key))
        elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
            for index, (item_before, item_after) in enumerate(zip(before, after, strict=True)):
                compare(item_before, item_after, (*loc, index))
        elif isinstance(before, str) and isinstance(after, str) and before.strip() != after:
            found.append({"field": format_path(loc), "given": before, "sent": after})

    compare(given, order.to_conf(), ())
    return found
