"""Every knob of the simulator in one dataclass, so the CLI, tests and scripts configure it the same way.

Each command-line flag of ``wholesale-sim`` is a field here with the same default (``--provision-delay`` is
``provision_delay``, ``--templates`` is ``templates_file``, ``--sub-partners`` is ``sub_partners_file``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8123
DEFAULT_TOKEN = "sim-token"  # a local, well-known test token; never a real credential  # noqa: S105


@dataclass(frozen=True)
class SimConfig:
    """Configuration of one simulator instance (immutable: build a new one to change a value)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str = DEFAULT_TOKEN
    provision_delay: float = 2.0
    """Seconds a customer stays ``provisioning``/``updating``/``deleting`` before its next status."""
    templates_file: Path | str | None = None
    """JSON file of onboarding templates; ``None`` uses the shipped ``data/templates.json``."""
    sub_partners_file: Path | str | None = None
    """JSON file of sub-partners; ``None`` uses the shipped ``data/sub_partners.json``."""
    rate_limit: float | None = None
    """Requests per second allowed on ``/v1`` (token bucket, burst = rate); ``None`` means unlimited."""
    rate_window: float | None = None
    """Count ``rate_limit`` per fixed window of this many seconds instead (``rate_limit x rate_window`` requests in
    each window, the count reset when the next one starts), as another shape a real limit may have."""
    latency_ms: int = 0
    """Added to every ``/v1`` answer."""
    fault_rate: float = 0.0
    """Fraction of ``/v1`` requests answered 500/502/503/429 instead of being served."""
    slow_rate: float = 0.0
    """Fraction of ``/v1`` requests delayed by a further ``slow_ms``."""
    slow_ms: int = 0
    seed: int = 0
    """Seed of the fault and slow-response draws: same seed and request order, same faults."""
    state_file: Path | str | None = None
    """Keep the state in this JSON file across restarts; ``None`` keeps it in memory only."""
    with_errors_pattern: str = "*partial-error*"
    error_pattern: str = "*provision-error*"
    rpl_review_pattern: str = "*rpl-review*"
    pending_migration_pattern: str = "*migrate*"
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = None
    oauth_refresh_token: str | None = None

    @property
    def oauth_enabled(self) -> bool:
        """The refresh endpoint answers only when all three OAuth values are configured."""
        return bool(self.oauth_client_id and self.oauth_client_secret and self.oauth_refresh_token)
