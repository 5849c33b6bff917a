"""The Webex Wholesale API client: an Airflow hook on :class:`~airflow.providers.http.hooks.http.HttpHook`.

Connection (conn type ``webex_wholesale``, default id ``webex_wholesale_default``)::

    AIRFLOW_CONN_WEBEX_WHOLESALE_DEFAULT='{"conn_type": "webex_wholesale",
        "host": "https://webexapis.com/v1", "password": "<access token>"}'

* ``host``: the full API base URL, scheme and ``/v1`` included (``http://127.0.0.1:8123/v1`` for the local
  simulator). It is used as is; a host without a scheme gets ``https://`` (never a silent ``http://``).
* ``password``: the access token.
* ``extra`` (all optional): ``client_id``, ``client_secret``, ``refresh_token`` and ``token_url`` for OAuth token
  refresh; ``requests_per_second`` for the client-side rate limit; ``verify`` (bool or CA bundle path) and
  ``proxies`` for ``requests``. Unlike plain HttpHook, extras are never sent as HTTP headers.

What is reused from HttpHook and what is not: the connection/base-URL machinery (``http_conn_id``,
``_set_base_url`` (overridden to keep a full URL as is), ``url_from_endpoint``) and the TCP keep-alive adapter
are HttpHook's. Requests are sent by :meth:`WebexWholesaleHook._request` instead of ``HttpHook.run``, because
``run``/``check_response`` discard the error body (Webex's ``message``, ``errorCode`` and ``trackingId``), have no
default timeout, copy every connection extra (OAuth secrets included) into request headers, and build one
``requests.Session`` per call, which is neither reusable nor meant to be shared by threads.

Retries (one predicate, :func:`is_retryable`, passed to tenacity with ``reraise=True``):

* 429 and 423: wait ``Retry-After`` seconds (5 s when absent), capped at ``max_retry_wait``.
* 5xx, connection errors and timeouts: capped exponential backoff with jitter (0.5 s, 1 s, 2 s ... up to
  ``max_retry_wait``).
* at most ``max_attempts`` attempts in all; then :class:`~webex_wholesale.exceptions.WebexTransientError` (HTTP)
  or :class:`~webex_wholesale.exceptions.WebexConnectionError` (no answer).
* other 4xx: :class:`~webex_wholesale.exceptions.WebexPermanentError` at once (an ``AirflowFailException``);
  a 401 first triggers one OAuth token refresh and one more try when refresh settings are configured.
* **Writes that are not idempotent** (``POST /wholesale/customers``, ``POST /wholesale/subscribers``) are
  retried only when the failure proves Webex did not process them: 429, 423, 503, a refused connection or a
  connect timeout. A read timeout, a connection dropped after sending, or a 500/502/504 answer raises
  :class:`~webex_wholesale.exceptions.WebexAmbiguousWriteError` without retrying, so that the operator looks the
  resource up (by ``externalId``, or ``customerId`` + ``email``) before trying again. GET, PUT (the body is the
  full desired state), DELETE and the prechecks are idempotent and retried on all transient failures.

Logging: every HTTP attempt logs exactly one line, e.g.
``webex_api_call method=POST path=/wholesale/subscribers status=200 tracking_id=WWA_... duration_ms=123
attempt=1`` (with ``retry_in_s=`` when a retry follows). The token is never logged, never put in a URL, an
exception or the hook's ``repr``.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
import tenacity
from airflow.providers.http.hooks.http import HttpHook
from requests_toolbelt.adapters.socket_options import TCPKeepAliveAdapter
from urllib3.exceptions import ConnectTimeoutError

import webex_wholesale
from webex_wholesale.exceptions import (
    WebexAmbiguousWriteError,
    WebexApiError,
    WebexConfigurationError,
    WebexConnectionError,
    WebexPermanentError,
    WebexTransientError,
    WebexWholesaleError,
)
from webex_wholesale.hooks.rate_limit import RateLimiter
from webex_wholesale.models import Customer, PrecheckResult, SubPartner, Subscriber

__all__ = ["WebexWholesaleHook", "is_retryable"]

#: Seconds to wait on 429/423 without a ``Retry-After`` header (as wxc_sdk does).
DEFAULT_RETRY_AFTER = 5.0
#: First backoff step for 5xx and connection errors; doubles on every attempt, capped at ``max_retry_wait``.
BACKOFF_BASE = 0.5
#: Connect timeout in seconds (the read timeout is the hook's ``timeout``).
CONNECT_TIMEOUT = 10.0
#: Page size asked for on list calls (the documented maximum for subscribers).
PAGE_SIZE = 100
#: Refresh an OAuth access token this many seconds before it expires (half its lifetime for short-lived ones).
TOKEN_EXPIRY_MARGIN = 60.0
#: Statuses that prove a request was rejected before being processed (safe to repeat even a POST).
_NOT_PROCESSED_STATUSES = frozenset({423, 429, 503})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_OAUTH_KEYS = ("client_id", "client_secret", "refresh_token")
_SECRET_QUERY_KEYS = frozenset(
    {"access_token", "token", "refresh_token", "client_secret", "code", "password", "authorization"}
)
_SUB_PARTNER_PARAM = "onBehalfOfSubPartnerOrgId"


def is_retryable(exc: BaseException) -> bool:
    """The hook's one retry predicate (passed to tenacity).

    :class:`WebexTransientError` (429, 423, 5xx) and :class:`WebexConnectionError` (no answer) are retried.
    Everything else is not: :class:`WebexPermanentError` (other 4xx), :class:`WebexAmbiguousWriteError` (a write
    that may have been processed), configuration errors and bugs. Which failure becomes which exception is decided
    per request in :meth:`WebexWholesaleHook._attempt` (for instance a read timeout on a provisioning POST
    becomes a ``WebexAmbiguousWriteError``).
    """
    return isinstance(exc, (WebexTransientError, WebexConnectionError))


@dataclass(frozen=True)
class _OAuthSettings:
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    token_url: str


@dataclass(frozen=True)
class _Settings:
    """What the hook reads from its Airflow connection (loaded once per hook instance)."""

    base_url: str
    password: str | None = field(repr=False)
    oauth: _OAuthSettings | None
    requests_per_second: float | None
    verify: bool | str = True
    proxies: dict[str, str] = field(default_factory=dict)


class WebexWholesaleHook(HttpHook):
    """Call the Webex Wholesale Provisioning API through an Airflow connection of type ``webex_wholesale``.

    The hook is safe to share between threads (the subscriber operator fans out with a thread pool): each thread
    gets its own ``requests.Session`` (connection reuse), the connection is loaded once under a lock, and an OAuth
    token refresh happens once for all threads.

    :param webex_wholesale_conn_id: the Airflow connection id.
    :param timeout: read timeout of one HTTP attempt, in seconds (the connect timeout is 10 s at most).
    :param max_attempts: attempts per call, the first included (1 = no retries).
    :param max_retry_wait: cap, in seconds, on one wait between attempts (``Retry-After`` included).
    :param requests_per_second: client-side rate limit for this hook; ``None`` reads the connection extra
        ``requests_per_second``; absent or ``<= 0`` means unlimited.
    :param on_behalf_of_sub_partner_org_id: act for this sub-partner: adds ``onBehalfOfSubPartnerOrgId`` to
        every call.
    """

    conn_name_attr = "webex_wholesale_conn_id"
    default_conn_name = "webex_wholesale_default"
    conn_type = "webex_wholesale"
    hook_name = "Webex Wholesale"

    def __init__(
        self,
        webex_wholesale_conn_id: str = default_conn_name,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        max_retry_wait: float = 60.0,
        requests_per_second: float | None = None,
        on_behalf_of_sub_partner_org_id: str | None = None,
    ) -> None:
        super().__init__(method="GET", http_conn_id=webex_wholesale_conn_id)
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0, got {timeout}")
        self.webex_wholesale_conn_id = webex_wholesale_conn_id
        self.timeout = float(timeout)
        self.max_attempts = int(max_attempts)
        self.max_retry_wait = float(max_retry_wait)
        self.requests_per_second = requests_per_second
        self.on_behalf_of_sub_partner_org_id = on_behalf_of_sub_partner_org_id
        #: Sleep used between retries; replace it in tests (``hook.sleep = waits.append``).
        self.sleep: Callable[[float], None] = time.sleep
        self._conn_lock = threading.Lock()
        self._token_lock = threading.Lock()
        self._settings_cache: _Settings | None = None
        self._rate_limiter: RateLimiter | None = None
        self._access_token: str | None = None
        self._token_expires_at: float | None = None
        self._refresh_token: str | None = None
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}(conn_id={self.webex_wholesale_conn_id!r})"

    # ------------------------------------------------------------------ connection

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Shape the connection form: base URL, access token, OAuth refresh keys in extra.

        The data lives in ``webex_wholesale.CONNECTION_UI_FIELD_BEHAVIOUR``, which the provider info also
        publishes (Airflow 3.2+ builds the form from it without importing this module).
        """
        behaviour = webex_wholesale.CONNECTION_UI_FIELD_BEHAVIOUR
        return {
            "hidden_fields": list(behaviour["hidden-fields"]),
            "relabeling": dict(behaviour["relabeling"]),
            "placeholders": dict(behaviour["placeholders"]),
        }

    @property
    def settings(self) -> _Settings:
        """The connection's settings, loaded on first use and cached for the hook's life."""
        cached = self._settings_cache
        if cached is not None:
            return cached
        with self._conn_lock:
            if self._settings_cache is None:
                self._settings_cache = self._load_settings()
            return self._settings_cache

    def _load_settings(self) -> _Settings:
        conn_id = self.webex_wholesale_conn_id
        try:
            conn = self.get_connection(conn_id)
        except Exception as e:
            raise WebexConfigurationError(
                f"Airflow connection {conn_id!r} could not be loaded ({type(e).__name__}: {e}). Define it, e.g. "
                f'AIRFLOW_CONN_{conn_id.upper()}=\'{{"conn_type": "webex_wholesale", '
                f'"host": "https://webexapis.com/v1", "password": "<access token>"}}\''
            ) from e
        self._set_base_url(conn)
        extra = conn.extra_dejson or {}

        oauth = None
        present = [k for k in _OAUTH_KEYS if extra.get(k)]
        if present:
            missing = [k for k in _OAUTH_KEYS if not extra.get(k)]
            if missing:
                raise WebexConfigurationError(
                    f"Connection {conn_id!r}: OAuth token refresh needs the extras {', '.join(_OAUTH_KEYS)}; "
                    f"missing {', '.join(missing)}."
                )
            token_url = str(extra.get("token_url") or f"{self.base_url}/access_token")
            if urlsplit(token_url).scheme not in ("http", "https"):
                raise WebexConfigurationError(
                    f"Connection {conn_id!r}: extra token_url must be a full http(s) URL, got {token_url!r}."
                )
            oauth = _OAuthSettings(
                client_id=str(extra["client_id"]),
                client_secret=str(extra["client_secret"]),
                refresh_token=str(extra["refresh_token"]),
                token_url=token_url,
            )

        rps = extra.get("requests_per_second")
        if rps not in (None, ""):
            try:
                rps = float(rps)
            except (TypeError, ValueError):
                raise WebexConfigurationError(
                    f"Connection {conn_id!r}: extra requests_per_second must be a number, got {rps!r}."
                ) from None
        else:
            rps = None
        proxies = extra.get("proxies") or {}
        if not isinstance(proxies, dict):
            raise WebexConfigurationError(f"Connection {conn_id!r}: extra proxies must be an object.")
        return _Settings(
            base_url=self.base_url,
            password=conn.password or None,
            oauth=oauth,
            requests_per_second=rps,
            verify=extra.get("verify", True),
            proxies={str(k): str(v) for k, v in proxies.items()},
        )

    def _set_base_url(self, connection) -> None:
        """Set ``self.base_url`` from the connection's host, keeping a full URL as is.

        HttpHook builds ``schema://host`` with ``http`` as default schema and appends ``:port`` after any path;
        here a host with a scheme is used unchanged, a host without one gets ``https://`` (or the ``schema``
        field when it is http/https), and a port is put into the network location.
        """
        conn_id = self.webex_wholesale_conn_id
        host = (connection.host or "").strip()
        if not host:
            raise WebexConfigurationError(
                f"Connection {conn_id!r} has no host: set it to the API base URL, e.g. https://webexapis.com/v1 "
                "(or http://127.0.0.1:8123/v1 for the local simulator)."
            )
        if "://" not in host:
            schema = (connection.schema or "").lower()
            host = f"{schema if schema in ('http', 'https') else 'https'}://{host}"
        parts = urlsplit(host)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise WebexConfigurationError(
                f"Connection {conn_id!r}: host {connection.host!r} is not an http(s) URL; set it to the API base "
                "URL, e.g. https://webexapis.com/v1."
            )
        netloc = parts.netloc
        if connection.port and parts.port is None:
            netloc = f"{netloc}:{connection.port}"
        self.base_url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        self._base_url_initialized = True

    def get_conn(self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None):
        """Return this thread's ``requests.Session`` (created on first use, then reused).

        Unlike ``HttpHook.get_conn`` it carries no credentials (the token is added per request, so a refreshed
        token is picked up) and no connection extras as headers. ``headers`` are added to this thread's session.
        """
        session = getattr(self._local, "session", None)
        if session is None:
            settings = self.settings
            session = requests.Session()
            adapter = self.adapter or TCPKeepAliveAdapter(idle=120, count=20, interval=30)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.verify = settings.verify
            session.proxies.update(settings.proxies)
            session.headers.update(
                {
                    "User-Agent": f"webex-wholesale-airflow/{webex_wholesale.__version__} (+apache-airflow)",
                    "Accept": "application/json",
                }
            )
            self._local.session = session
            with self._conn_lock:
                self._sessions.append(session)
        if headers:
            session.headers.update(headers)
        return session

    def close(self) -> None:
        """Close the sessions of all threads (optional: they are also released with the hook)."""
        with self._conn_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Not supported: use the typed methods (``list_customers``, ``provision_subscriber``, ...).

        ``HttpHook.run`` would lose Webex's error body and bypass the retry and ambiguous-write rules.
        """
        raise NotImplementedError(
            "WebexWholesaleHook does not support HttpHook.run(); use its typed API methods instead."
        )

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The client-side limiter, or ``None`` when unlimited."""
        if self._rate_limiter is None:
            rate = self.requests_per_second
            if rate is None:
                rate = self.settings.requests_per_second
            if rate is not None and rate > 0:
                with self._conn_lock:
                    if self._rate_limiter is None:
                        self._rate_limiter = RateLimiter(rate)
        return self._rate_limiter

    # ------------------------------------------------------------------ tokens

    def _get_token(self) -> str:
        """The current access token: the connection password, else one obtained with the refresh token."""
        token = self._access_token
        expires_at = self._token_expires_at
        if token and (expires_at is None or time.monotonic() < expires_at):
            return token
        with self._token_lock:
            if self._access_token and (self._token_expires_at is None or time.monotonic() < self._token_expires_at):
                return self._access_token
            settings = self.settings
            if self._access_token is None and settings.password:
                self._access_token = settings.password
            elif settings.oauth is not None:
                self._fetch_token_locked(settings.oauth)
            else:
                conn_id = self.webex_wholesale_conn_id
                raise WebexConfigurationError(
                    f"Connection {conn_id!r} has no access token: set its password to a Webex access token, or "
                    "set the extras client_id, client_secret and refresh_token for OAuth token refresh."
                )
            return self._access_token  # type: ignore[return-value]

    def _refresh_access_token(self, stale_token: str | None) -> None:
        """Replace ``stale_token`` by a fresh one, once for all threads."""
        oauth = self.settings.oauth
        if oauth is None:
            return
        with self._token_lock:
            if self._access_token is not None and self._access_token != stale_token:
                return  # another thread already refreshed it
            self._fetch_token_locked(oauth)

    def _fetch_token_locked(self, oauth: _OAuthSettings) -> None:
        """``POST <token_url>`` with ``grant_type=refresh_token``; keep the new token in memory."""
        form = {
            "grant_type": "refresh_token",
            "client_id": oauth.client_id,
            "client_secret": oauth.client_secret,
            "refresh_token": self._refresh_token or oauth.refresh_token,
        }
        try:
            response = self._call(oauth.token_url, "POST", form=form, authenticate=False, idempotent=True)
        except WebexPermanentError as e:
            error: WebexApiError | None = e
        else:
            error = None
        if error is not None:
            raise WebexConfigurationError(
                f"Connection {self.webex_wholesale_conn_id!r}: the OAuth token refresh was refused ({error}). "
                "Check the extras client_id, client_secret and refresh_token (keep the refresh token current in "
                "your secrets backend)."
            )
        body = _json_or_none(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise WebexConfigurationError(
                f"Connection {self.webex_wholesale_conn_id!r}: the token endpoint answered without access_token."
            )
        _mask(token)
        self._access_token = str(token)
        new_refresh = body.get("refresh_token")
        if new_refresh:
            _mask(new_refresh)
            self._refresh_token = str(new_refresh)
        expires_in = body.get("expires_in")
        try:
            lifetime = float(expires_in)
            self._token_expires_at = time.monotonic() + lifetime - min(TOKEN_EXPIRY_MARGIN, lifetime / 2)
        except (TypeError, ValueError):
            self._token_expires_at = None
        self.log.info("webex_oauth_token_refreshed expires_in_s=%s", expires_in)

    # ------------------------------------------------------------------ HTTP core

    def _request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        max_attempts: int | None = None,
    ) -> requests.Response:
        """Send one API call with retries and return the 2xx response, or raise a typed error.

        :param endpoint: a path relative to the base URL (``/wholesale/customers``) or an absolute URL on the same
            host (a pagination ``Link``).
        :param idempotent: whether repeating the request is harmless; defaults to ``method != "POST"``.
        :param max_attempts: overrides the hook's ``max_attempts``.

        On a 401 with OAuth refresh configured, the token is refreshed once and the call repeated once.
        """
        method = method.upper()
        url = self._absolute_url(endpoint)
        url_params = dict(params or {})
        if self.on_behalf_of_sub_partner_org_id and _SUB_PARTNER_PARAM not in dict(parse_qsl(urlsplit(url).query)):
            url_params[_SUB_PARTNER_PARAM] = self.on_behalf_of_sub_partner_org_id
        used: dict[str, str | None] = {"token": None}
        try:
            return self._call(
                url,
                method,
                params=url_params,
                json=json,
                idempotent=idempotent,
                max_attempts=max_attempts,
                used=used,
            )
        except WebexPermanentError as e:
            if e.status_code != 401 or self.settings.oauth is None:
                raise
            self.log.info(
                "webex_api_auth access token rejected (401, trackingId %s); refreshing it once", e.tracking_id
            )
        self._refresh_access_token(used["token"])
        return self._call(url, method, params=url_params, json=json, idempotent=idempotent, max_attempts=max_attempts)

    def _call(
        self,
        url: str,
        method: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        authenticate: bool = True,
        idempotent: bool | None = None,
        max_attempts: int | None = None,
        used: dict[str, str | None] | None = None,
    ) -> requests.Response:
        """The tenacity loop around :meth:`_attempt` (one predicate, ``reraise=True``)."""
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        attempts = max_attempts or self.max_attempts
        plan: dict[str, float] = {"wait": 0.0}
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_retryable),
            stop=tenacity.stop_after_attempt(attempts),
            wait=lambda _state: plan["wait"],
            sleep=lambda seconds: self.sleep(seconds),
            reraise=True,
        )
        if authenticate:
            # Obtain the token before the loop, so that a token-endpoint failure is not retried twice over.
            self._get_token()
        response: requests.Response | None = None
        for attempt in retrying:
            with attempt:
                response = self._attempt(
                    url,
                    method,
                    params=params,
                    json=json,
                    form=form,
                    authenticate=authenticate,
                    idempotent=idempotent,
                    attempt=attempt.retry_state.attempt_number,
                    max_attempts=attempts,
                    plan=plan,
                    used=used,
                )
        assert response is not None
        return response

    def _attempt(
        self,
        url: str,
        method: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        form: Mapping[str, str] | None,
        authenticate: bool,
        idempotent: bool,
        attempt: int,
        max_attempts: int,
        plan: dict[str, float],
        used: dict[str, str | None] | None,
    ) -> requests.Response:
        """One HTTP attempt: rate limit, send, classify, log one line, return or raise.

        Classification (see :func:`is_retryable` for what is retried):

        * 2xx: returned.
        * 423/429/5xx: :class:`WebexTransientError`, except 500/502/504 on a non-idempotent request:
          :class:`WebexAmbiguousWriteError`.
        * other statuses: :class:`WebexPermanentError`.
        * no answer: :class:`WebexConnectionError`, except on a non-idempotent request that may have been sent
          (anything but a refused connection or a connect timeout): :class:`WebexAmbiguousWriteError`.
        """
        session = self.get_conn()
        limiter = self.rate_limiter
        if limiter is not None:
            limiter.acquire()
        headers = {"TrackingID": f"WWA_{uuid.uuid4()}"}
        if authenticate:
            token = self._get_token()
            if used is not None:
                used["token"] = token
            headers["Authorization"] = f"Bearer {token}"
        if json is not None:
            headers["Content-Type"] = "application/json"
        log_path = self._log_path(url, params)

        started = time.monotonic()
        failure: requests.RequestException | None = None
        response: requests.Response | None = None
        try:
            response = session.request(
                method,
                url,
                params=params or None,
                json=json,
                data=form,
                headers=headers,
                timeout=(min(CONNECT_TIMEOUT, self.timeout), self.timeout),
                allow_redirects=False,
            )
        except (requests.ConnectionError, requests.Timeout) as e:
            failure = e
        duration_ms = int((time.monotonic() - started) * 1000)

        error: Exception
        if response is None:
            assert failure is not None
            reason = _describe_transport_error(failure, self.timeout)
            tracking_id = headers["TrackingID"]
            if idempotent or _not_sent(failure):
                error = WebexConnectionError(method, log_path, reason)
            else:
                error = WebexAmbiguousWriteError(method, log_path, reason, tracking_id=tracking_id)
            status = f"error error={type(failure).__name__}"
            failure = None  # keep no reference to the request (and its Authorization header)
        else:
            tracking_id = response.headers.get("Trackingid") or headers["TrackingID"]
            status = str(response.status_code)
            if 200 <= response.status_code < 300:
                self._log_call(method, log_path, status, tracking_id, duration_ms, attempt, None)
                return response
            api_error = _api_error(response, method, log_path, tracking_id)
            tracking_id = api_error.tracking_id or tracking_id
            if (
                isinstance(api_error, WebexTransientError)
                and not idempotent
                and response.status_code not in _NOT_PROCESSED_STATUSES
            ):
                error = WebexAmbiguousWriteError(
                    method,
                    log_path,
                    f"HTTP {response.status_code}: {api_error}",
                    status_code=response.status_code,
                    tracking_id=api_error.tracking_id,
                )
            else:
                error = api_error

        retry_in = None
        if is_retryable(error) and attempt < max_attempts:
            retry_in = self._retry_wait(error, attempt)
        plan["wait"] = retry_in or 0.0
        self._log_call(method, log_path, status, tracking_id, duration_ms, attempt, retry_in)
        raise error

    def _retry_wait(self, error: Exception, attempt: int) -> float:
        """Seconds before the next attempt: ``Retry-After`` for 429/423, capped jittered backoff otherwise."""
        cap = self.max_retry_wait
        retry_after = error.retry_after if isinstance(error, WebexApiError) else None
        if isinstance(error, WebexApiError) and error.status_code in (423, 429):
            wait = DEFAULT_RETRY_AFTER if retry_after is None else retry_after
            return round(min(max(0.0, wait), cap), 3)
        backoff = min(cap, BACKOFF_BASE * 2 ** (attempt - 1))
        wait = random.uniform(backoff / 2, backoff)
        if retry_after is not None:  # a 503 may also say when to come back
            wait = max(wait, min(retry_after, cap))
        return round(wait, 3)

    def _log_call(
        self,
        method: str,
        path: str,
        status: str,
        tracking_id: str | None,
        duration_ms: int,
        attempt: int,
        retry_in: float | None,
    ) -> None:
        line = (
            f"webex_api_call method={method} path={path} status={status} tracking_id={tracking_id} "
            f"duration_ms={duration_ms} attempt={attempt}"
        )
        if retry_in is not None:
            line += f" retry_in_s={retry_in:g}"
        self.log.info(line)

    def _absolute_url(self, endpoint: str) -> str:
        base = self.settings.base_url
        if "://" not in endpoint:
            return self.url_from_endpoint(endpoint)
        if _origin(endpoint) != _origin(base):
            raise WebexWholesaleError(
                f"Refusing to send the access token to {_origin(endpoint)} (the connection's API is at "
                f"{_origin(base)})."
            )
        return endpoint

    def _log_path(self, url: str, params: Mapping[str, Any] | None) -> str:
        """The URL's path relative to the base URL, with its query string (secrets masked)."""
        parts = urlsplit(url)
        base_path = urlsplit(self.settings.base_url).path
        path = parts.path
        if _origin(url) == _origin(self.settings.base_url) and base_path and path.startswith(base_path):
            path = path[len(base_path) :] or "/"
        query = parse_qsl(parts.query, keep_blank_values=True)
        for key, value in (params or {}).items():
            values = value if isinstance(value, (list, tuple)) else [value]
            query.extend((key, str(v)) for v in values if v is not None)
        if query:
            masked = [(k, "***" if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in query]
            path = f"{path}?{urlencode(masked)}"
        return path

    def _paginate(
        self, path: str, params: Mapping[str, Any], *, items_keys: Sequence[str] = ("items",)
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a list endpoint.

        Follows ``Link: <url>; rel="next"`` (RFC 5988) when the server sends it; otherwise advances
        ``offset`` by the number of items received until a page comes back shorter than ``max`` (100).
        """
        query = {k: v for k, v in params.items() if v is not None}
        query["max"] = PAGE_SIZE
        offset = int(query.get("offset", 0) or 0)
        endpoint: str = path
        page_params: dict[str, Any] | None = query
        seen: set[str] = set()
        while True:
            response = self._request("GET", endpoint, params=page_params)
            body = _json_or_none(response)
            items: list[Any] = []
            if isinstance(body, dict):
                for key in items_keys:
                    if isinstance(body.get(key), list):
                        items = body[key]
                        break
            yield from items
            next_url = parse_link_header(response.headers.get("Link", "")).get("next")
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

    # ------------------------------------------------------------------ customers

    def list_customers(
        self,
        *,
        external_id: str | None = None,
        org_id: str | None = None,
        status: Sequence[str] | None = None,
    ) -> list[Customer]:
        """``GET /wholesale/customers`` (all pages), optionally filtered."""
        return [Customer.model_validate(item) for item in self._list_customers_raw(external_id, org_id, status)]

    def _list_customers_raw(
        self, external_id: str | None, org_id: str | None, status: Sequence[str] | None
    ) -> list[dict[str, Any]]:
        if isinstance(status, str):
            status = [status]
        params = {
            "externalId": external_id,
            "orgId": org_id,
            "status": ",".join(status) if status else None,
        }
        return list(self._paginate("/wholesale/customers", params))

    def find_customer_by_external_id(self, external_id: str) -> Customer | None:
        """The customer whose ``externalId`` is exactly ``external_id``, or ``None``."""
        matches = [
            item
            for item in self._list_customers_raw(external_id, None, None)
            if isinstance(item, dict) and item.get("externalId") == external_id
        ]
        if len(matches) > 1:
            self.log.warning(
                "webex_customer_lookup external_id=%s matched %d customers; using the first (id %s)",
                external_id,
                len(matches),
                matches[0].get("id"),
            )
        return Customer.model_validate(matches[0]) if matches else None

    def provision_customer(self, body: Mapping[str, Any]) -> str:
        """``POST /wholesale/customers`` (202); return the new customer's id.

        Not idempotent: a read timeout or 500/502/504 raises :class:`WebexAmbiguousWriteError`; look the customer
        up with :meth:`find_customer_by_external_id` before trying again.
        """
        response = self._request("POST", "/wholesale/customers", json=dict(body))
        return _id_from_location(response, "POST /wholesale/customers")

    def get_customer(self, customer_id: str, *, include_package_license_info: bool = False) -> Customer:
        """``GET /wholesale/customers/{id}``: the polling target for provisioning."""
        params = {"includePackageLicenseInfo": "true"} if include_package_license_info else None
        response = self._request("GET", f"/wholesale/customers/{_seg(customer_id)}", params=params)
        return Customer.model_validate(_json_body(response))

    def update_customer(self, customer_id: str, body: Mapping[str, Any]) -> str:
        """``PUT /wholesale/customers/{id}`` (202); return the customer id.

        ``packages`` is the complete desired set: a package left out is removed.
        """
        response = self._request("PUT", f"/wholesale/customers/{_seg(customer_id)}", json=dict(body))
        try:
            return _id_from_location(response, f"PUT /wholesale/customers/{customer_id}")
        except WebexWholesaleError:
            return customer_id

    def delete_customer(self, customer_id: str) -> None:
        """``DELETE /wholesale/customers/{id}`` (202; removal continues in the background until Get gives 404)."""
        self._request("DELETE", f"/wholesale/customers/{_seg(customer_id)}")

    def precheck_customer(self, body: Mapping[str, Any]) -> PrecheckResult:
        """``POST /wholesale/customers/validate``: creates nothing, so it is retried like a read."""
        response = self._request("POST", "/wholesale/customers/validate", json=dict(body), idempotent=True)
        return PrecheckResult.model_validate(_json_body(response))

    # ------------------------------------------------------------------ subscribers

    def list_subscribers(
        self,
        *,
        customer_id: str | None = None,
        email: str | None = None,
        external_customer_id: str | None = None,
        person_id: str | None = None,
        status: str | None = None,
    ) -> list[Subscriber]:
        """``GET /wholesale/subscribers`` (all pages of 100), optionally filtered."""
        params = {
            "customerId": customer_id,
            "email": email,
            "externalCustomerId": external_customer_id,
            "personId": person_id,
            "status": status,
        }
        return [Subscriber.model_validate(item) for item in self._paginate("/wholesale/subscribers", params)]

    def provision_subscriber(self, body: Mapping[str, Any]) -> Subscriber:
        """``POST /wholesale/subscribers``: 200 (``provisioned``) or 202 (``pending_user_migration``).

        Not idempotent: a read timeout or 500/502/504 raises :class:`WebexAmbiguousWriteError`; look the
        subscriber up (``list_subscribers(customer_id=..., email=...)``) before trying again.
        """
        response = self._request("POST", "/wholesale/subscribers", json=dict(body))
        return Subscriber.model_validate(_json_body(response))

    def get_subscriber(self, subscriber_id: str) -> Subscriber:
        """``GET /wholesale/subscribers/{id}``."""
        response = self._request("GET", f"/wholesale/subscribers/{_seg(subscriber_id)}")
        return Subscriber.model_validate(_json_body(response))

    def update_subscriber(self, subscriber_id: str, body: Mapping[str, Any]) -> Subscriber:
        """``PUT /wholesale/subscribers/{id}`` (200)."""
        response = self._request("PUT", f"/wholesale/subscribers/{_seg(subscriber_id)}", json=dict(body))
        return Subscriber.model_validate(_json_body(response))

    def delete_subscriber(self, subscriber_id: str) -> None:
        """``DELETE /wholesale/subscribers/{id}`` (204)."""
        self._request("DELETE", f"/wholesale/subscribers/{_seg(subscriber_id)}")

    def precheck_subscriber(self, body: Mapping[str, Any]) -> PrecheckResult:
        """``POST /wholesale/subscribers/validate``: creates nothing, so it is retried like a read."""
        response = self._request("POST", "/wholesale/subscribers/validate", json=dict(body), idempotent=True)
        return PrecheckResult.model_validate(_json_body(response))

    def list_sub_partners(self, *, provisioning_state: str | None = None) -> list[SubPartner]:
        """``GET /wholesale/subPartners`` (all pages). Accepts ``items`` or ``subPartners`` as the list key."""
        items = self._paginate(
            "/wholesale/subPartners",
            {"provisioningState": provisioning_state},
            items_keys=("items", "subPartners"),
        )
        return [SubPartner.model_validate(item) for item in items]

    # ------------------------------------------------------------------ UI

    def test_connection(self) -> tuple[bool, str]:
        """The UI's Test button: ``GET /wholesale/customers?max=1``, one attempt, no retries."""
        try:
            self._request("GET", "/wholesale/customers", params={"max": 1}, max_attempts=1)
        except Exception as e:
            return False, f"{type(e).__name__}: {e}"
        return True, f"Connection successfully tested: {self.settings.base_url} listed customers."


# ---------------------------------------------------------------------- helpers

_LINK_RE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")


def parse_link_header(value: str | None) -> dict[str, str]:
    """Parse an RFC 5988 ``Link`` header into ``{rel: url}`` (a ``rel`` may list several space-separated names)."""
    links: dict[str, str] = {}
    for match in _LINK_RE.finditer(value or ""):
        url, params = match.group(1).strip(), match.group(2)
        for param in params.split(";"):
            key, _, raw = param.strip().partition("=")
            if key.strip().lower() != "rel":
                continue
            for rel in raw.strip().strip('"').split():
                links.setdefault(rel.lower(), url)
    return links


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    netloc = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), f"{netloc}:{port}"


def _seg(value: str) -> str:
    """Quote an id for use as one path segment."""
    from urllib.parse import quote

    return quote(str(value), safe="")


def _not_sent(error: requests.RequestException) -> bool:
    """Whether ``requests`` failed before the request could reach the server (safe to repeat a POST)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError) and not isinstance(error, requests.Timeout):
        reason = getattr(error.args[0], "reason", None) if error.args else None
        # NewConnectionError (refused, DNS failure) is a ConnectTimeoutError subclass in urllib3 2.
        return isinstance(reason, ConnectTimeoutError)
    return False


def _describe_transport_error(error: requests.RequestException, timeout: float) -> str:
    if isinstance(error, requests.ConnectTimeout):
        return f"ConnectTimeout: no connection within {min(CONNECT_TIMEOUT, timeout):g} s"
    if isinstance(error, requests.ReadTimeout):
        return f"ReadTimeout: no answer within {timeout:g} s"
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text[:300]}"


def _parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: an integer/float, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _json_body(response: requests.Response) -> dict[str, Any]:
    body = _json_or_none(response)
    if not isinstance(body, dict):
        method = response.request.method if response.request is not None else "?"
        raise WebexWholesaleError(
            f"Webex API {method} {urlsplit(response.url).path} answered {response.status_code} "
            "without the expected JSON object."
        )
    return body


def _api_error(
    response: requests.Response, method: str, path: str, sent_tracking_id: str
) -> WebexPermanentError | WebexTransientError:
    """Build the typed error from a non-2xx answer and Webex's error body (tolerating odd or empty bodies)."""
    body = _json_or_none(response)
    message = ""
    codes: list[int] = []
    descriptions: list[str] = []
    tracking_id = None
    if isinstance(body, dict):
        message = str(body.get("message") or "")
        top_code = _as_int(body.get("errorCode"))
        if top_code is not None:
            codes.append(top_code)
        for item in body.get("errors") or []:
            if not isinstance(item, dict):
                continue
            code = _as_int(item.get("errorCode"))
            if code is not None and code not in codes:
                codes.append(code)
            if item.get("description"):
                descriptions.append(str(item["description"]))
        tracking_id = body.get("trackingId") or None
    elif response.text and response.text.strip():
        message = " ".join(response.text.split())[:200]
    if not message:
        message = descriptions[0] if descriptions else (response.reason or f"HTTP {response.status_code}")
    tracking_id = tracking_id or response.headers.get("Trackingid") or sent_tracking_id
    status = response.status_code
    cls = WebexTransientError if (status in (423, 429) or status >= 500) else WebexPermanentError
    return cls(
        status,
        message,
        error_codes=codes,
        descriptions=descriptions,
        tracking_id=str(tracking_id) if tracking_id else None,
        method=method,
        path=path,
        retry_after=_parse_retry_after(response.headers.get("Retry-After")),
    )


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _id_from_location(response: requests.Response, what: str) -> str:
    """The last path segment of the ``Location`` header (or of the body's ``url``)."""
    location = response.headers.get("Location")
    if not location:
        body = _json_or_none(response)
        location = body.get("url") if isinstance(body, dict) else None
    segment = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1] if location else ""
    if not segment:
        raise WebexWholesaleError(f"Webex API {what} answered {response.status_code} without a Location header.")
    return segment


def _mask(secret: str) -> None:
    """Register a secret with Airflow's log masker (defence in depth: the hook never logs tokens)."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # pragma: no cover
        return
    mask_secret(secret)
