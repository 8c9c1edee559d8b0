"""Dutch public-holiday calendar and working-day arithmetic for GDPR deadlines.

Reg. 1182/71 art. 2(1) takes "public holidays" from the Member State where action is to be
taken; for the Netherlands that designation is Algemene termijnenwet (Atw) art. 3(1).
docs/legal.md, "Holidays", describes the default calendar; Good Friday (Atw art. 3(2)) and the
Royal-Decree equated days (Atw art. 3(3)) are opt-in flags because they are only equated with
holidays "for the purposes of the Atw" and leaving them out can only make a deadline earlier.

This module is pure (no Flask, no database) so that the law's arithmetic can be tested alone.
The public names are re-exported by :mod:`rights.deadlines`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

__all__ = [
    "EQUATED_DAYS",
    "NLHolidayCalendar",
    "easter_sunday",
    "roll_forward",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5

# Atw art. 3(3): days equated with a public holiday by Royal Decree (docs/legal.md, "Holidays").
# "Besluit gelijkstelling" 2023-2025 and 2026-2028 [S]; verify against the Staatscourant and
# extend this table when the next decree is published.
EQUATED_DAYS: MappingProxyType[int, tuple[date, ...]] = MappingProxyType(
    {
        2023: (date(2023, 4, 28), date(2023, 5, 19)),
        2024: (date(2024, 5, 10), date(2024, 12, 27)),
        2025: (date(2025, 5, 30),),
        2026: (date(2026, 1, 2), date(2026, 5, 15)),
        2027: (date(2027, 5, 7),),
        2028: (date(2028, 4, 28), date(2028, 5, 26)),
    }
)


def easter_sunday(year: int) -> date:
    """Western Easter Sunday by the Anonymous Gregorian algorithm (Meeus/Jones/Butcher).

    Valid for every Gregorian year that :class:`datetime.date` can represent.
    """
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century + 8) // 25
    moon_correction = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon_correction + 15) % 30
    leap_years, year_rest = divmod(year_of_century, 4)
    weekday_shift = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    late_shift = (golden + 11 * epact + 22 * weekday_shift) // 451
    month, day = divmod(epact + weekday_shift - 7 * late_shift + 114, 31)
    return date(year, month, day + 1)


def _kings_day(year: int) -> date:
    """Koningsdag: 27 April, or Saturday 26 April when 27 April is a Sunday (docs/legal.md,
    "Holidays").

    The current rule is applied to every year; Koninginnedag (30 April, before 2014) is not
    modelled because no open request can have a deadline that far back.
    """
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        return kings_day - _ONE_DAY
    return kings_day


@functools.lru_cache(maxsize=1024)
def _holidays_for(year: int, good_friday: bool, equated_days: bool) -> frozenset[date]:
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1),  # Nieuwjaarsdag
        easter + timedelta(days=1),  # Tweede Paasdag
        _kings_day(year),  # Koningsdag
        date(year, 5, 5),  # Bevrijdingsdag: every year under Atw art. 3(1), not only lustra
        easter + timedelta(days=39),  # Hemelvaartsdag
        easter + timedelta(days=50),  # Tweede Pinksterdag
        date(year, 12, 25),  # Eerste Kerstdag
        date(year, 12, 26),  # Tweede Kerstdag
    }
    if good_friday:
        days.add(easter - timedelta(days=2))  # Atw art. 3(2)
    if equated_days:
        days.update(EQUATED_DAYS.get(year, ()))  # Atw art. 3(3)
    return frozenset(days)


@dataclass(frozen=True, slots=True)
class NLHolidayCalendar:
    """Public holidays in the Netherlands for Reg. 1182/71 art. 2(1) and 3(4).

    The default is the Atw art. 3(1) list (docs/legal.md, "Holidays"): Nieuwjaarsdag, Tweede
    Paasdag, Koningsdag, Bevrijdingsdag (every year), Hemelvaartsdag, Tweede Pinksterdag and
    both Christmas days. There are no substitute holidays: a holiday on a weekend is not moved.

    ``good_friday`` adds Goede Vrijdag (Atw art. 3(2)); ``equated_days`` adds the Royal-Decree
    days of :data:`EQUATED_DAYS` (Atw art. 3(3)). Both are off by default.
    Instances are immutable and hashable; holidays are cached per year.
    """

    good_friday: bool = False
    equated_days: bool = False

    def holidays(self, year: int) -> set[date]:
        """The public holidays of ``year`` (a fresh set; the cached one stays immutable)."""
        return set(_holidays_for(year, self.good_friday, self.equated_days))

    def is_working_day(self, day: date) -> bool:
        """Reg. 1182/71 art. 2(2): every day other than a public holiday, Saturday or Sunday."""
        if day.weekday() >= _SATURDAY:
            return False
        return day not in _holidays_for(day.year, self.good_friday, self.equated_days)


DEFAULT_CALENDAR = NLHolidayCalendar()


def roll_forward(d: date, calendar: NLHolidayCalendar | None = None) -> date:
    """The first working day on or after ``d`` (Reg. 1182/71 art. 3(4); docs/legal.md, "Deadlines").

    A period whose last day is a Saturday, Sunday or public holiday ends with the following
    working day. ``calendar`` defaults to the NL default calendar.
    """
    cal = DEFAULT_CALENDAR if calendar is None else calendar
    while not cal.is_working_day(d):
        d += _ONE_DAY
    return d


def working_days_between(start: date, end: date, calendar: NLHolidayCalendar | None = None) -> int:
    """Working days after ``start`` up to and including ``end``; 0 when ``end <= start``.

    The day of the event itself is not counted (Reg. 1182/71 art. 3(1), second subparagraph).
    Used for the "without undue delay" test (docs/legal.md, "Pausing the clock").
    """
    if end <= start:
        return 0
    cal = DEFAULT_CALENDAR if calendar is None else calendar
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        if cal.is_working_day(day):
            count += 1
        day += _ONE_DAY
    return count
