"""Values as a reader of the package language expects them (docs/package.md, "Values"):
numbers and amounts with the locale's separators and no trailing zeros from the database
(``12.0000000000`` is "12,00"), dates in words, times in Europe/Amsterdam with the zone
named. Used by the HTML summary, the cover and the XLSX information sheet; the JSON and CSV
files keep machine forms (ISO 8601, a decimal point).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_ZONE = {"nl": "Nederlandse tijd", "en": "Amsterdam time"}


def plain_decimal(value: Decimal) -> Decimal:
    """A database decimal without its padding: ``12.0000000000`` gives ``12.00``,
    ``3.2500`` gives ``3.25``, ``0.125`` stays; a whole number stored whole stays whole."""
    if int(value.as_tuple().exponent) >= 0:
        return value
    exponent = int(value.normalize().as_tuple().exponent)
    places = max(2, -exponent)
    return value.quantize(Decimal(1).scaleb(-places))


def number(value: int | float | Decimal, language: str) -> str:
    """A number with the locale's decimal and group separators."""
    if isinstance(value, Decimal):
        plain = plain_decimal(value)
        places = max(0, -int(plain.as_tuple().exponent))
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(plain, format=pattern, locale=language)
    if isinstance(value, float) and not value.is_integer():
        return format_decimal(value, format="#,##0.0##", locale=language)
    return format_decimal(value, format="#,##0", locale=language)


def day(value: date, language: str) -> str:
    """A date in words: "31 december 2025" / "31 December 2025"."""
    return format_date(value, "d MMMM yyyy", locale=language)


def moment(value: datetime, language: str) -> str:
    """An instant in Amsterdam time with the zone named: "2 december 2026 14:03 (CET,
    Nederlandse tijd)"."""
    local = value.astimezone(AMSTERDAM)
    text = format_datetime(local, "d MMMM yyyy HH:mm", locale=language)
    return f"{text} ({local.tzname()}, {_ZONE.get(language, _ZONE['nl'])})"
