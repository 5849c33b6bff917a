"""Orders out of an HTTP request, for the orders API and the upload form: the body handed to the queue's loader.

Two shapes, the same as ``wholesale-queue add`` takes as files:

- ``application/json``: one order or a list of orders (the onboarding order format);
- ``multipart/form-data``: a part ``orders`` holding that JSON, or a part ``subscribers`` holding a CSV of
  subscribers (the CLI's CSV format) with a part ``customer`` holding the rest of the order as JSON.

Validation is :mod:`webex_wholesale.queue.loader`'s, run in a worker thread (a 20,000-row CSV takes a while, and the
api-server's event loop serves everyone). The body's size is bounded before this runs
(:mod:`webex_wholesale.ui.body_limit`).
"""

from __future__ import annotations

import io
from dataclasses import replace

from fastapi import HTTPException, Request, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from webex_wholesale.queue.loader import FileProblem, ImportRefused, load_csv, load_json
from webex_wholesale.state.orders import QueuedOrder
from webex_wholesale.ui.body_limit import MAX_BODY_BYTES

__all__ = ["CUSTOMER_PART", "ORDERS_PART", "SUBSCRIBERS_PART", "orders_from_request"]

#: The multipart parts a request may carry: a JSON document of orders, or a CSV of subscribers and its customer.
ORDERS_PART, SUBSCRIBERS_PART, CUSTOMER_PART = "orders", "subscribers", "customer"
#: Where a JSON body's problems are said to be (``body[2]``: the third order of the list).
JSON_BODY = "body"
_UNSUPPORTED = (
    f"send application/json (an order or a list of orders), or multipart/form-data with a part {ORDERS_PART!r} "
    f"(JSON) or the parts {SUBSCRIBERS_PART!r} (CSV) and {CUSTOMER_PART!r} (JSON)"
)


async def _part_text(value: UploadFile | str, name: str) -> str:
    if isinstance(value, str):
        return value
    try:
        return (await value.read()).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused([FileProblem(name, "<file>", f"not UTF-8 text: {error}")]) from None


async def _from_form(request: Request, notes: list[FileProblem]) -> list[QueuedOrder]:
    async with request.form(max_files=3, max_fields=3, max_part_size=MAX_BODY_BYTES) as form:
        texts = {name: await _part_text(value, name) for name, value in form.multi_items()}
    parts = {name: text for name, text in texts.items() if text.strip()}  # a file input left empty sends a part
    if set(parts) == {ORDERS_PART}:
        return await run_in_threadpool(load_json, parts[ORDERS_PART], ORDERS_PART, notes)
    if set(parts) == {SUBSCRIBERS_PART, CUSTOMER_PART}:
        lines = io.StringIO(parts.pop(SUBSCRIBERS_PART), newline="")
        customer = parts[CUSTOMER_PART]
        return await run_in_threadpool(load_csv, lines, SUBSCRIBERS_PART, customer, CUSTOMER_PART, notes)
    raise ImportRefused([FileProblem("<request>", ", ".join(sorted(parts)) or "<no parts>", _UNSUPPORTED)])


async def _load(request: Request, notes: list[FileProblem]) -> list[QueuedOrder]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        return await run_in_threadpool(load_json, await request.body(), JSON_BODY, notes)
    if content_type == "multipart/form-data":
        return await _from_form(request, notes)
    raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, _UNSUPPORTED)


async def orders_from_request(request: Request, via: str, notes: list[FileProblem] | None = None) -> list[QueuedOrder]:
    """The validated orders a request carries; :class:`ImportRefused` with every problem, or 415 for other bodies.

    Each order's source (kept on the order and in its first state change) says it came ``via`` this way, from whom
    (``API, user ops``), and from which part of the request. ``notes``, when given, gets the values the checks
    normalized, as ``wholesale-queue add`` prints them.
    """
    noted: list[FileProblem] = []
    queued = [replace(item, source=f"{via}: {item.source}") for item in await _load(request, noted)]
    if notes is not None:
        notes.extend(noted)
    return queued
