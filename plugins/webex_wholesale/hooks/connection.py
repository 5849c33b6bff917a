"""What :class:`~webex_wholesale.hooks.wholesale.WebexWholesaleHook` reads from its Airflow connection.

The rules for turning a ``webex_wholesale`` connection into usable settings live here, apart from the HTTP code,
so that every way a connection can be wrong is checked in one place and reported as a
:class:`~webex_wholesale.exceptions.WebexConfigurationError` that names the connection and what to set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from webex_wholesale.exceptions import WebexConfigurationError

__all__ = ["ConnectionSettings", "OAuthSettings", "api_base_url", "read_settings"]

_OAUTH_KEYS = ("client_id", "client_secret", "refresh_token")


@dataclass(frozen=True)
class OAuthSettings:
    """The extras needed to obtain access tokens with a refresh token (secrets kept out of ``repr``)."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    token_url: str


@dataclass(frozen=True)
class ConnectionSettings:
    """What the hook reads from its Airflow connection (loaded once per hook instance)."""

    base_url: str
    password: str | None = field(repr=False)
    oauth: OAuthSettings | None
    requests_per_second: float | None
    verify: bool | str = True
    proxies: dict[str, str] = field(default_factory=dict)


def api_base_url(connection: Any, conn_id: str) -> str:
    """The API base URL from the connection's host, keeping a full URL as is.

    HttpHook builds ``schema://host`` with ``http`` as default schema and appends ``:port`` after any path;
    here a host with a scheme is used unchanged, a host without one gets ``https://`` (or the ``schema``
    field when it is http/https), and a port is put into the network location.
    """
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
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def read_settings(connection: Any, conn_id: str, base_url: str) -> ConnectionSettings:
    """Validate the connection's password and extras (OAuth, rate limit, TLS, proxies) into settings.

    :param base_url: the API base URL already derived with :func:`api_base_url` (the default token URL is
        ``<base_url>/access_token``).
    """
    extra = connection.extra_dejson or {}

    oauth = None
    present = [k for k in _OAUTH_KEYS if extra.get(k)]
    if present:
        missing = [k for k in _OAUTH_KEYS if not extra.get(k)]
        if missing:
            raise WebexConfigurationError(
                f"Connection {conn_id!r}: OAuth token refresh needs the extras {', '.join(_OAUTH_KEYS)}; "
                f"missing {', '.join(missing)}."
            )
        token_url = str(extra.get("token_url") or f"{base_url}/access_token")
        if urlsplit(token_url).scheme not in ("http", "https"):
            raise WebexConfigurationError(
                f"Connection {conn_id!r}: extra token_url must be a full http(s) URL, got {token_url!r}."
            )
        oauth = OAuthSettings(
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
    return ConnectionSettings(
        base_url=base_url,
        password=connection.password or None,
        oauth=oauth,
        requests_per_second=rps,
        verify=extra.get("verify", True),
        proxies={str(k): str(v) for k, v in proxies.items()},
    )
