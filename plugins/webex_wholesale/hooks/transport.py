"""The HTTP half of the Webex Wholesale hook: sessions, the shared budget, retries, one log line per attempt.

:class:`WebexTransportHook` sends one API call (:meth:`~WebexTransportHook._request`) and returns its 2xx answer
or raises a typed error; :class:`~webex_wholesale.hooks.wholesale.WebexWholesaleHook` builds the typed API on it.
Retries belong to tenacity, configured once per hook in :attr:`~WebexTransportHook.retry_args` (as the dbt Cloud
hook does): one predicate (:func:`~webex_wholesale.hooks.retry.is_retryable`), the wait computed from the failed
attempt's exception (:func:`~webex_wholesale.hooks.retry.retry_wait`: ``Retry-After``, else capped backoff with
jitter) and the retry log line from ``before_sleep``. See docs/connection.md for the rules a user sees.

Why not ``HttpHook.run``: it discards Webex's error body (``message``, ``errorCode``, ``trackingId``), has no
default timeout, copies every connection extra (OAuth secrets included) into headers, and builds one session per
call, neither reusable nor meant for threads. The connection and base-URL machinery are HttpHook's.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
import tenacity
from airflow.providers.http.hooks.http import HttpHook
from requests_toolbelt.adapters.socket_options import TCPKeepAliveAdapter

from webex_wholesale.budget import ApiBudget, BudgetStats, open_budget
from webex_wholesale.exceptions import (
    WebexApiError,
    WebexBudgetUnavailableError,
    WebexConfigurationError,
    WebexPermanentError,
    WebexWholesaleError,
    connection_env_example,
)
from webex_wholesale.hooks.auth import AccessToken
from webex_wholesale.hooks.connection import ConnectionSettings, api_base_url, read_settings
from webex_wholesale.hooks.paging import paginate
from webex_wholesale.hooks.responses import api_error
from webex_wholesale.hooks.retry import error_for_answer, error_for_no_answer, is_idempotent, is_retryable, retry_wait
from webex_wholesale.models.call_record import ApiCallRecord, CallObserver
from webex_wholesale.provider import PACKAGE_NAME, __version__

__all__ = ["CONNECT_TIMEOUT", "WebexTransportHook"]

#: Connect timeout in seconds (the read timeout is the hook's ``timeout``).
CONNECT_TIMEOUT = 10.0
_SECRET_QUERY_KEYS = frozenset(
    {"access_token", "token", "refresh_token", "client_secret", "code", "password", "authorization"}
)
_SUB_PARTNER_PARAM = "onBehalfOfSubPartnerOrgId"
_SUBSCRIBERS_PATH = "/wholesale/subscribers"


def session_environment(settings: ConnectionSettings) -> tuple[dict[str, str], bool | str]:
    """The proxies and TLS verification a session uses: the connection's extras first, then what the environment
    says, as ``requests`` would read it per request (``HTTPS_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``...)."""
    environ = requests.utils.get_environ_proxies(settings.base_url, no_proxy=settings.proxies.get("no_proxy"))
    verify = settings.verify
    if verify is True:
        verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return {**environ, **settings.proxies}, verify


class WebexTransportHook(HttpHook):
    """Send Webex Wholesale API calls: per-thread sessions, the shared budget, tenacity retries, OAuth refresh.

    Safe to share between threads: each thread gets its own ``requests.Session``, the connection is loaded once
    under a lock, and an OAuth token refresh happens once for all threads.

    :param webex_wholesale_conn_id: the Airflow connection id (default: the class's ``default_conn_name``).
    :param timeout: read timeout of one HTTP attempt, in seconds (the connect timeout is 10 s at most).
    :param max_attempts: attempts per call, the first included (1 = no retries).
    :param max_retry_wait: cap, in seconds, on one wait between attempts (``Retry-After`` included).
    :param on_behalf_of_sub_partner_org_id: act for this sub-partner: adds ``onBehalfOfSubPartnerOrgId`` to
        every call.
    :param call_observer: called with one :class:`ApiCallRecord` per finished API call (after its last attempt).
    :param budget: the request budget to take from; ``None`` opens the connection's shared budget on first use.
    """

    def __init__(
        self,
        webex_wholesale_conn_id: str | None = None,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        max_retry_wait: float = 60.0,
        on_behalf_of_sub_partner_org_id: str | None = None,
        call_observer: CallObserver | None = None,
        budget: ApiBudget | None = None,
    ) -> None:
        webex_wholesale_conn_id = webex_wholesale_conn_id or self.default_conn_name
        super().__init__(method="GET", http_conn_id=webex_wholesale_conn_id)
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0, got {timeout}")
        self.webex_wholesale_conn_id = webex_wholesale_conn_id
        self.timeout = float(timeout)
        self.max_attempts = int(max_attempts)
        self.max_retry_wait = float(max_retry_wait)
        self.on_behalf_of_sub_partner_org_id = on_behalf_of_sub_partner_org_id
        self.call_observer = call_observer
        #: Sleep used between retries; replace it in tests (``hook.sleep = waits.append``).
        self.sleep: Callable[[float], None] = time.sleep
        self.retry_args: dict[str, Any] = {
            "retry": tenacity.retry_if_exception(is_retryable),
            "stop": tenacity.stop_after_attempt(self.max_attempts),
            "wait": self._retry_wait,
            "before_sleep": self._log_retry,
            "sleep": lambda seconds: self.sleep(seconds),
            "reraise": True,
        }
        self._conn_lock = threading.Lock()
        self._settings_cache: ConnectionSettings | None = None
        self._budget = budget
        self._token = AccessToken(
            webex_wholesale_conn_id,
            settings=lambda: self.settings,
            post_form=lambda url, form: self._call(url, "POST", form=form, token=None, idempotent=True),
            log=self.log,
        )
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}(conn_id={self.webex_wholesale_conn_id!r})"

    # ------------------------------------------------------------------ connection, sessions, budget

    @property
    def settings(self) -> ConnectionSettings:
        """The connection's settings, loaded on first use and cached for the hook's life."""
        cached = self._settings_cache
        if cached is not None:
            return cached
        with self._conn_lock:
            if self._settings_cache is None:
                self._settings_cache = self._load_settings()
            return self._settings_cache

    def _load_settings(self) -> ConnectionSettings:
        conn_id = self.webex_wholesale_conn_id
        try:
            conn = self.get_connection(conn_id)
        except Exception as e:
            example = {"conn_type": "webex_wholesale", "host": "https://webexapis.com/v1", "password": "<access token>"}
            raise WebexConfigurationError(
                f"Airflow connection {conn_id!r} could not be loaded ({type(e).__name__}: {e}). "
                f"Define it, e.g. {connection_env_example(conn_id, example)}"
            ) from e
        self._set_base_url(conn)
        return read_settings(conn, conn_id, self.base_url)

    def _set_base_url(self, connection) -> None:
        """Set ``self.base_url`` from the connection's host, keeping a full URL as is (see :func:`api_base_url`)."""
        self.base_url = api_base_url(connection, self.webex_wholesale_conn_id)
        self._base_url_initialized = True

    @property
    def budget(self) -> ApiBudget:
        """The connection's request budget, shared with every other process calling it (opened on first use)."""
        if self._budget is None:
            settings = self.settings
            with self._conn_lock:
                if self._budget is None:
                    self._budget = open_budget(
                        self.webex_wholesale_conn_id, settings.base_url, settings.requests_per_second
                    )
        return self._budget

    def budget_stats(self) -> BudgetStats | None:
        """What this hook's requests did with the budget; ``None`` when it sent none (the budget never opened)."""
        return self._budget.stats if self._budget is not None else None

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
            # The environment is read here, once: with trust_env requests reads all of os.environ twice per
            # request (proxies), about 0.9 ms of CPU per call in an Airflow task, a quarter of a call to a fast API.
            session.trust_env = False
            session.proxies, session.verify = session_environment(settings)
            session.headers.update(
                {
                    "User-Agent": f"{PACKAGE_NAME}/{__version__} (+apache-airflow)",
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

    # ------------------------------------------------------------------ one API call

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
        options = {"params": url_params, "json": json, "idempotent": idempotent, "max_attempts": max_attempts}
        token = self._token.current()  # before the retries: a token-endpoint failure is not retried twice over
        try:
            return self._call(url, method, token=token, **options)
        except WebexPermanentError as e:
            if e.status_code != 401 or self.settings.oauth is None:
                raise
            self.log.info(
                "webex_api_auth access token rejected (401, trackingId %s); refreshing it once", e.tracking_id
            )
        self._token.refresh(token)
        return self._call(url, method, token=self._token.current(), **options)

    def _call(
        self,
        url: str,
        method: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        max_attempts: int | None = None,
    ) -> requests.Response:
        """One call: tenacity around :meth:`_attempt`, then one :class:`ApiCallRecord` for the observer.

        ``token`` is ``None`` for the OAuth token endpoint: sent without ``Authorization``, outside the budget
        (it is not a Wholesale API call) and not observed.
        """
        if idempotent is None:
            idempotent = is_idempotent(method)
        retry_args = self.retry_args
        if max_attempts is not None:
            retry_args = {**retry_args, "stop": tenacity.stop_after_attempt(max_attempts)}
        retrying = tenacity.Retrying(**retry_args)
        log_path = self._log_path(url, params)
        started_at, started = datetime.now(UTC), time.monotonic()
        request = {"params": params, "json": json, "form": form, "token": token, "idempotent": idempotent}
        try:
            for attempt in retrying:
                with attempt:
                    response = self._attempt(
                        url, method, log_path=log_path, attempt=attempt.retry_state.attempt_number, **request
                    )
        except WebexBudgetUnavailableError:
            raise  # nothing was sent: no call to record
        except Exception as error:
            if token is not None:
                self._observe(started_at, started, method, log_path, json, retrying, error=error)
            raise
        if token is not None:
            self._observe(started_at, started, method, log_path, json, retrying, response=response)
        return response

    def _attempt(
        self,
        url: str,
        method: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        form: Mapping[str, str] | None,
        token: str | None,
        idempotent: bool,
        log_path: str,
        attempt: int,
    ) -> requests.Response:
        """One HTTP attempt: take a budget slot, send, report the answer to the budget, log one line.

        Returns a 2xx response or raises the failure's exception, classified by
        :func:`~webex_wholesale.hooks.retry.error_for_answer` / :func:`~webex_wholesale.hooks.retry.error_for_no_answer`
        (which is where a provisioning POST's ambiguous failure becomes :class:`WebexAmbiguousWriteError`).
        """
        session = self.get_conn()
        slot = self.budget.acquire() if token is not None else None
        headers = {"TrackingID": f"WWA_{uuid.uuid4()}"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if json is not None:
            headers["Content-Type"] = "application/json"
        connect_timeout = min(CONNECT_TIMEOUT, self.timeout)
        started = time.monotonic()
        failure: requests.RequestException | None = None
        try:
            response = session.request(
                method,
                url,
                params=params or None,
                json=json,
                data=form,
                headers=headers,
                timeout=(connect_timeout, self.timeout),
                allow_redirects=False,
            )
        except (requests.ConnectionError, requests.Timeout) as e:
            failure = e
        if failure is not None:
            error = error_for_no_answer(
                failure,
                method=method,
                path=log_path,
                idempotent=idempotent,
                tracking_id=headers["TrackingID"],
                connect_timeout=connect_timeout,
                read_timeout=self.timeout,
            )
            status = f"error error={type(failure).__name__}"
            failure = None  # keep no reference to the request (and its Authorization header)
            self._log_call(method, log_path, status, headers["TrackingID"], time.monotonic() - started, attempt)
            raise error
        duration = time.monotonic() - started
        tracking_id = response.headers.get("Trackingid") or headers["TrackingID"]
        if 200 <= response.status_code < 300:
            if slot is not None:
                self.budget.answered(slot, response.status_code, latency=duration)
            self._log_call(method, log_path, str(response.status_code), tracking_id, duration, attempt)
            return response
        answer_error = api_error(response, method, log_path, tracking_id)
        if slot is not None:
            self.budget.answered(slot, response.status_code, latency=duration, retry_after=answer_error.retry_after)
        self._log_call(
            method, log_path, str(response.status_code), answer_error.tracking_id or tracking_id, duration, attempt
        )
        raise error_for_answer(answer_error, idempotent=idempotent)

    # ------------------------------------------------------------------ tenacity callbacks, logging, observer

    def _retry_wait(self, retry_state: tenacity.RetryCallState) -> float:
        """tenacity ``wait``: computed from the failed attempt's exception (``Retry-After`` or backoff)."""
        error = retry_state.outcome.exception() if retry_state.outcome else None
        return retry_wait(error, retry_state.attempt_number, self.max_retry_wait)

    def _log_retry(self, retry_state: tenacity.RetryCallState) -> None:
        """tenacity ``before_sleep``: one line saying what failed and when the next attempt goes."""
        error = retry_state.outcome.exception() if retry_state.outcome else None
        wait = retry_state.upcoming_sleep
        self.log.info(
            "webex_api_retry method=%s path=%s attempt=%d retry_in_s=%g reason=%s",
            getattr(error, "method", "?"),
            getattr(error, "path", "?"),
            retry_state.attempt_number,
            wait,
            type(error).__name__,
        )

    def _log_call(
        self, method: str, path: str, status: str, tracking_id: str | None, duration: float, attempt: int
    ) -> None:
        self.log.info(
            f"webex_api_call method={method} path={path} status={status} tracking_id={tracking_id} "
            f"duration_ms={int(duration * 1000)} attempt={attempt}"
        )

    def _observe(
        self,
        started_at: datetime,
        started: float,
        method: str,
        log_path: str,
        json: Any,
        retrying: tenacity.Retrying,
        *,
        response: requests.Response | None = None,
        error: BaseException | None = None,
    ) -> None:
        """Hand the observer one record of the finished call (no header, token or body besides the email)."""
        if self.call_observer is None:
            return
        path = log_path.split("?", 1)[0]
        email = (
            json.get("email") if method == "POST" and path == _SUBSCRIBERS_PATH and isinstance(json, Mapping) else None
        )
        if response is not None:
            status: int | None = response.status_code
            tracking_id = response.headers.get("Trackingid")
        else:
            status = getattr(error, "status_code", None)
            tracking_id = getattr(error, "tracking_id", None)
        self.call_observer(
            ApiCallRecord(
                at=started_at,
                method=method,
                path=log_path,
                http_status=status,
                tracking_id=tracking_id,
                duration_ms=int((time.monotonic() - started) * 1000),
                attempts=int(retrying.statistics.get("attempt_number", 1)),
                error_codes=tuple(error.error_codes) if isinstance(error, WebexApiError) else (),
                subscriber_email=str(email) if email else None,
            )
        )

    # ------------------------------------------------------------------ URLs, paging

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
        """Yield every item of a list endpoint, each page fetched with :meth:`_request` (see :func:`paginate`)."""
        return paginate(
            lambda endpoint, page_params: self._request("GET", endpoint, params=page_params),
            path,
            params,
            items_keys=items_keys,
        )


def _origin(url: str) -> tuple[str, str]:
    """``(scheme, host:port)``, default port filled in: the token is only sent to the base URL's origin."""
    parts = urlsplit(url)
    netloc = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), f"{netloc}:{port}"
