"""Reference data the simulator serves but never changes: onboarding templates and sub-partners.

Webex has no API to list onboarding templates (notes §12) and sub-partners are set up by Cisco (§15), so both
come from JSON files: the shipped defaults in ``data/`` or the operator's own (``--templates``,
``--sub-partners``). A bad file stops the simulator at start with a message naming the file and the entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from wholesale_sim.spec_enums import spec_enums


class CatalogError(ValueError):
    """A templates or sub-partners file that cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class Template:
    """A Partner Hub onboarding template, known by its ``provisioningId``."""

    provisioning_id: str
    name: str
    country: str
    packages: frozenset[str]
    """Customer packages this template allows (every spec package when the file leaves ``packages`` out)."""


def load_templates(path: Path | str | None) -> dict[str, Template]:
    """Templates by ``provisioningId`` from ``path``, or the shipped ``data/templates.json``."""
    source, data = _read(path, "templates.json")
    known = set(spec_enums().customer_packages)
    templates: dict[str, Template] = {}
    for i, entry in enumerate(_entries(data, "templates", source)):
        where = f"{source}: templates[{i}]"
        provisioning_id = _text(entry, "provisioningId", where)
        packages = entry.get("packages", sorted(known))
        if not isinstance(packages, list) or not packages:
            raise CatalogError(f"{where}: packages must be a non-empty list")
        unknown = sorted(set(packages) - known)
        if unknown:
            raise CatalogError(f"{where}: unknown packages {unknown}")
        templates[provisioning_id] = Template(
            provisioning_id=provisioning_id,
            name=_text(entry, "name", where),
            country=_text(entry, "country", where),
            packages=frozenset(packages),
        )
    return templates


def load_sub_partners(path: Path | str | None) -> dict[str, dict[str, Any]]:
    """Sub-partners (API-shaped ``SubPartner`` objects) by ``orgId``."""
    source, data = _read(path, "sub_partners.json")
    states = spec_enums().sub_partner_states
    partners: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(_entries(data, "subPartners", source)):
        where = f"{source}: subPartners[{i}]"
        org_id = _text(entry, "orgId", where)
        if entry.get("provisioningState") not in states:
            raise CatalogError(f"{where}: provisioningState must be one of {list(states)}")
        partners[org_id] = dict(entry)
    return partners


def _read(path: Path | str | None, default_name: str) -> tuple[str, Any]:
    if path is None:
        resource = resources.files("wholesale_sim").joinpath("data", default_name)
        return f"wholesale_sim/data/{default_name}", json.loads(resource.read_text(encoding="utf-8"))
    try:
        return str(path), json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CatalogError(f"{path}: {e}") from e


def _entries(data: Any, key: str, source: str) -> list[dict[str, Any]]:
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CatalogError(f"{source}: expected an object with a list of objects under {key!r}")
    return entries


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise CatalogError(f"{where}: {key} must be a non-empty string")
    return value
