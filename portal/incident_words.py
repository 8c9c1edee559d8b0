"""Words for incidents: states, risks and decisions, the countdowns of the clocks and
instants in Amsterdam time with the zone named (docs/incidents.md, "The clocks"). Used by
the officer pages, the register export and the clock mails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as flask_gettext
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext as flask_ngettext
from sqlalchemy.orm import Session

from portal.words import per_locale
from rights.deadlines import AMSTERDAM
from rights.incidents.clocks import Clock, clocks_of, countdown
from rights.models.incident import Incident, IncidentState, Risk
from rights.models.mail import OutboxMail


def _(text: str, **variables: Any) -> str:
    """``gettext`` typed as ``str`` (flask_babel ships no types)."""
    return str(flask_gettext(text, **variables))


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    return str(flask_ngettext(singular, plural, num, **variables))


STATES = per_locale(
    {
        IncidentState.REPORTED: _l("Reported, not yet assessed"),
        IncidentState.ASSESSED: _l("Assessed"),
        IncidentState.NOTIFIED: _l("Controllers notified"),
        IncidentState.CLOSED: _l("Closed"),
    }
)
RISKS = per_locale(
    {
        Risk.NONE: _l("No risk to the people concerned"),
        Risk.RISK: _l("A risk to the people concerned"),
        Risk.HIGH: _l("A high risk to the people concerned"),
    }
)
ZONES = per_locale({"CET": _l("winter time"), "CEST": _l("summer time")})


def state_words(state: IncidentState | str) -> str:
    return STATES().get(str(state), str(state))


def risk_words(risk: Risk | str | None) -> str:
    return RISKS().get(str(risk), "") if risk else ""


def breach_words(incident: Incident) -> str:
    if incident.is_breach is None:
        return _("Not yet assessed")
    return _("A personal-data breach") if incident.is_breach else _("Not a personal-data breach")


def zoned(value: datetime | None) -> str:
    """``28 Mar 2027 02:30 CEST (summer time)``: Amsterdam wall clock, zone named."""
    if value is None:
        return ""
    local = value.astimezone(AMSTERDAM)
    zone = local.tzname() or ""
    words = ZONES().get(zone, "")
    text = f"{format_datetime(local, 'd MMM yyyy HH:mm')} {zone}"
    return f"{text} ({words})" if words else text


def _hours_minutes(hours: int, minutes: int) -> str:
    h = ngettext("%(num)d hour", "%(num)d hours", hours)
    m = ngettext("%(num)d minute", "%(num)d minutes", minutes)
    if hours and minutes:
        return _("%(hours)s %(minutes)s", hours=h, minutes=m)
    return h if hours else m


def countdown_words(due: datetime, now: datetime) -> str:
    """``9 hours 12 minutes left`` or ``3 hours overdue``."""
    left = countdown(due, now)
    span = _hours_minutes(left.hours, left.minutes)
    return _("%(span)s overdue", span=span) if left.overdue else _("%(span)s left", span=span)


def clock_name(clock: Clock) -> str:
    if clock.organisation is None:
        return _("Notification to the Autoriteit Persoonsgegevens (72 hours from awareness)")
    return ngettext(
        "Notice to %(org)s (%(num)d hour from discovery)",
        "Notice to %(org)s (%(num)d hours from discovery)",
        clock.hours,
        org=clock.organisation.name,
    )


def clock_status(clock: Clock, now: datetime) -> str:
    """What the clock says now, in words."""
    if clock.done_at is not None:
        when = zoned(clock.done_at)
        if clock.on_time:
            return _("Done on %(when)s, in time", when=when)
        return _("Done on %(when)s, too late", when=when)
    if not clock.running:
        return _("Stopped: no notice needed")
    return countdown_words(clock.due, now)


def mail_context(session: Session, mail: OutboxMail) -> dict[str, Any]:
    """For the clock mails: the incident and the clock the mail is about."""
    incident = session.get(Incident, int(mail.context["incident_id"]))
    if incident is None:
        return {}
    org_id = mail.context.get("organisation_id")
    kind = mail.context.get("clock")
    found = [
        c
        for c in clocks_of(incident)
        if (kind == "ap" and c.organisation is None)
        or (c.organisation is not None and c.organisation.id == org_id)
    ]
    return {
        "incident": incident,
        "incident_clock": found[0] if found else None,
        "clock_name": clock_name(found[0]) if found else "",
        "clock_due": zoned(found[0].due) if found else "",
    }
