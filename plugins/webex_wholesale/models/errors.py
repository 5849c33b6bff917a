"""How an invalid order is reported: every problem, each with the camelCase path an operator can act on.

pydantic reports an error at the location of the validator that raised it. A rule that spans fields (a US
address without a state, a duplicate email in ``subscribers``) is raised by a validator on the enclosing model
or list, so it carries the paths of the offending fields, relative to that validator, in its context
(``rule_error``). ``OrderValidationError.from_pydantic`` joins the two into one precise path per problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

RULE_ERROR_TYPE = "order_rule"
ROOT_PATH = "<order>"

# pydantic's wording for the two commonest mistakes is terse; these read better in a trigger-form error.
_FRIENDLY_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (not part of the onboarding order format)",
}


def format_path(loc: Loc) -> str:
    """Render a pydantic location as ``subscribers[2].provisioningParameters.extension``.

    The ``[key]`` marker pydantic adds for an invalid dict key is dropped: the key itself is already the last
    segment, which is what the operator has to fix.
    """
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":
            path += f".{part}" if path else part
    return path or ROOT_PATH


def rule_error(problems: Sequence[Problem]) -> PydanticCustomError:
    """Build the error a cross-field validator raises; ``problems`` hold paths relative to that validator."""
    summary = "; ".join(f"{format_path(loc)}: {reason}" if loc else reason for loc, reason in problems)
    return PydanticCustomError(RULE_ERROR_TYPE, "{summary}", {"summary": summary, "problems": list(problems)})


class OrderValidationError(ValueError):
    """An onboarding order that must not reach the API, with every (field path, reason) found.

    ``args`` holds the problems themselves, so the exception survives pickling (Airflow may ship it between
    processes) and is still useful when logged with ``repr``.
    """

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems: list[tuple[str, str]] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        header = f"invalid onboarding order ({count} problem{'' if count == 1 else 's'}):"
        return "\n".join([header, *(f"  - {path}: {reason}" for path, reason in self.problems)])

    @classmethod
    def from_pydantic(cls, error: ValidationError) -> OrderValidationError:
        """Flatten pydantic's errors, expanding each cross-field rule error into its precise paths."""
        problems: list[tuple[str, str]] = []
        for detail in error.errors(include_url=False):
            loc = tuple(detail["loc"])
            if detail["type"] == RULE_ERROR_TYPE:
                problems.extend((format_path(loc + sub_loc), reason) for sub_loc, reason in detail["ctx"]["problems"])
            else:
                problems.append((format_path(loc), _FRIENDLY_MESSAGES.get(detail["type"], detail["msg"])))
        return cls(problems)
