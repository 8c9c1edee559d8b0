"""Response deadlines for data-subject requests (GDPR Art. 12(3)-(4), Reg. 1182/71).

Implements the rules of docs/legal.md, "Deadlines":

1. receipt date ``R`` = the receipt instant's Europe/Amsterdam date ("Receipt");
2. one month = same date next month, clamped to the month's last day (1182/71 art. 3(2)(c));
3. paused days ``P`` from suspensions for identity or clarification ("Pausing the clock");
4. nominal due = ``add_months(R, 1) + P``; extended nominal = ``add_months(add_months(R, 1), 2)
   + P`` (chained from the one-month date, "Extension (Art. 12(3))");
5. Saturdays, Sundays and public holidays roll forward to the next working day, on the final
   date only (1182/71 art. 3(4));
6. a deadline ends at the exclusive instant "local midnight after the due day", in UTC.

All arithmetic is on local calendar dates, never on hours or ``timedelta(days=30)``.
The module is pure: it takes dates and instants as parameters and never reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rights.calendar import (
    DEFAULT_CALENDAR,
    EQUATED_DAYS,
    NLHolidayCalendar,
    easter_sunday,
    roll_forward,
    working_days_between,
)

__all__ = [
    "AMSTERDAM",
    "EQUATED_DAYS",
    "SUSPENSION_MAX_WORKING_DAYS",
    "Deadlines",
    "NLHolidayCalendar",
    "add_months",
    "compute_deadlines",
    "easter_sunday",
    "end_of_day_exclusive",
    "is_on_time",
    "local_date",
    "paused_days",
    "projected_deadlines",
    "roll_forward",
    "suspension_counts",
    "working_days_between",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# Policy default for "without undue delay" (docs/legal.md, "Pausing the clock").
SUSPENSION_MAX_WORKING_DAYS = 5

_ONE_DAY = timedelta(days=1)


def _require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")


def local_date(instant: datetime) -> date:
    """The Europe/Amsterdam calendar date of an aware instant (docs/legal.md, "Receipt").

    Reg. 1182/71 art. 3(1): "the day during which that event occurs" is the local civil day at
    the controller's establishment, never the UTC date.

    Raises:
        ValueError: ``instant`` is naive.
    """
    _require_aware(instant, "instant")
    return instant.astimezone(AMSTERDAM).date()


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - _ONE_DAY).day


def add_months(d: date, n: int) -> date:
    """The same day-of-month ``n`` months later, or that month's last day (1182/71 art. 3(2)(c)).

    docs/legal.md, "Deadlines": 5 March + 1 = 5 April; 31 August + 1 = 30 September.
    Never raises: a result beyond the range of :class:`datetime.date` saturates at
    ``date.max`` (or ``date.min`` for a negative ``n``).
    """
    year, month_index = divmod(d.year * 12 + (d.month - 1) + n, 12)
    if year > MAXYEAR:
        return date.max
    if year < MINYEAR:
        return date.min
    month = month_index + 1
    return date(year, month, min(d.day, _days_in_month(year, month)))


def paused_days(asked_on: date, answered_on: date) -> int:
    """Days a suspension pauses the period: ``max(0, (answered_on - asked_on).days - 1)``.

    docs/legal.md, "Pausing the clock" (after Awb art. 4:15): the pause runs from the day after the
    question until the day before the answer, so neither end day is paused.
    """
    return max(0, (answered_on - asked_on).days - 1)


def end_of_day_exclusive(d: date) -> datetime:
    """The aware UTC instant at which day ``d`` has expired in Amsterdam (exclusive end).

    Reg. 1182/71 art. 3(2)(c), 3(4): a period ends "with the expiry of the last hour" of its
    last day; that is local midnight starting the next day (22:00Z in CEST, 23:00Z in CET).
    """
    return datetime.combine(d + _ONE_DAY, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


def is_on_time(sent_at: datetime, end_exclusive: datetime) -> bool:
    """Whether ``sent_at`` is before the exclusive end instant (docs/legal.md, "Deadlines").

    Raises:
        ValueError: either instant is naive.
    """
    _require_aware(sent_at, "sent_at")
    _require_aware(end_exclusive, "end_exclusive")
    return sent_at < end_exclusive


def suspension_counts(
    reference_day: date,
    asked_on: date,
    calendar: NLHolidayCalendar | None = None,
    max_working_days: int = SUSPENSION_MAX_WORKING_DAYS,
) -> bool:
    """Whether a request for information was sent "without undue delay".

    ``reference_day`` is the receipt date, or the date of the previous answer when a first reply
    was insufficient (EDPB GL 01/2022 §159, Example 31). The question counts when it was asked
    no later than ``max_working_days`` working days after that day. Only the timing condition is
    checked here; the reason for asking is a recorded decision of staff (docs/legal.md,
    "Pausing the clock").
    """
    return working_days_between(reference_day, asked_on, calendar) <= max_working_days


@dataclass(frozen=True, slots=True)
class Deadlines:
    """All deadlines of one request, as dates (Amsterdam) and exclusive UTC end instants.

    ``due`` is also the deadline for the extension notice and for the Art. 12(4) refusal notice
    (docs/legal.md, "Deadlines"). ``due_without_suspension`` is the staff working target.
    ``receipt_plus_three_months`` is for display only; it ignores
    suspensions and holidays.
    """

    receipt_date: date
    paused_days: int
    nominal_due: date
    due: date
    due_end: datetime
    extended_nominal: date
    extended_due: date
    extended_due_end: datetime
    due_without_suspension: date
    due_without_suspension_end: datetime
    receipt_plus_three_months: date

    def can_extend(self, at: datetime) -> bool:
        """Whether an extension may still be invoked at ``at`` (GDPR Art. 12(3)).

        Raises:
            ValueError: ``at`` is naive.
        """
        return is_on_time(at, self.due_end)


def _checked_paused_days(receipt_date: date, suspensions: Sequence[tuple[date, date]]) -> int:
    total = 0
    previous_answer = receipt_date
    for asked_on, answered_on in sorted(suspensions):
        if answered_on < asked_on:
            raise ValueError(f"suspension answered {answered_on} before asked {asked_on}")
        if asked_on < previous_answer:
            # Before receipt, or overlapping another interval: counting it would pause the
            # same day twice and give a later deadline than the law allows.
            raise ValueError(f"suspension asked {asked_on} before {previous_answer}")
        total += paused_days(asked_on, answered_on)
        previous_answer = answered_on
    return total


def compute_deadlines(
    received_at: datetime,
    suspensions: Sequence[tuple[date, date]] = (),
    calendar: NLHolidayCalendar | None = None,
) -> Deadlines:
    """Compute the GDPR Art. 12(3) deadlines of a request (docs/legal.md, "Deadlines").

    ``received_at`` is the aware instant the request reached an official channel, not when staff
    noticed it ("Receipt", EDPB GL 01/2022 §159). ``suspensions`` are ``(asked_on, answered_on)``
    local dates of intervals that count; the caller filters them (for timing, with
    :func:`suspension_counts`). ``calendar`` defaults to the NL default calendar.

    Raises:
        ValueError: ``received_at`` is naive; a suspension ends before it starts, starts before
            the receipt date, or overlaps another suspension.
    """
    cal = DEFAULT_CALENDAR if calendar is None else calendar
    receipt = local_date(received_at)
    paused = _checked_paused_days(receipt, suspensions)
    one_month = add_months(receipt, 1)
    nominal_due = one_month + timedelta(days=paused)
    # Chained reading (A): the extension runs from the nominal, unrolled one-month end.
    extended_nominal = add_months(one_month, 2) + timedelta(days=paused)
    due = roll_forward(nominal_due, cal)
    extended_due = roll_forward(extended_nominal, cal)
    due_without_suspension = roll_forward(one_month, cal)
    return Deadlines(
        receipt_date=receipt,
        paused_days=paused,
        nominal_due=nominal_due,
        due=due,
        due_end=end_of_day_exclusive(due),
        extended_nominal=extended_nominal,
        extended_due=extended_due,
        extended_due_end=end_of_day_exclusive(extended_due),
        due_without_suspension=due_without_suspension,
        due_without_suspension_end=end_of_day_exclusive(due_without_suspension),
        receipt_plus_three_months=add_months(receipt, 3),
    )


def projected_deadlines(
    received_at: datetime,
    closed_suspensions: Sequence[tuple[date, date]],
    open_asked_on: date,
    today: date,
    calendar: NLHolidayCalendar | None = None,
) -> Deadlines:
    """Deadlines shown while a suspension is open, assuming the answer arrives ``today``.

    docs/legal.md, "Pausing the clock". ``today`` is the Amsterdam date, passed in by the caller; a
    ``today`` before ``open_asked_on`` projects a zero-day pause.

    Raises:
        ValueError: as :func:`compute_deadlines`.
    """
    open_interval = (open_asked_on, max(today, open_asked_on))
    return compute_deadlines(received_at, [*closed_suspensions, open_interval], calendar)
