"""What Webex accepts for a country, a locale, a time zone and a phone number, read from the libraries made for it.

A shape (two letters, ``ll_CC``, any text) lets through values Webex refuses, often after the customer exists, so
each check here uses an exact list or a real parser: ISO 3166-1 from ``pycountry`` (babel's territories include
non-countries such as ``ZZ`` and ``EU``), CLDR locales from ``babel``, IANA time zones from ``tzdata`` (the same
list on every machine, whatever the OS ships) and ``phonenumbers`` (libphonenumber's metadata).

Webex accepts only the zones of its "List of Time Zones for Wholesale Provisioning" (a help page the spec links,
with no machine-readable copy): those are IANA's per-country zones, the ones ``tzdata`` lists in ``zone.tab``.
Legacy aliases (``US/Pacific``, ``Asia/Calcutta``) and zones of no country (``UTC``, ``Etc/GMT+5``) are not on it.

Each check returns the value as Webex expects it, or raises :class:`Refused` with the reason and, where one can be
found, a suggestion. Normalizing never changes a value's meaning: ``us`` becomes ``US``, ``(240) 555-1212`` in a
US order ``+12405551212``; anything that could mean two things is refused instead.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from importlib import resources

import phonenumbers
import pycountry
from babel import localedata

#: A language code as people write it (``en``, ``en_US``, ``en_us``, ``en-US``): the shape the form checks.
LOCALE_SHAPE = r"^([A-Za-z]{2})(?:[_-]([A-Za-z]{2}))?$"
_LOCALE = re.compile(LOCALE_SHAPE)
#: How the spec spells ``customerInfo.language``, ``{ISO-639-1}_{ISO-3166}`` or ``{ISO-639-1}``: CLDR's spelling.
CUSTOMER_LANGUAGE_SHAPE = r"^[a-z]{2}(_[A-Z]{2})?$"
_CLDR_NAME = re.compile(CUSTOMER_LANGUAGE_SHAPE)
#: What a phone number may be written with: an optional ``+``, digits and the separators people type.
PHONE_SHAPE = r"^\+?[-0-9 ().]*[0-9][-0-9 ().]*$"
_PHONE_SHAPE = re.compile(PHONE_SHAPE)
#: Why libphonenumber finds a number impossible, in words.
_IMPOSSIBLE = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "its country code is not one in use",
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "it has the wrong number of digits",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "it lacks the area code",
}
#: Why libphonenumber cannot read a number at all, in words.
_UNREADABLE = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: _IMPOSSIBLE[
        phonenumbers.ValidationResult.INVALID_COUNTRY_CODE
    ],
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}


class Refused(ValueError):
    """A value Webex would refuse: ``reason`` says why, ``suggestion`` (or ``None``) what was probably meant."""

    def __init__(self, reason: str, suggestion: str | None = None) -> None:
        self.reason = reason
        self.suggestion = suggestion
        super().__init__(f"{reason}; did you mean {suggestion}?" if suggestion else reason)


@cache
def country_codes() -> tuple[str, ...]:
    """The ISO 3166-1 alpha-2 codes of today's countries, sorted."""
    return tuple(sorted(country.alpha_2 for country in pycountry.countries))


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA per-country time zones (``zone.tab``), sorted: the names Webex's list is made of."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    return tuple(sorted({line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")}))


@cache
def _zone_links() -> dict[str, str]:
    """Legacy zone name -> the zone it is an alias of (``L target alias`` lines of ``tzdata.zi``)."""
    data = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text(encoding="utf-8")
    return {parts[2]: parts[1] for line in data.splitlines() if (parts := line.split())[:1] == ["L"]}


@cache
def locales() -> frozenset[str]:
    """The CLDR locales of the form ``ll`` or ``ll_CC`` (ISO 639-1 language, optional ISO 3166 region)."""
    return frozenset(name for name in localedata.locale_identifiers() if _CLDR_NAME.match(name))


def _closest(value: str, choices: tuple[str, ...] | frozenset[str]) -> str | None:
    return next(iter(difflib.get_close_matches(value, choices, n=1)), None)


def country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code of a country, upper-cased; a name or an alpha-3 code is refused with its code."""
    code = value.upper()
    if code in country_codes():
        return code
    try:
        suggestion = pycountry.countries.lookup(value).alpha_2
    except LookupError:
        suggestion = None
    raise Refused(f"{value!r} is not an ISO 3166-1 alpha-2 country code (2 letters, e.g. US)", suggestion)


def country_pattern() -> str:
    """A JSON-schema pattern matching exactly the country codes, in any case (``[Uu][SsYyZz]`` per first letter)."""
    second: dict[str, str] = {}
    for code in country_codes():
        second[code[0]] = second.get(code[0], "") + code[1]
    groups = (f"[{first}{first.lower()}][{letters}{letters.lower()}]" for first, letters in second.items())
    return f"^(?:{'|'.join(groups)})$"


def time_zone(value: str) -> str:
    """A zone of Webex's list, exactly as spelled there; an alias or a misspelling is refused with its zone."""
    if value in time_zones():
        return value
    alias_of = _zone_links().get(value)
    suggestion = alias_of if alias_of in time_zones() else _closest(value, time_zones())
    raise Refused(f"{value!r} is not a time zone on Webex's list (IANA names such as America/Los_Angeles)", suggestion)


def _locale(value: str) -> str:
    """The CLDR locale ``value`` names, read in any case with ``_`` or ``-`` (``en_us`` is ``en_US``)."""
    match = _LOCALE.match(value)
    if match is None:
        raise Refused(f"{value!r} is not a language code: an ISO 639-1 language, optionally with a region (en, en_US)")
    language, region = match.group(1).lower(), match.group(2)
    name = f"{language}_{region.upper()}" if region else language
    if name not in locales():
        known_language = language if language in locales() else None  # en_UK: the region is the mistake
        raise Refused(f"{value!r} is not a known language and region", known_language or _closest(name, locales()))
    return name


def customer_language(value: str) -> str:
    """A known locale spelled as the spec writes ``customerInfo.language`` (``en``, ``en_US``), else refused."""
    name = _locale(value)
    if value != name:
        raise Refused(f"{value!r} must be spelled ll or ll_CC", name)
    return name


def location_language(value: str) -> str:
    """A known locale in the spelling of the spec's calling locations, lower case: ``en_US`` is sent as ``en_us``."""
    return _locale(value).lower()


def phone_number(value: str, region: str | None) -> str:
    """The number in E.164 (``+12405551212``); without ``+`` it is read as a national number of ``region``.

    A spreadsheet drops a number's leading ``+``: ``12405551212`` in a US order is ``+12405551212``. Digits that
    are a valid number both in ``region`` and as an international number, two different ones, are refused.
    """
    if not _PHONE_SHAPE.match(value):
        raise Refused(f"{value!r} is not a phone number: '+', country code and number, e.g. +12405551212")
    if value.startswith("+"):
        return _e164(_parsed(value, None), value)
    international = _valid_or_none(f"+{phonenumbers.normalize_digits_only(value)}")
    if region is None:
        reason = f"{value!r} has no '+' country code, and the order's address.country is not valid to read it in"
        raise Refused(reason, international)
    national = _valid_or_none(value, region)
    if national is None:
        raise Refused(f"{value!r} is not a valid phone number in {region}", international)
    if international not in (None, national):
        reason = f"{value!r} is ambiguous: {national} in {region}, or {international}; write it with its '+'"
        raise Refused(reason)
    return national


def _parsed(value: str, region: str | None) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        why = _UNREADABLE.get(error.error_type, "it cannot be read")
        raise Refused(f"{value!r} is not a valid phone number: {why}") from None


def _e164(number: phonenumbers.PhoneNumber, value: str) -> str:
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in _IMPOSSIBLE:
        raise Refused(f"{value!r} is not a valid phone number for +{number.country_code}: {_IMPOSSIBLE[possible]}")
    if not phonenumbers.is_valid_number(number):
        raise Refused(f"{value!r} is not a phone number in use for +{number.country_code} (no such number)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _valid_or_none(value: str, region: str | None = None) -> str | None:
    try:
        return _e164(_parsed(value, region), value)
    except Refused:
        return None
