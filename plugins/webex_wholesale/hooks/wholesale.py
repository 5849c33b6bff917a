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

This module holds the hook: its connection glue, its per-thread sessions, the request/retry loop and the typed API
methods. The rules it applies live in sibling modules, each readable on its own:
:mod:`~webex_wholesale.hooks.connection` (reading the Airflow connection), :mod:`~webex_wholesale.hooks.auth`
(the access token and its OAuth refresh), :mod:`~webex_wholesale.hooks.retry` (what is retried, the
ambiguous-write rule, waits), :mod:`~webex_wholesale.hooks.responses` (Webex's answers and error bodies),
:mod:`~webex_wholesale.hooks.paging` (list endpoints) and :mod:`~webex_wholesale.hooks.rate_limit`.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests
import tenacity
from airflow.providers.http.hooks.http import HttpHook
from requests_toolbelt.adapters.socket_options import TCPKeepAliveAdapter

import webex_wholesale
from webex_wholesale.exceptions import (
    WebexConfigurationError,
    WebexPermanentError,
    WebexWholesaleError,
    connection_env_example,
)
from webex_wholesale.hooks.auth import AccessToken
from webex_wholesale.hooks.connection import ConnectionSettings, api_base_url, read_settings
from webex_wholesale.hooks.paging import paginate, parse_link_header
from webex_wholesale.hooks.rate_limit import RateLimiter
from webex_wholesale.hooks.responses import api_error, id_from_location, json_body
from webex_wholesale.hooks.retry import error_for_answer, error_for_no_answer, is_idempotent, is_retryable, retry_wait
from webex_wholesale.models import Customer, PrecheckResult, SubPartner, Subscriber

__all__ = ["WebexWholesaleHook", "is_retryable", "parse_link_header"]

#: Connect timeout in seconds (the read timeout is the hook's ``timeout``).
CONNECT_TIMEOUT = 10.0
_SECRET_QUERY_KEYS = frozenset(
    {"access_token", "token", "refresh_token", "client_secret", "code", "password", "authorization"}
)
_SUB_PARTNER_PARAM = "onBehalfOfSubPartnerOrgId"


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
        self._settings_cache: ConnectionSettings | None = None
        self._rate_limiter: RateLimiter | None = None
        self._token = AccessToken(
            webex_wholesale_conn_id,
            settings=lambda: self.settings,
            post_form=lambda url, form: self._call(url, "POST", form=form, authenticate=False, idempotent=True),
            log=self.log,
        )
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
        send = functools.partial(
            self._call, url, method, params=url_params, json=json, idempotent=idempotent, max_attempts=max_attempts
        )
        used: dict[str, str | None] = {"token": None}
        try:
            return send(used=used)
        except WebexPermanentError as e:
            if e.status_code != 401 or self.settings.oauth is None:
                raise
            self.log.info(
                "webex_api_auth access token rejected (401, trackingId %s); refreshing it once", e.tracking_id
            )
        self._token.refresh(used["token"])
        return send()

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
            idempotent = is_idempotent(method)
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
            self._token.current()
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

        Classification (the ambiguous-write rule is in :mod:`~webex_wholesale.hooks.retry`; see
        :func:`is_retryable` for what is retried):

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
            token = self._token.current()
            if used is not None:
                used["token"] = token
            headers["Authorization"] = f"Bearer {token}"
        if json is not None:
            headers["Content-Type"] = "application/json"
        log_path = self._log_path(url, params)

        connect_timeout = min(CONNECT_TIMEOUT, self.timeout)
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
                timeout=(connect_timeout, self.timeout),
                allow_redirects=False,
            )
        except (requests.ConnectionError, requests.Timeout) as e:
            failure = e
        duration_ms = int((time.monotonic() - started) * 1000)

        error: Exception
        if response is None:
            assert failure is not None
            tracking_id = headers["TrackingID"]
            error = error_for_no_answer(
                failure,
                method=method,
                path=log_path,
                idempotent=idempotent,
                tracking_id=tracking_id,
                connect_timeout=connect_timeout,
                read_timeout=self.timeout,
            )
            status = f"error error={type(failure).__name__}"
            failure = None  # keep no reference to the request (and its Authorization header)
        else:
            tracking_id = response.headers.get("Trackingid") or headers["TrackingID"]
            status = str(response.status_code)
            if 200 <= response.status_code < 300:
                self._log_call(method, log_path, status, tracking_id, duration_ms, attempt, None)
                return response
            answer_error = api_error(response, method, log_path, tracking_id)
            tracking_id = answer_error.tracking_id or tracking_id
            error = error_for_answer(answer_error, idempotent=idempotent)

        retry_in = None
        if is_retryable(error) and attempt < max_attempts:
            retry_in = retry_wait(error, attempt, self.max_retry_wait)
        plan["wait"] = retry_in or 0.0
        self._log_call(method, log_path, status, tracking_id, duration_ms, attempt, retry_in)
        raise error

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
        """Yield every item of a list endpoint, each page fetched with :meth:`_request` (see :func:`paginate`)."""
        return paginate(
            lambda endpoint, page_params: self._request("GET", endpoint, params=page_params),
            path,
            params,
            items_keys=items_keys,
        )

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
        return id_from_location(response, "POST /wholesale/customers")

    def get_customer(self, customer_id: str, *, include_package_license_info: bool = False) -> Customer:
        """``GET /wholesale/customers/{id}``: the polling target for provisioning."""
        params = {"includePackageLicenseInfo": "true"} if include_package_license_info else None
        response = self._request("GET", f"/wholesale/customers/{_seg(customer_id)}", params=params)
        return Customer.model_validate(json_body(response))

    def update_customer(self, customer_id: str, body: Mapping[str, Any]) -> str:
        """``PUT /wholesale/customers/{id}`` (202); return the customer id.

        ``packages`` is the complete desired set: a package left out is removed.
        """
        response = self._request("PUT", f"/wholesale/customers/{_seg(customer_id)}", json=dict(body))
        try:
            return id_from_location(response, f"PUT /wholesale/customers/{customer_id}")
        except WebexWholesaleError:
            return customer_id

    def delete_customer(self, customer_id: str) -> None:
        """``DELETE /wholesale/customers/{id}`` (202; removal continues in the background until Get gives 404)."""
        self._request("DELETE", f"/wholesale/customers/{_seg(customer_id)}")

    def precheck_customer(self, body: Mapping[str, Any]) -> PrecheckResult:
        """``POST /wholesale/customers/validate``: creates nothing, so it is retried like a read."""
        response = self._request("POST", "/wholesale/customers/validate", json=dict(body), idempotent=True)
        return PrecheckResult.model_validate(json_body(response))

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
        return Subscriber.model_validate(json_body(response))

    def get_subscriber(self, subscriber_id: str) -> Subscriber:
        """``GET /wholesale/subscribers/{id}``."""
        response = self._request("GET", f"/wholesale/subscribers/{_seg(subscriber_id)}")
        return Subscriber.model_validate(json_body(response))

    def update_subscriber(self, subscriber_id: str, body: Mapping[str, Any]) -> Subscriber:
        """``PUT /wholesale/subscribers/{id}`` (200)."""
        response = self._request("PUT", f"/wholesale/subscribers/{_seg(subscriber_id)}", json=dict(body))
        return Subscriber.model_validate(json_body(response))

    def delete_subscriber(self, subscriber_id: str) -> None:
        """``DELETE /wholesale/subscribers/{id}`` (204)."""
        self._request("DELETE", f"/wholesale/subscribers/{_seg(subscriber_id)}")

    def precheck_subscriber(self, body: Mapping[str, Any]) -> PrecheckResult:
        """``POST /wholesale/subscribers/validate``: creates nothing, so it is retried like a read."""
        response = self._request("POST", "/wholesale/subscribers/validate", json=dict(body), idempotent=True)
        return PrecheckResult.model_validate(json_body(response))

    def list_sub_partners(self, *, provisioning_state: str | None = None) -> list[SubPartner]:
        """``GET /wholesale/subPartners`` (all pages). Accepts ``items`` or ``subPartners`` as the list key."""
        items = self._paginate(
            "/wholesale/subPartners",
            {"provisioningState": provisioning_state},
            items_keys=("items", "subPartners"),
        )
        return [SubPartner.model_validate(item) for item in items]

    def wait_for_customer(self, customer_id: str, *, end_time: float, poll_interval: float) -> dict[str, Any]:
        """Poll the customer until its wait is over or ``end_time`` (epoch seconds) passes; the worker's loop.

        Returns the same event as ``WebexCustomerStatusTrigger`` (``webex_wholesale.models.wait``). Transient
        failures (429/423/5xx after retries, no answer) are logged and polling goes on; a permanent error
        (unknown customer, refused access) raises. Polls at once, then every ``poll_interval`` seconds.
        """
        from webex_wholesale.exceptions import WebexConnectionError, WebexTransientError
        from webex_wholesale.models.wait import customer_event, timeout_event

        last: Customer | None = None
        polls = 0
        while True:
            polls += 1
            try:
                last = self.get_customer(customer_id)
            except (WebexTransientError, WebexConnectionError) as e:
                self.log.warning("Polling customer %s failed transiently, polling on: %s", customer_id, e)
            else:
                self.log.info("webex_customer_poll customer_id=%s status=%s poll=%d", customer_id, last.status, polls)
                event = customer_event(last)
                if event is not None:
                    return event
            remaining = end_time - time.time()
            if remaining <= 0:
                return timeout_event(customer_id, last, polls)
            time.sleep(min(poll_interval, remaining))

    # ------------------------------------------------------------------ UI

    def test_connection(self) -> tuple[bool, str]:
        """The UI's Test button: ``GET /wholesale/customers?max=1``, one attempt, no retries."""
        try:
            self._request("GET", "/wholesale/customers", params={"max": 1}, max_attempts=1)
        except Exception as e:
            return False, f"{type(e).__name__}: {e}"
        return True, f"Connection successfully tested: {self.settings.base_url} listed customers."


def _origin(url: str) -> tuple[str, str]:
    """``(scheme, host:port)``, default port filled in: the token is only sent to the base URL's origin."""
    parts = urlsplit(url)
    netloc = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), f"{netloc}:{port}"


def _seg(value: str) -> str:
    """Quote an id for use as one path segment."""
    return quote(str(value), safe="")
