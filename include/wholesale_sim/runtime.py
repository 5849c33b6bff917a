"""The one object a running simulator hangs everything on: configuration, reference data, state, traffic rules.

It lives in ``app.state.sim``; handlers reach it through the ``runtime`` dependency. Keeping it in one place
makes ``POST /_sim/reset`` a single call and lets two simulators run side by side in one process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.requests import Request

from wholesale_sim.catalog import Template, load_sub_partners, load_templates
from wholesale_sim.config import SimConfig
from wholesale_sim.lifecycle import purge_deleted
from wholesale_sim.persistence import load_state
from wholesale_sim.state import SimState
from wholesale_sim.traffic import FaultPlan, Limiter, rate_limiter


@dataclass
class SimRuntime:
    config: SimConfig
    templates: dict[str, Template]
    sub_partners: dict[str, dict]
    state: SimState
    faults: FaultPlan
    limiter: Limiter | None
    issued_tokens: dict[str, float] = field(default_factory=dict)
    """OAuth access tokens handed out by ``/v1/access_token`` -> expiry (epoch seconds)."""

    @classmethod
    def start(cls, config: SimConfig) -> SimRuntime:
        """Load reference data and any saved state; raises ``CatalogError``/``StateFileError`` on bad files."""
        return cls(
            config=config,
            templates=load_templates(config.templates_file),
            sub_partners=load_sub_partners(config.sub_partners_file),
            state=load_state(config.state_file),
            faults=FaultPlan.from_config(config),
            limiter=rate_limiter(config),
        )

    def now(self) -> float:
        """Wall-clock seconds: statuses derive from it, and it survives a restart with a state file."""
        return time.time()

    def current_state(self) -> SimState:
        """The state with finished deletions applied; every handler reads state through here."""
        purge_deleted(self.state, self.now(), self.config.provision_delay)
        return self.state

    def reset(self) -> None:
        """Forget every record, request and issued token; restart the fault sequence from the seed."""
        self.state = SimState()
        self.issued_tokens.clear()
        self.faults = FaultPlan.from_config(self.config)
        self.limiter = rate_limiter(self.config)


def runtime(request: Request) -> SimRuntime:
    """FastAPI dependency: the simulator serving this request."""
    return request.app.state.sim
