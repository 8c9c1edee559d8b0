"""The incident register (docs/incidents.md, "The register", "Measures against recurrence").

Record an incident, edit its facts, assess it (a breach or not; the risk), record the
measures and close it. Every change is audited; audit data holds field names, states and ids,
never the facts themselves (they may describe the people concerned). Flushes; the edge
commits once. An incident that is not a breach stays in the register with the reason
(Art. 33(5)); a breach closes only with measures against recurrence."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.deadlines import AMSTERDAM
from rights.errors import Conflict, ValidationFailed
from rights.incidents import clocks
from rights.incidents.lifecycle import move
from rights.models.incident import Incident, IncidentState, Risk
from rights.models.source import DataFileUpload, DataSource

__all__ = [
    "FACT_FIELDS",
    "MEASURE_FIELDS",
    "Facts",
    "Measures",
    "assess",
    "close",
    "edit_facts",
    "record",
    "record_ap_notification",
    "set_measures",
]

TEXT_LIMIT = 20_000
TITLE_LIMIT = 200
MAX_CATEGORIES = 50
CATEGORY_LIMIT = 200
REFERENCE_TRIES = 5


@dataclass(frozen=True)
class Facts:
    """What the officer knows of an incident (Art. 33(3)(a), (c) and (d)). Instants aware
    UTC; categories as short phrases; numbers approximate."""

    title: str
    discovered_at: datetime
    aware_at: datetime | None = None
    description: str = ""
    data_categories: tuple[str, ...] = ()
    subject_categories: tuple[str, ...] = ()
    approx_subjects: int | None = None
    approx_records: int | None = None
    source_ids: tuple[int, ...] = ()
    data_file_ids: tuple[int, ...] = ()
    own_data: bool = False
    consequences: str = ""

    @classmethod
    def of(cls, incident: Incident) -> Facts:
        values: dict[str, Any] = {name: _current(incident, name) for name in FACT_FIELDS}
        return cls(**values)


@dataclass(frozen=True)
class Measures:
    """Measures taken and proposed (Art. 33(3)(d)) and those against recurrence."""

    taken: str = ""
    proposed: str = ""
    recurrence: str = ""


FACT_FIELDS = tuple(Facts.__dataclass_fields__)
MEASURE_FIELDS = {
    "taken": "measures_taken",
    "proposed": "measures_proposed",
    "recurrence": "measures_recurrence",
}


def _current(incident: Incident, name: str) -> object:
    value = getattr(incident, name)
    return tuple(value or ()) if isinstance(value, list) else value


def _text(value: str, limit: int = TEXT_LIMIT) -> str:
    return value.replace("\x00", "").replace("\r\n", "\n").strip()[:limit]


def _categories(values: tuple[str, ...]) -> list[str]:
    cleaned = [_text(v, CATEGORY_LIMIT) for v in values]
    found = list(dict.fromkeys(v for v in cleaned if v))
    if len(found) > MAX_CATEGORIES:
        raise ValidationFailed("too many categories", code="incident_categories")
    return found


def _number(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 2**31 - 1:
        raise ValidationFailed("not a number of people or records", code="incident_number")
    return value


def _checked(facts: Facts, now: datetime) -> dict[str, object]:
    """The facts as column values, or ``ValidationFailed``."""
    title = _text(facts.title, TITLE_LIMIT)
    if not title:
        raise ValidationFailed("a title is required", code="incident_title")
    for moment in (facts.discovered_at, facts.aware_at):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("naive datetime")
    if facts.discovered_at > now:
        raise ValidationFailed("discovered in the future", code="incident_discovered_future")
    if facts.aware_at is not None and facts.aware_at > now:
        raise ValidationFailed("aware in the future", code="incident_aware_future")
    if facts.aware_at is not None and facts.aware_at < facts.discovered_at:
        raise ValidationFailed("aware before discovery", code="incident_aware_before")
    values = asdict(facts)
    values.update(
        title=title,
        description=_text(facts.description),
        consequences=_text(facts.consequences),
        data_categories=_categories(facts.data_categories),
        subject_categories=_categories(facts.subject_categories),
        approx_subjects=_number(facts.approx_subjects),
        approx_records=_number(facts.approx_records),
        source_ids=sorted(set(facts.source_ids)),
        data_file_ids=sorted(set(facts.data_file_ids)),
        own_data=bool(facts.own_data),
    )
    return values


def _check_ids(session: Session, values: dict[str, object]) -> None:
    """The sources and files named must exist (``incident_sources``)."""
    for model, key in ((DataSource, "source_ids"), (DataFileUpload, "data_file_ids")):
        ids = cast(list[int], values[key])
        if ids:
            found = set(session.scalars(select(model.id).where(model.id.in_(ids))))
            if found != set(ids):
                raise ValidationFailed("no such source or file", code="incident_sources")


def _next_reference(session: Session, year: int) -> str:
    """``INC-2026-0007``: the year's next number (Amsterdam year of recording)."""
    prefix = f"INC-{year}-"
    last = session.scalar(
        select(Incident.reference)
        .where(Incident.reference.like(f"{prefix}%"))
        .order_by(Incident.reference.desc())
        .limit(1)
    )
    number = int(last.removeprefix(prefix)) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{number:04d}"


def record(session: Session, facts: Facts, *, actor: Actor, now: datetime) -> Incident:
    """Store a new incident in state ``reported`` with a unique reference (flushes). Two
    officers recording at once may pick the same number: the unique constraint refuses
    the second inside a savepoint and it takes the next one."""
    values = _checked(facts, now)
    _check_ids(session, values)
    year = now.astimezone(AMSTERDAM).year
    for _ in range(REFERENCE_TRIES):
        incident = Incident(
            reference=_next_reference(session, year),
            state=IncidentState.REPORTED,
            created_by_id=actor.id if actor.kind == "user" else None,
            created_at=now,
            **values,
        )
        try:
            with session.begin_nested():
                session.add(incident)
                session.flush()
        except IntegrityError:
            continue
        break
    else:
        raise Conflict("no free incident reference", code="incident_reference")
    audit.record(
        session,
        "incident.recorded",
        actor=actor,
        now=now,
        object_type="incident",
        object_id=incident.id,
        data={"reference": incident.reference, "own_data": incident.own_data},
    )
    return incident


def _open(incident: Incident) -> None:
    if incident.state is IncidentState.CLOSED:
        raise Conflict("the incident is closed", code="incident_closed")


def edit_facts(
    session: Session, incident: Incident, facts: Facts, *, actor: Actor, now: datetime
) -> list[str]:
    """Store changed facts; returns the names of the fields that changed (audited as
    ``incident.facts_changed``). A new discovery moment moves the notice clocks."""
    _open(incident)
    changed = []
    values = _checked(facts, now)
    _check_ids(session, values)
    for name, value in values.items():
        if _current(incident, name) != (tuple(value) if isinstance(value, list) else value):
            setattr(incident, name, value)
            changed.append(name)
    if not changed:
        return []
    if "discovered_at" in changed:
        clocks.rebase(incident)
    session.flush()
    audit.record(
        session,
        "incident.facts_changed",
        actor=actor,
        now=now,
        object_type="incident",
        object_id=incident.id,
        data={"fields": changed},
    )
    return changed


def assess(
    session: Session,
    incident: Incident,
    *,
    is_breach: bool,
    reason: str = "",
    risk: Risk | None = None,
    risk_reasons: str = "",
    aware_at: datetime | None = None,
    actor: Actor,
    now: datetime,
) -> None:
    """Decide whether it is a breach and, if so, its risk. Not a breach: the reason is
    required and the incident stays in the register. A breach: the risk with its reasons;
    the moment we became aware it is a breach is ``aware_at`` (default: as recorded, else
    now). Assessing again before closing is allowed (and audited)."""
    _open(incident)
    if not is_breach:
        reason = _text(reason)
        if not reason:
            raise ValidationFailed("why it is not a breach", code="not_breach_reason")
        incident.is_breach, incident.not_breach_reason = False, reason
        incident.risk, incident.risk_reasons = None, ""
    else:
        risk_reasons = _text(risk_reasons)
        if risk is None:
            raise ValidationFailed("the risk is required", code="incident_risk")
        if not risk_reasons:
            raise ValidationFailed("the reasons for the risk", code="risk_reasons")
        aware = aware_at or incident.aware_at or now
        if aware.tzinfo is None:
            raise ValueError("naive datetime")
        if aware > now or aware < incident.discovered_at:
            raise ValidationFailed("aware moment", code="incident_aware_before")
        incident.is_breach, incident.not_breach_reason = True, ""
        incident.risk, incident.risk_reasons, incident.aware_at = risk, risk_reasons, aware
    data = {"is_breach": is_breach, "risk": risk.value if is_breach and risk else None}
    audit.record(
        session,
        "incident.assessed",
        actor=actor,
        now=now,
        object_type="incident",
        object_id=incident.id,
        data=data,
    )
    if incident.state is IncidentState.REPORTED:
        move(session, incident, IncidentState.ASSESSED, actor=actor, now=now)
    session.flush()


def set_measures(
    session: Session, incident: Incident, measures: Measures, *, actor: Actor, now: datetime
) -> list[str]:
    """Store the measures (taken, proposed, against recurrence); returns the names of the
    columns that changed (audited as ``incident.measures_changed``)."""
    _open(incident)
    changed = []
    for key, column in MEASURE_FIELDS.items():
        value = _text(getattr(measures, key))
        if getattr(incident, column) != value:
            setattr(incident, column, value)
            changed.append(column)
    if changed:
        session.flush()
        audit.record(
            session,
            "incident.measures_changed",
            actor=actor,
            now=now,
            object_type="incident",
            object_id=incident.id,
            data={"fields": changed},
        )
    return changed


def close(session: Session, incident: Incident, *, actor: Actor, now: datetime) -> None:
    """Close an assessed incident. A breach closes only with the measures against
    recurrence written down (``recurrence_required``); one not yet assessed cannot close
    (``not_assessed``)."""
    _open(incident)
    if incident.is_breach is None:
        raise ValidationFailed("assess it first", code="not_assessed")
    if incident.is_breach and not incident.measures_recurrence.strip():
        raise ValidationFailed("measures against recurrence", code="recurrence_required")
    move(session, incident, IncidentState.CLOSED, actor=actor, now=now)


def record_ap_notification(
    session: Session,
    incident: Incident,
    *,
    notified_at: datetime,
    ap_reference: str = "",
    delay_reasons: str = "",
    actor: Actor,
    now: datetime,
) -> None:
    """Record that the breach was notified to the AP (stops the 72-hour clock). Only when
    that clock runs (``ap_not_needed``); not in the future nor before awareness
    (``ap_notified_at``); after the 72 hours only with the reasons for the delay
    (``ap_delay_reasons``, Art. 33(1)). The first notice moves an assessed incident to
    *notified*."""
    _open(incident)
    due = clocks.ap_due(incident)
    if due is None or incident.aware_at is None:
        raise ValidationFailed("no AP notification needed", code="ap_not_needed")
    if notified_at.tzinfo is None:
        raise ValueError("naive datetime")
    if notified_at > now or notified_at < incident.aware_at:
        raise ValidationFailed("notification moment", code="ap_notified_at")
    delay_reasons = _text(delay_reasons)
    on_time = notified_at <= due
    if not on_time and not delay_reasons:
        raise ValidationFailed("reasons for the delay", code="ap_delay_reasons")
    incident.ap_notified_at, incident.ap_delay_reasons = notified_at, delay_reasons
    incident.ap_reference = _text(ap_reference, 80)
    audit.record(
        session,
        "incident.ap_notified",
        actor=actor,
        now=now,
        object_type="incident",
        object_id=incident.id,
        data={"on_time": on_time},
    )
    if incident.state is IncidentState.ASSESSED:
        move(session, incident, IncidentState.NOTIFIED, actor=actor, now=now)
    session.flush()
