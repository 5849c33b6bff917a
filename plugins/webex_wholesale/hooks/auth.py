"""The access token the Webex Wholesale hook sends, and its OAuth refresh.

The token state lives in one object with its own lock because the hook is shared by the threads of the subscriber
operator: however many of them see a 401 or an expired token at once, the token endpoint is called once. The
token is kept in memory only, registered with Airflow's log masker, and never logged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from webex_wholesale.exceptions import WebexApiError, WebexConfigurationError, WebexPermanentError
from webex_wholesale.hooks.connection import ConnectionSettings, OAuthSettings
from webex_wholesale.hooks.responses import json_or_none

__all__ = ["TOKEN_EXPIRY_MARGIN", "AccessToken"]

#: Refresh an OAuth access token this many seconds before it expires (half its lifetime for short-lived ones).
TOKEN_EXPIRY_MARGIN = 60.0


class AccessToken:
    """The current access token: the connection password, else one obtained with the refresh token.

    :param conn_id: the Airflow connection id (named in error messages).
    :param settings: returns the connection's settings (the hook loads them on first use).
    :param post_form: sends an unauthenticated ``POST`` with a form body (with the hook's retries) and returns
        the 2xx response; used for the token endpoint.
    :param log: the hook's logger.
    """

    def __init__(
        self,
        conn_id: str,
        *,
        settings: Callable[[], ConnectionSettings],
        post_form: Callable[[str, Mapping[str, str]], requests.Response],
        log: Any,
    ) -> None:
        self._conn_id = conn_id
        self._settings = settings
        self._post_form = post_form
        self._log = log
        self._lock = threading.Lock()
        #: The token in use (``None`` until first needed).
        self.value: str | None = None
        #: ``time.monotonic()`` after which :attr:`value` is replaced before use; ``None``: no known expiry.
        self.expires_at: float | None = None
        self._refresh_token: str | None = None

    def current(self) -> str:
        """The token to send now, obtained (or renewed when expired) on first use."""
        token = self.value
        expires_at = self.expires_at
        if token and (expires_at is None or time.monotonic() < expires_at):
            return token
        with self._lock:
            if self.value and (self.expires_at is None or time.monotonic() < self.expires_at):
                return self.value
            settings = self._settings()
            if self.value is None and settings.password:
                self.value = settings.password
            elif settings.oauth is not None:
                self._fetch_locked(settings.oauth)
            else:
                raise WebexConfigurationError(
                    f"Connection {self._conn_id!r} has no access token: set its password to a Webex access token, "
                    "or set the extras client_id, client_secret and refresh_token for OAuth token refresh."
                )
            return self.value  # type: ignore[return-value]

    def refresh(self, stale_token: str | None) -> None:
        """Replace ``stale_token`` by a fresh one, once for all threads (a no-op without OAuth settings)."""
        oauth = self._settings().oauth
        if oauth is None:
            return
        with self._lock:
            if self.value is not None and self.value != stale_token:
                return  # another thread already refreshed it
            self._fetch_locked(oauth)

    def _fetch_locked(self, oauth: OAuthSettings) -> None:
        """``POST <token_url>`` with ``grant_type=refresh_token``; keep the new token in memory."""
        form = {
            "grant_type": "refresh_token",
            "client_id": oauth.client_id,
            "client_secret": oauth.client_secret,
            "refresh_token": self._refresh_token or oauth.refresh_token,
        }
        try:
            response = self._post_form(oauth.token_url, form)
        except WebexPermanentError as e:
            error: WebexApiError | None = e
        else:
            error = None
        if error is not None:
            raise WebexConfigurationError(
                f"Connection {self._conn_id!r}: the OAuth token refresh was refused ({error}). "
                "Check the extras client_id, client_secret and refresh_token (keep the refresh token current in "
                "your secrets backend)."
            )
        body = json_or_none(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise WebexConfigurationError(
                f"Connection {self._conn_id!r}: the token endpoint answered without access_token."
            )
        _mask(token)
        self.value = str(token)
        new_refresh = body.get("refresh_token")
        if new_refresh:
            _mask(new_refresh)
            self._refresh_token = str(new_refresh)
        expires_in = body.get("expires_in")
        try:
            lifetime = float(expires_in)
            self.expires_at = time.monotonic() + lifetime - min(TOKEN_EXPIRY_MARGIN, lifetime / 2)
        except (TypeError, ValueError):
            self.expires_at = None
        self._log.info("webex_oauth_token_refreshed expires_in_s=%s", expires_in)


def _mask(secret: str) -> None:
    """Register a secret with Airflow's log masker (defence in depth: the hook never logs tokens)."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # pragma: no cover
        return
    mask_secret(secret)
