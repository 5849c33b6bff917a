"""Checks of single request fields shared by the customer and subscriber rules.

Each check raises a 400 whose message names the field by its JSON path (``address.country``), so a client
can show the user what to fix without reading simulator code.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from typing import Any

from wholesale_sim.errors import bad_request

ADDRESS_LINE_MAX = 50
COUNTRIES_NEEDING_STATE_AND_ZIP = frozenset({"US", "CA"})  # notes §3.1: the simulator's reading, not Webex's list
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_EXTENSION = re.compile(r"^\d{2,10}$")


def obj(parent: dict[str, Any], key: str, path: str, *, required: bool) -> dict[str, Any] | None:
    """``parent[key]`` when it is a JSON object; ``None`` when absent and optional."""
    value = parent.get(key)
    if value is None:
        if required:
            raise bad_request(f"{path} is required.")
        return None
    if not isinstance(value, dict):
        raise bad_request(f"{path} must be an object.")
    return value


def text(parent: dict[str, Any], key: str, path: str, *, required: bool, max_len: int | None = None) -> str | None:
    """``parent[key]`` when it is a non-empty string; ``None`` when absent and optional."""
    value = parent.get(key)
    if value is None:
        if required:
            raise bad_request(f"{path} is required.")
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{path} must be a non-empty string.")
    if max_len is not None and len(value) > max_len:
        raise bad_request(f"{path} must be at most {max_len} characters long (got {len(value)}).")
    return value


def email(parent: dict[str, Any], key: str, path: str, *, required: bool) -> str | None:
    value = text(parent, key, path, required=required)
    if value is not None and not _EMAIL.match(value):
        raise bad_request(f"{path} is not a valid email address: {value!r}.")
    return value


def address(parent: dict[str, Any], key: str, path: str, *, required: bool) -> dict[str, Any] | None:
    """An ``Address``: line 1, city and a 2-letter country; lines of at most 50 characters; US/CA need more."""
    value = obj(parent, key, path, required=required)
    if value is None:
        return None
    text(value, "addressLine1", f"{path}.addressLine1", required=True, max_len=ADDRESS_LINE_MAX)
    text(value, "addressLine2", f"{path}.addressLine2", required=False, max_len=ADDRESS_LINE_MAX)
    text(value, "city", f"{path}.city", required=True)
    country = text(value, "country", f"{path}.country", required=True)
    if not _COUNTRY.match(country or ""):
        raise bad_request(f"{path}.country must be an ISO 3166 alpha-2 code of exactly 2 letters, got {country!r}.")
    needs_region = country.upper() in COUNTRIES_NEEDING_STATE_AND_ZIP
    text(value, "stateOrProvince", f"{path}.stateOrProvince", required=needs_region)
    text(value, "zipOrPostalCode", f"{path}.zipOrPostalCode", required=needs_region)
    return value


def timezone(parent: dict[str, Any], key: str, path: str) -> None:
    value = text(parent, key, path, required=True)
    try:
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise bad_request(f"{path} is not a known time zone: {value!r}.") from None


def language(parent: dict[str, Any], key: str, path: str, *, pattern: re.Pattern[str], required: bool) -> None:
    value = text(parent, key, path, required=required)
    if value is not None and not pattern.match(value):
        raise bad_request(f"{path} must look like 'en' or 'en_US', got {value!r}.")


def phone_number(parent: dict[str, Any], key: str, path: str) -> str | None:
    value = text(parent, key, path, required=False)
    if value is not None and not _E164.match(value):
        raise bad_request(f"{path} must be an E.164 number such as +14085550100, got {value!r}.")
    return value


def extension(parent: dict[str, Any], key: str, path: str) -> str | None:
    value = text(parent, key, path, required=False)
    if value is not None and not _EXTENSION.match(value):
        raise bad_request(f"{path} must be 2 to 10 digits, got {value!r}.")
    return value


def string_list(parent: dict[str, Any], key: str, path: str, *, required: bool) -> list[str] | None:
    """A non-empty JSON array of strings without repeats."""
    value = parent.get(key)
    if value is None:
        if required:
            raise bad_request(f"{path} is required.")
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{path} must be a non-empty array of strings.")
    if len(set(value)) != len(value):
        raise bad_request(f"{path} lists a value more than once.")
    return value


def one_of(value: str, allowed: Iterable[str], path: str) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise bad_request(f"{path} has an unknown value {value!r}; expected one of: {', '.join(allowed)}.")
