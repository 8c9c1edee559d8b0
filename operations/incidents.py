"""Reminders and escalations of the incident clocks (docs/incidents.md, "The clocks").

A clock with ``PORTAL_INCIDENT_REMIND_HOURS`` (default 6) or less left and no notice yet: a
reminder to every active officer and admin (``rights.users.active_staff``). A clock that ran
out: an escalation to the same people. Each once per clock (``reminded_at``,
``escalated_at``; for the AP clock ``ap_reminded_at``, ``ap_escalated_at``). The mails carry
the incident's reference and a link to its page, no facts and no personal data."""

from __future__ import annotations

from datetime import timedelta

from operations.context import Context
from rights import audit
from rights.audit import SYSTEM
from rights.incidents.clocks import Clock, open_incidents, running_clocks
from rights.models.org import User
from rights.outbox import queue_mail
from rights.users import active_staff

DEFAULT_REMIND_HOURS = 6
TEMPLATES = {"reminded": "incident_clock_reminder", "escalated": "incident_clock_escalation"}
CLOCK_ACTIONS = {"reminded": "incident.clock_reminded", "escalated": "incident.clock_escalated"}


def remind_hours(ctx: Context) -> int:
    raw = ctx.settings.extra.get("INCIDENT_REMIND_HOURS", DEFAULT_REMIND_HOURS)
    ok = isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 72
    return raw if ok else DEFAULT_REMIND_HOURS


def _due_mail(clock: Clock, ctx: Context, window: timedelta) -> str | None:
    """``"escalated"``, ``"reminded"`` or None: what this clock needs now."""
    left = clock.left(ctx.now())
    if left <= timedelta(0):
        return "escalated" if clock.escalated_at is None else None
    if left <= window and clock.reminded_at is None:
        return "reminded"
    return None


def send_clock_mails(ctx: Context) -> int:
    """Queue the reminders and escalations that are due; returns the number of mails."""
    now, window = ctx.now(), timedelta(hours=remind_hours(ctx))
    work = [
        (c, w)
        for c in running_clocks(open_incidents(ctx.session))
        if (w := _due_mail(c, ctx, window))
    ]
    staff: list[User] = active_staff(ctx.session) if work else []
    queued = 0
    for clock, what in work:
        for user in staff:
            queue_mail(
                ctx.session,
                to=user.email,
                template=TEMPLATES[what],
                language=user.language,
                now=now,
                context={
                    "incident_id": clock.incident.id,
                    "clock": clock.kind,
                    "organisation_id": clock.organisation.id if clock.organisation else None,
                },
            )
            queued += 1
        clock.mark(what, now)
        if what == "escalated" and clock.reminded_at is None:
            clock.mark("reminded", now)
        audit.record(
            ctx.session,
            CLOCK_ACTIONS[what],
            actor=SYSTEM,
            now=now,
            object_type="incident",
            object_id=clock.incident.id,
            data={
                "clock": clock.kind,
                "organisation_id": clock.organisation.id if clock.organisation else None,
                "staff": [u.id for u in staff],
            },
        )
    ctx.session.flush()
    return queued
