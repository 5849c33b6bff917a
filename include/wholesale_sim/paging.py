"""``offset``/``max`` paging with an RFC 5988 ``Link: <...>; rel="next"`` header when more items exist.

Webex documents ``Link`` paging in general and ``offset``/``max`` for the wholesale lists; the simulator
offers both (notes §9). Subscribers: default 50, at most 100 (spec). Customers and sub-partners: default 100,
at most 1000 (a simulator choice; the spec documents no bounds for them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from wholesale_sim.errors import bad_request

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    offset: int
    max: int


def page_of(request: Request, *, default_max: int, max_max: int) -> Page:
    """Read ``offset`` and ``max``; anything not a whole number in range is a 400 naming the bounds."""
    offset = _whole(request, "offset", 0)
    size = _whole(request, "max", default_max)
    if offset < 0:
        raise bad_request(f"offset must be 0 or more, got {offset}.")
    if not 1 <= size <= max_max:
        raise bad_request(f"max must be between 1 and {max_max}, got {size}.")
    return Page(offset, size)


def paged_response(
    request: Request, records: Sequence[T], page: Page, render: Callable[[T], dict[str, Any]]
) -> JSONResponse:
    """``{"items": [...]}`` for one page, rendering only the records on it."""
    items = [render(r) for r in records[page.offset : page.offset + page.max]]
    headers = {}
    if page.offset + page.max < len(records):
        next_url = request.url.include_query_params(offset=page.offset + page.max, max=page.max)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return JSONResponse({"items": items}, headers=headers)


def _whole(request: Request, name: str, default: int) -> int:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise bad_request(f"{name} may be given once, got {len(values)} values.")
    raw = values[0] if values else None
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"{name} must be a whole number, got {raw!r}.") from None
