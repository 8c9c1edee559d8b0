"""GDPR Art. 12(3) deadlines: docs/legal.md, "Deadlines", with worked examples and vectors."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rights.calendar
import rights.deadlines
from rights.deadlines import (
    AMSTERDAM,
    Deadlines,
    NLHolidayCalendar,
    add_months,
    compute_deadlines,
    end_of_day_exclusive,
    is_on_time,
    local_date,
    paused_days,
    projected_deadlines,
    roll_forward,
    suspension_counts,
    working_days_between,
)

DEFAULT = NLHolidayCalendar()


def at(iso: str) -> datetime:
    """An aware instant from an ISO string with an offset or ``Z``."""
    instant = datetime.fromisoformat(iso)
    assert instant.tzinfo is not None
    return instant


def local_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=AMSTERDAM)


# ---------------------------------------------------------------------------------------------
# Worked examples
# ---------------------------------------------------------------------------------------------

WORKED_EXAMPLES = [
    pytest.param(
        date(2026, 3, 5), (), date(2026, 4, 7), "2026-04-07T22:00:00Z", date(2026, 6, 5),
        id="edpb-ex32-easter",
    ),
    pytest.param(
        date(2026, 8, 31), (), date(2026, 9, 30), "2026-09-30T22:00:00Z", date(2026, 11, 30),
        id="edpb-ex33-clamp",
    ),
    pytest.param(
        date(2027, 1, 31), (), date(2027, 3, 1), "2027-03-01T23:00:00Z", date(2027, 4, 28),
        id="clamp-to-sunday-28-feb",
    ),
    pytest.param(
        date(2026, 3, 2), ((date(2026, 3, 3), date(2026, 3, 10)),),
        date(2026, 4, 8), "2026-04-08T22:00:00Z", date(2026, 6, 8),
        id="identity-suspension",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("receipt", "suspensions", "due", "due_end", "extended_due"), WORKED_EXAMPLES
)
def test_worked_examples(
    receipt: date,
    suspensions: tuple[tuple[date, date], ...],
    due: date,
    due_end: str,
    extended_due: date,
) -> None:
    deadlines = compute_deadlines(local_noon(receipt), suspensions)
    assert deadlines.receipt_date == receipt
    assert deadlines.due == due
    assert deadlines.due_end == at(due_end)
    assert deadlines.due_end.utcoffset() == timedelta(0)
    assert deadlines.extended_due == extended_due
    assert deadlines.extended_due_end == end_of_day_exclusive(extended_due)


def test_worked_example_weekdays() -> None:
    # The weekday annotations of the worked examples.
    assert [d.weekday() for d in (date(2026, 4, 7), date(2026, 6, 5))] == [1, 4]
    assert [d.weekday() for d in (date(2026, 9, 30), date(2026, 11, 30))] == [2, 0]
    assert [d.weekday() for d in (date(2027, 3, 1), date(2027, 4, 28))] == [0, 2]
    assert [d.weekday() for d in (date(2026, 4, 8), date(2026, 6, 8))] == [2, 0]


def test_suspension_example_details() -> None:
    deadlines = compute_deadlines(
        at("2026-03-02T09:00:00+01:00"), [(date(2026, 3, 3), date(2026, 3, 10))]
    )
    assert deadlines.paused_days == 6  # 4-9 March
    assert deadlines.nominal_due == date(2026, 4, 2) + timedelta(days=6)
    assert deadlines.extended_nominal == date(2026, 6, 8)
    # The working target shown to staff ignores the suspension.
    assert deadlines.due_without_suspension == date(2026, 4, 2)
    assert deadlines.due_without_suspension_end == at("2026-04-02T22:00:00Z")


def test_easter_example_details() -> None:
    deadlines = compute_deadlines(at("2026-03-05T10:00:00+01:00"))
    assert deadlines.nominal_due == date(2026, 4, 5)  # Easter Sunday
    assert deadlines.paused_days == 0
    assert deadlines.due_without_suspension == deadlines.due


@pytest.mark.parametrize(
    ("receipt", "chained", "receipt_plus_three"),
    [
        pytest.param(date(2027, 1, 31), date(2027, 4, 28), date(2027, 4, 30), id="31-jan"),
        pytest.param(date(2027, 5, 31), date(2027, 8, 30), date(2027, 8, 31), id="31-may"),
        pytest.param(date(2026, 3, 5), date(2026, 6, 5), date(2026, 6, 5), id="no-clamp"),
    ],
)
def test_extension_chained_reading_a_and_display_reading_b(
    receipt: date, chained: date, receipt_plus_three: date
) -> None:
    deadlines = compute_deadlines(local_noon(receipt))
    assert deadlines.extended_nominal == chained
    assert deadlines.extended_due == roll_forward(chained, DEFAULT)
    assert deadlines.receipt_plus_three_months == receipt_plus_three


def test_extension_runs_from_nominal_not_rolled_one_month_end() -> None:
    # 28 Feb 2027 rolls to 1 Mar, but the extension is 28 Feb + 2 months.
    deadlines = compute_deadlines(local_noon(date(2027, 1, 31)))
    assert deadlines.due == date(2027, 3, 1)
    assert deadlines.extended_due == date(2027, 4, 28)


# ---------------------------------------------------------------------------------------------
# Time zone, end of day, DST
# ---------------------------------------------------------------------------------------------


def test_receipt_date_is_amsterdam_date_not_utc_date() -> None:
    deadlines = compute_deadlines(at("2026-06-30T22:30:00Z"))
    assert deadlines.receipt_date == date(2026, 7, 1)
    assert deadlines.due == date(2026, 8, 3)  # 1 Aug is a Saturday
    assert deadlines.due.weekday() == 0
    # The UTC date would have given 30 July.
    assert compute_deadlines(at("2026-06-30T21:30:00Z")).due == date(2026, 7, 30)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-06-30T22:30:00Z", date(2026, 7, 1)),
        ("2026-06-30T21:59:59Z", date(2026, 6, 30)),
        ("2026-12-31T23:00:00Z", date(2027, 1, 1)),
        ("2026-12-31T22:59:59Z", date(2026, 12, 31)),
        ("2026-03-29T01:30:00Z", date(2026, 3, 29)),  # 03:30 CEST, just after the switch
        ("2026-10-24T22:30:00Z", date(2026, 10, 25)),
        ("2026-03-05T09:00:00-05:00", date(2026, 3, 5)),
    ],
)
def test_local_date(instant: str, expected: date) -> None:
    assert local_date(at(instant)) == expected


@pytest.mark.parametrize(
    ("day", "end"),
    [
        pytest.param(date(2026, 7, 15), "2026-07-15T22:00:00Z", id="cest"),
        pytest.param(date(2026, 1, 15), "2026-01-15T23:00:00Z", id="cet"),
        pytest.param(date(2026, 3, 28), "2026-03-28T23:00:00Z", id="eve-of-spring-switch"),
        pytest.param(date(2026, 3, 29), "2026-03-29T22:00:00Z", id="spring-switch-23h-day"),
        pytest.param(date(2026, 10, 24), "2026-10-24T22:00:00Z", id="eve-of-autumn-switch"),
        pytest.param(date(2026, 10, 25), "2026-10-25T23:00:00Z", id="autumn-switch-25h-day"),
    ],
)
def test_end_of_day_exclusive_dst(day: date, end: str) -> None:
    result = end_of_day_exclusive(day)
    assert result == at(end)
    assert result.tzinfo == UTC
    assert result.astimezone(AMSTERDAM).time() == time(0)


def test_due_end_is_22z_in_cest_and_23z_in_cet() -> None:
    summer = compute_deadlines(local_noon(date(2026, 6, 10)))
    winter = compute_deadlines(local_noon(date(2026, 11, 10)))
    assert summer.due == date(2026, 7, 10)
    assert summer.due_end == at("2026-07-10T22:00:00Z")
    assert winter.due == date(2026, 12, 10)
    assert winter.due_end == at("2026-12-10T23:00:00Z")


# ---------------------------------------------------------------------------------------------
# Edge-case vectors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("receipt", "sent_at", "on_time"),
    [
        pytest.param(date(2027, 1, 31), "2027-03-01T21:00:00+01:00", True, id="E01"),
        pytest.param(date(2027, 1, 31), "2027-03-02T00:30:00+01:00", False, id="E02"),
        pytest.param(date(2026, 3, 5), "2026-04-07T21:59:59Z", True, id="E03"),
        pytest.param(date(2026, 3, 5), "2026-04-07T22:00:00Z", False, id="E04"),
    ],
)
def test_on_time_against_exclusive_end(receipt: date, sent_at: str, on_time: bool) -> None:
    deadlines = compute_deadlines(local_noon(receipt))
    assert is_on_time(at(sent_at), deadlines.due_end) is on_time
    # The extension notice deadline is the same one-month due date.
    assert deadlines.can_extend(at(sent_at)) is on_time


def test_e02_due_date_is_unchanged_by_a_late_extension_attempt() -> None:
    deadlines = compute_deadlines(local_noon(date(2027, 1, 31)))
    assert not deadlines.can_extend(at("2027-03-02T00:30:00+01:00"))
    assert deadlines.due == date(2027, 3, 1)
    assert deadlines.due_end == at("2027-03-01T23:00:00Z")


def test_e05_receipt_is_arrival_in_mailbox_not_when_staff_found_it() -> None:
    arrived = at("2026-03-05T16:45:00+01:00")  # reached info@ on Thursday 5 March
    found_by_staff = at("2026-03-09T09:10:00+01:00")
    deadlines = compute_deadlines(arrived)
    assert deadlines.receipt_date == date(2026, 3, 5)
    assert deadlines.due == date(2026, 4, 7)
    assert compute_deadlines(found_by_staff).due != deadlines.due


def test_e06_identity_request_after_ten_working_days_does_not_suspend() -> None:
    receipt = date(2026, 3, 2)
    asked_on = date(2026, 3, 16)
    answered_on = date(2026, 3, 20)
    assert working_days_between(receipt, asked_on, DEFAULT) == 10
    assert not suspension_counts(receipt, asked_on, DEFAULT)
    counted = [
        (asked, answered)
        for asked, answered in [(asked_on, answered_on)]
        if suspension_counts(receipt, asked, DEFAULT)
    ]
    deadlines = compute_deadlines(local_noon(receipt), counted)
    assert deadlines.paused_days == 0
    assert deadlines.due == compute_deadlines(local_noon(receipt)).due == date(2026, 4, 2)


@pytest.mark.parametrize(
    ("reference_day", "asked_on", "max_working_days", "counts"),
    [
        pytest.param(date(2026, 3, 2), date(2026, 3, 2), 5, True, id="same-day"),
        pytest.param(date(2026, 3, 2), date(2026, 3, 9), 5, True, id="5-working-days"),
        pytest.param(date(2026, 3, 2), date(2026, 3, 10), 5, False, id="6-working-days"),
        pytest.param(date(2026, 3, 2), date(2026, 3, 16), 5, False, id="E06-10-working-days"),
        pytest.param(date(2026, 3, 2), date(2026, 3, 16), 10, True, id="configured-10"),
        pytest.param(date(2026, 4, 2), date(2026, 4, 10), 5, True, id="easter-monday-excluded"),
    ],
)
def test_suspension_counts(
    reference_day: date, asked_on: date, max_working_days: int, counts: bool
) -> None:
    assert suspension_counts(reference_day, asked_on, DEFAULT, max_working_days) is counts


def test_suspension_counts_from_previous_answer() -> None:
    # EDPB Example 31: a second question counts from the insufficient first answer.
    first_answer = date(2026, 3, 10)
    assert suspension_counts(first_answer, date(2026, 3, 13), DEFAULT)
    deadlines = compute_deadlines(
        local_noon(date(2026, 3, 2)),
        [(date(2026, 3, 3), first_answer), (date(2026, 3, 13), date(2026, 3, 17))],
    )
    assert deadlines.paused_days == 6 + 3
    assert deadlines.nominal_due == date(2026, 4, 11)
    assert deadlines.due == date(2026, 4, 13)


# ---------------------------------------------------------------------------------------------
# Helpers: add_months, paused_days, projected deadlines, validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 5), 1, date(2026, 4, 5)),  # EDPB Example 32
        (date(2026, 8, 31), 1, date(2026, 9, 30)),  # EDPB Example 33
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), 3, date(2027, 4, 30)),
        (date(2027, 2, 28), 2, date(2027, 4, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 17), 0, date(2026, 5, 17)),
        (date(2026, 5, 31), 24, date(2028, 5, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(9999, 12, 31), 1, date.max),  # saturates, never raises
        (date(1, 1, 1), -1, date.min),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("asked_on", "answered_on", "expected"),
    [
        (date(2026, 3, 3), date(2026, 3, 10), 6),
        (date(2026, 3, 3), date(2026, 3, 3), 0),
        (date(2026, 3, 3), date(2026, 3, 4), 0),
        (date(2026, 3, 3), date(2026, 3, 5), 1),
        (date(2026, 3, 3), date(2026, 3, 1), 0),
    ],
)
def test_paused_days(asked_on: date, answered_on: date, expected: int) -> None:
    assert paused_days(asked_on, answered_on) == expected


def test_projected_deadlines_assume_answer_today() -> None:
    received_at = local_noon(date(2026, 3, 2))
    projected = projected_deadlines(received_at, [], date(2026, 3, 3), date(2026, 3, 10), DEFAULT)
    closed = compute_deadlines(received_at, [(date(2026, 3, 3), date(2026, 3, 10))])
    assert projected == closed
    assert projected.due == date(2026, 4, 8)
    # One more day without an answer moves the projection by one day.
    later = projected_deadlines(received_at, [], date(2026, 3, 3), date(2026, 3, 11), DEFAULT)
    assert later.nominal_due == date(2026, 4, 9)


def test_projected_deadlines_with_closed_suspensions() -> None:
    received_at = local_noon(date(2026, 3, 2))
    projected = projected_deadlines(
        received_at,
        [(date(2026, 3, 3), date(2026, 3, 10))],
        date(2026, 3, 13),
        date(2026, 3, 17),
        DEFAULT,
    )
    assert projected.paused_days == 9


def test_projected_deadlines_today_before_question_pauses_nothing() -> None:
    received_at = local_noon(date(2026, 3, 2))
    projected = projected_deadlines(received_at, [], date(2026, 3, 5), date(2026, 3, 4), DEFAULT)
    assert projected == compute_deadlines(received_at)


def test_calendar_flags_change_the_due_date() -> None:
    # Nominal due Friday 15 May 2026, a Royal-Decree equated day (Atw art. 3(3)).
    received_at = local_noon(date(2026, 4, 15))
    assert compute_deadlines(received_at).due == date(2026, 5, 15)
    with_equated = compute_deadlines(received_at, calendar=NLHolidayCalendar(equated_days=True))
    assert with_equated.due == date(2026, 5, 18)
    # Nominal due Good Friday 3 April 2026.
    received_at = local_noon(date(2026, 3, 3))
    assert compute_deadlines(received_at).due == date(2026, 4, 3)
    with_gf = compute_deadlines(received_at, calendar=NLHolidayCalendar(good_friday=True))
    assert with_gf.due == date(2026, 4, 7)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: compute_deadlines(datetime(2026, 3, 5, 12)), id="compute"),
        pytest.param(lambda: local_date(datetime(2026, 3, 5, 12)), id="local_date"),
        pytest.param(
            lambda: is_on_time(datetime(2026, 3, 5, 12), at("2026-04-07T22:00:00Z")),
            id="is_on_time-sent_at",
        ),
        pytest.param(
            lambda: is_on_time(at("2026-04-07T21:00:00Z"), datetime(2026, 4, 8)),
            id="is_on_time-end",
        ),
        pytest.param(
            lambda: projected_deadlines(
                datetime(2026, 3, 5, 12), [], date(2026, 3, 6), date(2026, 3, 9), DEFAULT
            ),
            id="projected",
        ),
    ],
)
def test_naive_datetime_raises_value_error(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


@pytest.mark.parametrize(
    "suspensions",
    [
        pytest.param([(date(2026, 3, 10), date(2026, 3, 3))], id="answered-before-asked"),
        pytest.param([(date(2026, 2, 27), date(2026, 3, 4))], id="asked-before-receipt"),
        pytest.param(
            [(date(2026, 3, 3), date(2026, 3, 10)), (date(2026, 3, 8), date(2026, 3, 12))],
            id="overlapping",
        ),
    ],
)
def test_inconsistent_suspensions_raise_value_error(
    suspensions: list[tuple[date, date]],
) -> None:
    with pytest.raises(ValueError, match="suspension"):
        compute_deadlines(local_noon(date(2026, 3, 2)), suspensions)


def test_deadlines_is_frozen() -> None:
    deadlines = compute_deadlines(local_noon(date(2026, 3, 5)))
    assert isinstance(deadlines, Deadlines)
    with pytest.raises(AttributeError):
        deadlines.due = date(2026, 5, 1)  # type: ignore[misc]


def test_public_names_are_exported_by_rights_deadlines() -> None:
    for name in rights.deadlines.__all__:
        assert hasattr(rights.deadlines, name)
    assert rights.deadlines.NLHolidayCalendar is rights.calendar.NLHolidayCalendar
    assert str(AMSTERDAM) == "Europe/Amsterdam"


@pytest.mark.parametrize("module", [rights.deadlines, rights.calendar])
def test_domain_module_imports_no_web_layer(module: object) -> None:
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "portal", "exporters", "holidays"}


# ---------------------------------------------------------------------------------------------
# Invariants, property-tested
# ---------------------------------------------------------------------------------------------

receipt_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
calendars = st.builds(NLHolidayCalendar, good_friday=st.booleans(), equated_days=st.booleans())


@st.composite
def suspension_lists(draw: st.DrawFn, receipt: date) -> list[tuple[date, date]]:
    """Consistent, non-overlapping suspension intervals after ``receipt``."""
    intervals = []
    previous = receipt
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        asked_on = previous + timedelta(days=draw(st.integers(min_value=0, max_value=10)))
        answered_on = asked_on + timedelta(days=draw(st.integers(min_value=0, max_value=40)))
        intervals.append((asked_on, answered_on))
        previous = answered_on
    return intervals


def check_invariants(deadlines: Deadlines, calendar: NLHolidayCalendar) -> None:
    assert deadlines.due >= deadlines.nominal_due
    assert deadlines.extended_due >= deadlines.due
    assert deadlines.extended_due >= deadlines.extended_nominal
    assert calendar.is_working_day(deadlines.due)
    assert calendar.is_working_day(deadlines.extended_due)
    assert calendar.is_working_day(deadlines.due_without_suspension)
    assert deadlines.due >= deadlines.due_without_suspension
    assert deadlines.due_end == end_of_day_exclusive(deadlines.due)
    assert deadlines.due_end.utcoffset() == timedelta(0)
    assert deadlines.extended_due_end > deadlines.due_end


@given(receipt_dates, st.times(), calendars)
def test_invariants_without_suspension(
    receipt: date, time_of_day: time, calendar: NLHolidayCalendar
) -> None:
    received_at = datetime.combine(receipt, time_of_day, tzinfo=AMSTERDAM).astimezone(UTC)
    deadlines = compute_deadlines(received_at, calendar=calendar)
    check_invariants(deadlines, calendar)
    assert deadlines.receipt_date == receipt
    assert deadlines.paused_days == 0
    assert 28 <= (deadlines.nominal_due - receipt).days <= 31
    assert deadlines.due_without_suspension == deadlines.due
    # The chained extension is never later than receipt + 3 months when P = 0.
    assert deadlines.extended_nominal <= deadlines.receipt_plus_three_months
    assert deadlines.extended_due <= roll_forward(deadlines.receipt_plus_three_months, calendar)


@given(st.data(), receipt_dates, calendars)
def test_invariants_with_suspensions(
    data: st.DataObject, receipt: date, calendar: NLHolidayCalendar
) -> None:
    suspensions = data.draw(suspension_lists(receipt))
    deadlines = compute_deadlines(local_noon(receipt), suspensions, calendar)
    check_invariants(deadlines, calendar)
    expected_pause = sum(paused_days(asked, answered) for asked, answered in suspensions)
    assert deadlines.paused_days == expected_pause
    assert deadlines.nominal_due == add_months(receipt, 1) + timedelta(days=expected_pause)


@given(st.dates(), st.integers(min_value=0, max_value=24))
def test_add_months_never_raises(day: date, months: int) -> None:
    result = add_months(day, months)
    if result != date.max:
        assert result.day <= day.day
        assert (result.year - day.year) * 12 + result.month - day.month == months
        if result.day < day.day:  # clamped: the last day of the shorter month
            assert (result + timedelta(days=1)).day == 1


@given(receipt_dates, st.times(), st.times(), st.timezones())
def test_result_depends_only_on_amsterdam_local_date(
    receipt: date, first: time, second: time, zone: tzinfo
) -> None:
    one = datetime.combine(receipt, first, tzinfo=AMSTERDAM).astimezone(UTC)
    other = datetime.combine(receipt, second, tzinfo=AMSTERDAM).astimezone(UTC)
    assert local_date(one) == local_date(other) == receipt
    assert compute_deadlines(one) == compute_deadlines(other)
    # The same instant expressed in any other time zone gives the same result.
    assert compute_deadlines(one.astimezone(zone)) == compute_deadlines(one)


@given(
    receipt_dates,
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=0, max_value=120),
    calendars,
)
def test_more_paused_days_never_give_an_earlier_due(
    receipt: date, fewer: int, extra: int, calendar: NLHolidayCalendar
) -> None:
    def with_pause(days: int) -> Deadlines:
        asked_on = receipt + timedelta(days=1)
        suspension = (asked_on, asked_on + timedelta(days=days + 1))
        return compute_deadlines(local_noon(receipt), [suspension], calendar)

    shorter, longer = with_pause(fewer), with_pause(fewer + extra)
    assert shorter.paused_days == fewer
    assert longer.paused_days == fewer + extra
    assert longer.due >= shorter.due
    assert longer.extended_due >= shorter.extended_due
    assert longer.due_without_suspension == shorter.due_without_suspension
