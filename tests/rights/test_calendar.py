"""Dutch holiday calendar: docs/legal.md, "Holidays", with one row of vectors per year."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rights.calendar import (
    EQUATED_DAYS,
    NLHolidayCalendar,
    easter_sunday,
    roll_forward,
    working_days_between,
)

DEFAULT = NLHolidayCalendar()
WITH_GOOD_FRIDAY = NLHolidayCalendar(good_friday=True)
WITH_EQUATED = NLHolidayCalendar(equated_days=True)
ALL_FLAGS = NLHolidayCalendar(good_friday=True, equated_days=True)

# One row per year:
# Nieuwjaarsdag, (Goede Vrijdag, flag), 2e Paasdag, Koningsdag, Bevrijdingsdag,
# Hemelvaartsdag, 2e Pinksterdag, 1e Kerstdag, 2e Kerstdag.
HOLIDAY_TABLE = {
    2025: ("2025-01-01", "2025-04-18", "2025-04-21", "2025-04-26", "2025-05-05",
           "2025-05-29", "2025-06-09", "2025-12-25", "2025-12-26"),
    2026: ("2026-01-01", "2026-04-03", "2026-04-06", "2026-04-27", "2026-05-05",
           "2026-05-14", "2026-05-25", "2026-12-25", "2026-12-26"),
    2027: ("2027-01-01", "2027-03-26", "2027-03-29", "2027-04-27", "2027-05-05",
           "2027-05-06", "2027-05-17", "2027-12-25", "2027-12-26"),
    2028: ("2028-01-01", "2028-04-14", "2028-04-17", "2028-04-27", "2028-05-05",
           "2028-05-25", "2028-06-05", "2028-12-25", "2028-12-26"),
    2029: ("2029-01-01", "2029-03-30", "2029-04-02", "2029-04-27", "2029-05-05",
           "2029-05-10", "2029-05-21", "2029-12-25", "2029-12-26"),
    2030: ("2030-01-01", "2030-04-19", "2030-04-22", "2030-04-27", "2030-05-05",
           "2030-05-30", "2030-06-10", "2030-12-25", "2030-12-26"),
    2031: ("2031-01-01", "2031-04-11", "2031-04-14", "2031-04-26", "2031-05-05",
           "2031-05-22", "2031-06-02", "2031-12-25", "2031-12-26"),
}  # fmt: skip
NAMES = (
    "nieuwjaarsdag",
    "goede_vrijdag",
    "tweede_paasdag",
    "koningsdag",
    "bevrijdingsdag",
    "hemelvaartsdag",
    "tweede_pinksterdag",
    "eerste_kerstdag",
    "tweede_kerstdag",
)
# (weekday) column, 0 = Monday; checks that the table itself was read correctly.
WEEKDAYS = {
    2025: (2, 4, 0, 5, 0, 3, 0, 3, 4),
    2026: (3, 4, 0, 0, 1, 3, 0, 4, 5),
    2027: (4, 4, 0, 1, 2, 3, 0, 5, 6),
    2028: (5, 4, 0, 3, 4, 3, 0, 0, 1),
    2029: (0, 4, 0, 4, 5, 3, 0, 1, 2),
    2030: (1, 4, 0, 5, 6, 3, 0, 2, 3),
    2031: (2, 4, 0, 5, 0, 3, 0, 3, 4),
}

CELLS = [
    pytest.param(year, name, date.fromisoformat(day), WEEKDAYS[year][i], id=f"{year}-{name}")
    for year, days in HOLIDAY_TABLE.items()
    for i, (name, day) in enumerate(zip(NAMES, days, strict=True))
]


@pytest.mark.parametrize(("year", "name", "day", "weekday"), CELLS)
def test_holiday_table_cell(year: int, name: str, day: date, weekday: int) -> None:
    assert day.weekday() == weekday
    if name == "goede_vrijdag":
        assert day not in DEFAULT.holidays(year)
        assert day in WITH_GOOD_FRIDAY.holidays(year)
        assert DEFAULT.is_working_day(day)
        assert not WITH_GOOD_FRIDAY.is_working_day(day)
    else:
        assert day in DEFAULT.holidays(year)
        assert not DEFAULT.is_working_day(day)


@pytest.mark.parametrize("year", sorted(HOLIDAY_TABLE))
def test_default_calendar_is_exactly_the_atw_list(year: int) -> None:
    expected = {date.fromisoformat(d) for d in HOLIDAY_TABLE[year]}
    good_friday = date.fromisoformat(HOLIDAY_TABLE[year][1])
    assert DEFAULT.holidays(year) == expected - {good_friday}
    assert WITH_GOOD_FRIDAY.holidays(year) == expected


@pytest.mark.parametrize(
    ("day", "is_holiday"),
    [
        pytest.param(date(2025, 4, 26), True, id="2025-koningsdag-moved-to-saturday"),
        pytest.param(date(2025, 4, 27), False, id="2025-27-april-is-sunday"),
        pytest.param(date(2030, 4, 27), True, id="2030-saturday-no-shift"),
        pytest.param(date(2030, 4, 26), False, id="2030-no-friday-shift"),
        pytest.param(date(2031, 4, 26), True, id="2031-koningsdag-moved-to-saturday"),
        pytest.param(date(2031, 4, 27), False, id="2031-27-april-is-sunday"),
    ],
)
def test_koningsdag_shift(day: date, is_holiday: bool) -> None:
    assert (day in DEFAULT.holidays(day.year)) is is_holiday


@pytest.mark.parametrize("year", range(2020, 2041))
def test_bevrijdingsdag_every_year_not_only_lustrum(year: int) -> None:
    assert date(year, 5, 5) in DEFAULT.holidays(year)


@pytest.mark.parametrize("calendar", [DEFAULT, WITH_GOOD_FRIDAY, WITH_EQUATED, ALL_FLAGS])
@pytest.mark.parametrize(
    "day",
    [date(2026, 12, 24), date(2026, 12, 31), date(2026, 5, 4)],
    ids=["kerstavond", "oudejaarsdag", "dodenherdenking"],
)
def test_never_holidays(calendar: NLHolidayCalendar, day: date) -> None:
    assert day not in calendar.holidays(day.year)
    assert calendar.is_working_day(day)


def test_good_friday_only_with_flag() -> None:
    assert date(2026, 4, 3) not in DEFAULT.holidays(2026)
    assert date(2026, 4, 3) not in WITH_EQUATED.holidays(2026)
    assert date(2026, 4, 3) in WITH_GOOD_FRIDAY.holidays(2026)


@pytest.mark.parametrize("day", [date(2026, 5, 15), date(2026, 1, 2)])
def test_equated_days_only_with_flag(day: date) -> None:
    assert day not in DEFAULT.holidays(2026)
    assert day not in WITH_GOOD_FRIDAY.holidays(2026)
    assert day in WITH_EQUATED.holidays(2026)
    assert day in ALL_FLAGS.holidays(2026)


@pytest.mark.parametrize(
    "day",
    [
        date(2023, 4, 28),
        date(2023, 5, 19),
        date(2024, 5, 10),
        date(2024, 12, 27),
        date(2025, 5, 30),
        date(2026, 1, 2),
        date(2026, 5, 15),
        date(2027, 5, 7),
        date(2028, 4, 28),
        date(2028, 5, 26),
    ],
)
def test_royal_decree_equated_days(day: date) -> None:
    assert day in EQUATED_DAYS[day.year]
    assert day in WITH_EQUATED.holidays(day.year)
    assert not WITH_EQUATED.is_working_day(day)
    assert DEFAULT.is_working_day(day)


def test_no_substitute_holiday_for_weekend_christmas() -> None:
    # 25 Dec 2027 is a Saturday; Monday 27 Dec is an ordinary working day (no substitute holidays).
    assert DEFAULT.is_working_day(date(2027, 12, 27))


def test_calendar_is_immutable_and_hashable() -> None:
    assert NLHolidayCalendar() == DEFAULT
    assert hash(NLHolidayCalendar(good_friday=True)) == hash(WITH_GOOD_FRIDAY)
    assert len({DEFAULT, WITH_GOOD_FRIDAY, WITH_EQUATED, ALL_FLAGS, NLHolidayCalendar()}) == 4
    with pytest.raises(AttributeError):
        DEFAULT.good_friday = True  # type: ignore[misc]


def test_holidays_returns_a_copy() -> None:
    DEFAULT.holidays(2026).add(date(2026, 12, 24))
    assert date(2026, 12, 24) not in DEFAULT.holidays(2026)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),  # latest possible
        (2285, date(2285, 3, 22)),  # earliest possible
        (2000, date(2000, 4, 23)),
        (1818, date(1818, 3, 22)),
    ],
)
def test_easter_known_dates(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


@given(st.integers(min_value=1583, max_value=9999))
def test_easter_is_a_sunday_between_22_march_and_25_april(year: int) -> None:
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 4, 7), date(2026, 4, 7), id="working-day-unchanged"),
        pytest.param(date(2026, 4, 5), date(2026, 4, 7), id="easter-sunday-and-monday"),
        pytest.param(date(2027, 12, 25), date(2027, 12, 27), id="christmas-on-weekend"),
        pytest.param(date(2026, 12, 24), date(2026, 12, 24), id="christmas-eve-is-working"),
        pytest.param(date(2026, 12, 25), date(2026, 12, 28), id="christmas-fri-to-mon"),
        pytest.param(date(2030, 5, 4), date(2030, 5, 6), id="bevrijdingsdag-on-sunday"),
    ],
)
def test_roll_forward(day: date, expected: date) -> None:
    assert roll_forward(day, DEFAULT) == expected


def test_roll_forward_respects_flags() -> None:
    # Thursday 14 May 2026 is Hemelvaartsdag; Friday 15 May is equated only with the flag.
    assert roll_forward(date(2026, 5, 14), DEFAULT) == date(2026, 5, 15)
    assert roll_forward(date(2026, 5, 14), WITH_EQUATED) == date(2026, 5, 18)
    assert roll_forward(date(2026, 4, 3), DEFAULT) == date(2026, 4, 3)
    assert roll_forward(date(2026, 4, 3), WITH_GOOD_FRIDAY) == date(2026, 4, 7)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(date(2026, 3, 2), date(2026, 3, 2), 0, id="same-day"),
        pytest.param(date(2026, 3, 2), date(2026, 2, 27), 0, id="end-before-start"),
        pytest.param(date(2026, 3, 2), date(2026, 3, 3), 1, id="next-day"),
        pytest.param(date(2026, 3, 6), date(2026, 3, 9), 1, id="over-weekend"),
        pytest.param(date(2026, 3, 2), date(2026, 3, 16), 10, id="two-weeks"),
        pytest.param(date(2026, 4, 2), date(2026, 4, 9), 4, id="over-easter-monday"),
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end, DEFAULT) == expected


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=0, max_value=60),
)
def test_working_days_between_never_more_than_calendar_days(start: date, days: int) -> None:
    count = working_days_between(start, start + timedelta(days=days), DEFAULT)
    assert 0 <= count <= days
    assert roll_forward(start, DEFAULT) >= start
    assert DEFAULT.is_working_day(roll_forward(start, DEFAULT))
