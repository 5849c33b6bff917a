"""A ceiling on request bodies, enforced while they arrive: 413 before a too-large body is read whole.

The orders API and the upload form take files of up to 20,000 subscribers (a few MB); without a ceiling, one
request could make the api-server hold any amount of memory. The check sits on ``receive``, the ASGI channel the
body comes through, so it holds however the route reads the body (JSON, multipart, streamed): a declared
``Content-Length`` over the ceiling is refused at the first read, and a body sent without one (chunked) is
refused as soon as the bytes received pass it. The refusal is an ``HTTPException``, so each app renders it as it
renders its other errors (JSON for the API, a page for the pages).
"""

from __future__ import annotations

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_BODY_BYTES", "BodySizeLimit"]

#: The documented ceiling (docs/orders-api.md): 16 MiB, room for a 20,000-row CSV or JSON order several times over.
MAX_BODY_BYTES = 16 * 1024 * 1024


def _too_large(max_bytes: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"request body over the limit of {max_bytes} bytes ({max_bytes // (1024 * 1024)} MiB): split the orders",
    )


class BodySizeLimit:
    """ASGI middleware: bodies over ``max_bytes`` are refused with 413 while being received."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        over = declared is not None and declared.isdigit() and int(declared) > self.max_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if over:
                raise _too_large(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _too_large(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)
