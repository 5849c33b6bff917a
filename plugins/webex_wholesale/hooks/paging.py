"""Reading every page of a Webex list endpoint.

Webex pages with RFC 5988 ``Link: <url>; rel="next"`` headers, but not every endpoint (nor the local simulator)
sends them, so pagination falls back to ``offset``/``max``. Both ways, and the guard against a server whose links
loop, are kept here apart from the HTTP code that fetches each page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

import requests

from webex_wholesale.exceptions import WebexWholesaleError
from webex_wholesale.hooks.responses import json_or_none

__all__ = ["PAGE_SIZE", "paginate"]

#: Page size asked for on list calls (the documented maximum for subscribers).
PAGE_SIZE = 100


def paginate(
    get: Callable[[str, dict[str, Any] | None], requests.Response],
    path: str,
    params: Mapping[str, Any],
    *,
    items_keys: Sequence[str] = ("items",),
) -> Iterator[dict[str, Any]]:
    """Yield every item of a list endpoint.

    Follows ``Link: <url>; rel="next"`` (RFC 5988) when the server sends it; otherwise advances
    ``offset`` by the number of items received until a page comes back shorter than ``max`` (100).

    :param get: sends ``GET`` to an endpoint (a path, or the absolute URL of a ``Link``) with query parameters
        (``None`` when following a link, whose URL carries them) and returns the 2xx response.
    :param items_keys: the body keys that may hold the page's list, the first present one wins.
    """
    query = {k: v for k, v in params.items() if v is not None}
    query["max"] = PAGE_SIZE
    offset = int(query.get("offset", 0) or 0)
    endpoint: str = path
    page_params: dict[str, Any] | None = query
    seen: set[str] = set()
    while True:
        response = get(endpoint, page_params)
        body = json_or_none(response)
        items: list[Any] = []
        if isinstance(body, dict):
            for key in items_keys:
                if isinstance(body.get(key), list):
                    items = body[key]
                    break
        yield from items
        next_url = response.links.get("next", {}).get("url")
        if next_url:
            next_url = urljoin(response.url, next_url)
            if next_url in seen:
                raise WebexWholesaleError(f"Pagination loop: {path} links back to a page already read.")
            seen.add(next_url)
            endpoint, page_params = next_url, None
            continue
        if page_params is None or len(items) < PAGE_SIZE:
            return  # followed links and no next one, or a short (last) page
        offset += len(items)
        page_params = {**query, "offset": offset}
