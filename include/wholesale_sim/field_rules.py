"""Checks of single request fields shared by the customer and subscriber rules.

Each check raises a 400 whose message names the field by its JSON path (``address.country``), so a client
can show the user what to fix without reading simulator code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import phonenumbers
import pycountry
from babel import localedata

from wholesale_sim.errors import bad_request

ADDRESS_LINE_MAX = 50
COUNTRIES_NEEDING_STATE_AND_ZIP = frozenset({"US", "CA"})  # notes §3.1: the simulator's reading, not Webex's list
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
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
    country = text(value, "country", f"{path}.country", required=True) or ""
    if country.upper() not in _countries():
        raise bad_request(f"{path}.country must be the ISO 3166-1 alpha-2 code of a country, got {country!r}.")
    needs_region = country.upper() in COUNTRIES_NEEDING_STATE_AND_ZIP
    text(value, "stateOrProvince", f"{path}.stateOrProvince", required=needs_region)
    text(value, "zipOrPostalCode", f"{path}.zipOrPostalCode", required=needs_region)
    return value


@cache
def _countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of today's countries: Webex refuses a code of no country (``XX``, ``EU``)."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _time_zones() -> frozenset[str]:
    """Webex's "List of Time Zones for Wholesale Provisioning", taken as IANA's per-country zones (``zone.tab``):
    the spec links the list without a copy; aliases such as ``US/Pacific`` and ``UTC`` are not on it."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    return frozenset(line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#"))


def timezone(parent: dict[str, Any], key: str, path: str) -> None:
    value = text(parent, key, path, required=True)
    if value not in _time_zones():
        raise bad_request(f"{path} is not on the list of time zones for Wholesale provisioning: {value!r}.")


def language(parent: dict[str, Any], key: str, path: str, *, pattern: re.Pattern[str], required: bool) -> None:
    """A language (``en``) or language and region (``en_US``; ``pattern`` says which spellings) CLDR knows."""
    value = text(parent, key, path, required=required)
    if value is None:
        return
    language_code, _, region = value.partition("_")
    if not pattern.match(value) or not localedata.exists(f"{language_code}_{region.upper()}" if region else value):
        raise bad_request(f"{path} must be a known language like 'en' or 'en_US', got {value!r}.")


def phone_number(parent: dict[str, Any], key: str, path: str) -> str | None:
    """E.164 and a number in use: Webex refuses ``+10005551212`` (no such number) as much as ``555``."""
    value = text(parent, key, path, required=False)
    if value is not None and not (_E164.match(value) and _number_in_use(value)):
        raise bad_request(f"{path} must be a valid E.164 number such as +14085550100, got {value!r}.")
    return value


def _number_in_use(value: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value))
    except phonenumbers.NumberParseException:
        return False


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
