"""``wholesale-sim``: run the simulator from the command line (also ``python -m wholesale_sim``).

Every option maps to a ``SimConfig`` field with the same default. Errors are one line on stderr: argparse's
for bad flags (exit 2), ours for a port in use or an unusable file (exit 1).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from wholesale_sim.app import create_app
from wholesale_sim.catalog import CatalogError
from wholesale_sim.config import SimConfig
from wholesale_sim.persistence import StateFileError
from wholesale_sim.server import bind, make_server

PROG = "wholesale-sim"
DEFAULTS = SimConfig()


def fraction(raw: str) -> float:
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {raw}")
    return value


def non_negative(kind: type) -> object:
    def parse(raw: str) -> float | int:
        value = kind(raw)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be 0 or more, got {raw}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


def positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {raw}")
    return value


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a bad flag prints one line (not the whole usage block) before exiting with code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = OneLineErrorParser(
        prog=PROG,
        description="Local simulator of the Cisco Webex Wholesale Provisioning API (see docs/simulator.md). "
        "Defaults are shown in brackets.",
    )
    p.add_argument("--host", default=DEFAULTS.host, help="address to listen on [%(default)s]")
    p.add_argument(
        "--port", type=int, default=DEFAULTS.port, help="port to listen on; 0 picks a free one [%(default)s]"
    )
    p.add_argument("--token", default=DEFAULTS.token, help="the bearer token /v1 accepts [%(default)s]")
    p.add_argument(
        "--provision-delay",
        type=non_negative(float),
        default=DEFAULTS.provision_delay,
        help="seconds a customer stays provisioning/updating/deleting [%(default)s]",
    )
    p.add_argument(
        "--templates",
        dest="templates_file",
        type=Path,
        default=None,
        help="JSON file of onboarding templates [shipped: demo-us-all, demo-gb-meetings]",
    )
    p.add_argument(
        "--sub-partners",
        dest="sub_partners_file",
        type=Path,
        default=None,
        help="JSON file of sub-partners [shipped: one active, one suspended]",
    )
    p.add_argument(
        "--state-file", type=Path, default=None, help="keep the state in this JSON file across restarts [memory only]"
    )
    traffic = p.add_argument_group("traffic (all off by default; they apply to /v1 only)")
    traffic.add_argument(
        "--rate-limit",
        type=positive_float,
        default=None,
        metavar="RPS",
        help="requests per second (token bucket, burst = RPS); excess gets 429 + Retry-After [off]",
    )
    traffic.add_argument(
        "--rate-window",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="count --rate-limit per fixed window of SECONDS instead of a token bucket [token bucket]",
    )
    traffic.add_argument(
        "--latency-ms",
        type=non_negative(int),
        default=DEFAULTS.latency_ms,
        help="milliseconds added to every answer [%(default)s]",
    )
    traffic.add_argument(
        "--fault-rate",
        type=fraction,
        default=DEFAULTS.fault_rate,
        metavar="F",
        help="fraction of requests answered 500/502/503/429 instead; nothing is changed [%(default)s]",
    )
    traffic.add_argument(
        "--slow-rate",
        type=fraction,
        default=DEFAULTS.slow_rate,
        metavar="F",
        help="fraction of requests delayed by a further --slow-ms [%(default)s]",
    )
    traffic.add_argument(
        "--slow-ms",
        type=non_negative(int),
        default=DEFAULTS.slow_ms,
        help="extra milliseconds of a slow answer [%(default)s]",
    )
    traffic.add_argument(
        "--seed",
        type=int,
        default=DEFAULTS.seed,
        help="seed of the fault/slow draws: same seed and request order, same faults [%(default)s]",
    )
    outcomes = p.add_argument_group("outcomes (case-insensitive glob patterns)")
    outcomes.add_argument(
        "--with-errors-pattern",
        default=DEFAULTS.with_errors_pattern,
        help="externalIds whose customer ends provisioned_with_errors [%(default)s]",
    )
    outcomes.add_argument(
        "--error-pattern",
        default=DEFAULTS.error_pattern,
        help="externalIds whose customer ends in error, errorCode 2560 [%(default)s]",
    )
    outcomes.add_argument(
        "--rpl-review-pattern",
        default=DEFAULTS.rpl_review_pattern,
        help="externalIds whose customer stops at pending_rpl_review [%(default)s]",
    )
    outcomes.add_argument(
        "--pending-migration-pattern",
        default=DEFAULTS.pending_migration_pattern,
        help="subscriber emails answered 202 pending_user_migration [%(default)s]",
    )
    oauth = p.add_argument_group("OAuth refresh at POST /v1/access_token (off unless all three are set)")
    oauth.add_argument("--oauth-client-id", default=None, help="client_id the token endpoint accepts")
    oauth.add_argument("--oauth-client-secret", default=None, help="client_secret the token endpoint accepts")
    oauth.add_argument("--oauth-refresh-token", default=None, help="refresh_token the token endpoint accepts")
    return p


def config_from_args(argv: Sequence[str] | None = None) -> SimConfig:
    return SimConfig(**vars(build_parser().parse_args(argv)))


def main(argv: Sequence[str] | None = None) -> int:
    config = config_from_args(argv)
    try:
        app = create_app(config)
    except (CatalogError, StateFileError) as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    try:
        sock = bind(config.host, config.port)
    except OSError as e:
        reason = (e.strerror or str(e)).lower()
        print(f"{PROG}: cannot listen on {config.host}:{config.port}: {reason}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    print(f"{PROG} listening on http://{config.host}:{port}/v1 (token: {config.token[:4]}…)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C after its clean shutdown (state saved)
        make_server(app).run(sockets=[sock])
    return 0
