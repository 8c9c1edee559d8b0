"""Read queries of the incident register: the list, one incident, and the figures of the
staff dashboard (docs/incidents.md, "The register", "The clocks")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from rights.deadlines import AMSTERDAM
from rights.incidents.clocks import clocks_of, open_incidents, running_clocks
from rights.models.incident import Incident, IncidentController
from rights.models.source import DataFileUpload, DataSource

__all__ = ["IncidentFigures", "all_incidents", "figures", "in_period", "one", "sources_and_files"]


def _with_controllers() -> tuple[object, ...]:
    return (joinedload(Incident.controllers).joinedload(IncidentController.organisation),)


def all_incidents(session: Session) -> list[Incident]:
    """The whole register, newest discovery first, with the controllers (one statement)."""
    stmt = (
        select(Incident)
        .options(*_with_controllers())  # type: ignore[arg-type]
        .order_by(Incident.discovered_at.desc(), Incident.id.desc())
    )
    return list(session.scalars(stmt).unique())


def one(session: Session, incident_id: int) -> Incident | None:
    """One incident with its controllers and their organisations (one statement)."""
    stmt = select(Incident).where(Incident.id == incident_id).options(*_with_controllers())  # type: ignore[arg-type]
    return session.scalars(stmt).unique().one_or_none()


def sources_and_files(
    session: Session, file_limit: int = 200
) -> tuple[list[DataSource], list[DataFileUpload]]:
    """The data sources (with their organisation) and the newest uploaded files (with their
    source) an officer picks from: two statements."""
    sources = session.scalars(
        select(DataSource).options(joinedload(DataSource.organisation)).order_by(DataSource.name)
    ).all()
    files = session.scalars(
        select(DataFileUpload)
        .options(joinedload(DataFileUpload.source))
        .order_by(DataFileUpload.uploaded_at.desc(), DataFileUpload.id.desc())
        .limit(file_limit)
    ).all()
    return list(sources), list(files)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Amsterdam days ``[start, end]`` as a half-open UTC interval."""
    low = datetime.combine(start, time(0), AMSTERDAM).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), AMSTERDAM).astimezone(UTC)
    return low, high


def in_period(session: Session, start: date, end: date) -> list[Incident]:
    """Incidents discovered on the Amsterdam days ``[start, end]``, oldest first."""
    low, high = _bounds(start, end)
    stmt = (
        select(Incident)
        .where(Incident.discovered_at >= low, Incident.discovered_at < high)
        .options(*_with_controllers())  # type: ignore[arg-type]
        .order_by(Incident.discovered_at, Incident.id)
    )
    return list(session.scalars(stmt).unique())


@dataclass(frozen=True)
class IncidentFigures:
    open: int  # incidents not closed
    running_out: int  # running clocks with ``window`` or less left, overdue ones included
    overdue: int  # running clocks past their deadline
    breaches: int  # breaches discovered in the period
    notices: int  # notices and AP notifications sent for incidents of the period
    on_time: int  # of those, sent before the deadline


def figures(
    session: Session, *, now: datetime, start: date, end: date, window: timedelta
) -> IncidentFigures:
    """Two statements: the open incidents and the period's incidents."""
    still_open = open_incidents(session)
    running = running_clocks(still_open)
    period = in_period(session, start, end)
    done = [c for i in period for c in clocks_of(i) if c.done_at is not None]
    return IncidentFigures(
        open=len(still_open),
        running_out=sum(1 for c in running if c.left(now) <= window),
        overdue=sum(1 for c in running if c.left(now) <= timedelta(0)),
        breaches=sum(1 for i in period if i.is_breach),
        notices=len(done),
        on_time=sum(1 for c in done if c.on_time),
    )
