"""The case page of a request: its thread, documents, checks, notes, links, timeline,
letters, the people and organisations to choose from, and what waits for four eyes."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Row, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from rights.actions.gate import controller_hold
from rights.answers import allowed_grounds, remedy_notice_for
from rights.approvals import count_columns, pending_from_counts
from rights.controllers.authority import controller_of
from rights.deadlines import local_date
from rights.lifecycle import OPEN_STATES
from rights.messages import thread
from rights.models.audit import AuditEvent
from rights.models.case import AnswerLetter, Document, Message
from rights.models.casework import CaseLink, CaseNote, IdentityCheck
from rights.models.org import Organisation, Role, User
from rights.models.package import Package, PackageStatus
from rights.models.request import RightsRequest
from rights.models.source import ActionStatus, MatchStatus, SourceAction, SubjectMatch
from rights.packages.release import package_hold
from rights.righttypes import RIGHTS

STAFF_ROLES = (Role.OFFICER, Role.ADMIN)
T = TypeVar("T")


@dataclass(frozen=True)
class Approvals:
    """What waits for a second officer on this case (four eyes): built packages not yet
    released, previewed source actions not yet executed; and the confirmed matches.
    ``packages_held``: built packages the controller has not approved yet
    (``rights.packages.package_hold``), which wait for the controller, not for a second
    officer, and are not in ``packages``; one the controller rejected is in neither, as on
    the approvals page (``rights.approvals.pending_approvals``). ``actions_held`` likewise:
    previewed actions on a controller's data it has not approved (``controller_hold``)."""

    packages: int
    actions: int
    matches: int
    packages_held: int = 0
    actions_held: int = 0


# Views of the case are audited on every GET (docs/security.md); the timeline shows one line
# per viewer, not one per view, so a case opened a thousand times reads (and loads) the
# same. The audit trail keeps every view (``dsr-portal audit verify`` walks them all).
FOLDED = ("case.viewed",)


@dataclass(frozen=True)
class TimelineEvent:
    """An audit event as the timeline shows it. A folded action (``FOLDED``) comes once per
    actor, at its last occurrence, with how often and since when."""

    seq: int
    occurred_at: datetime
    actor_kind: str
    actor_id: int | None
    action: str
    data: dict[str, Any] | None
    times: int = 1
    first_at: datetime | None = None


_TIMELINE_COLUMNS = (
    "seq", "occurred_at", "actor_kind", "actor_id", "action", "data", "times", "first_at",
)  # fmt: skip


@functools.cache
def _timeline_statement() -> Any:
    e = AuditEvent
    per_actor = (e.action, e.actor_kind, e.actor_id)
    ranked = (
        select(
            *(getattr(e, name) for name in _TIMELINE_COLUMNS[:6]),
            func.count().over(partition_by=per_actor).label("times"),
            func.min(e.occurred_at).over(partition_by=per_actor).label("first_at"),
            func.row_number().over(partition_by=per_actor, order_by=e.seq.desc()).label("nth"),
        )
        .where(e.request_id == bindparam("rid"))
        .subquery()
    )
    c = ranked.c
    return (
        select(*(c[name] for name in _TIMELINE_COLUMNS))
        .where(c.action.not_in(FOLDED) | (c.nth == 1))
        .order_by(c.seq)
    )


def timeline_events(session: Session, request_id: int) -> list[TimelineEvent]:
    """The case's events in chain order, the folded actions counted in SQL (one query)."""
    rows = session.execute(_timeline_statement(), {"rid": request_id})
    events = []
    for seq, at, kind, actor_id, action, data, times, first_at in rows:
        event = TimelineEvent(seq, at, kind, actor_id, action, data)
        if action in FOLDED:
            event = replace(event, times=int(times), first_at=first_at)
        events.append(event)
    return events


@dataclass(frozen=True)
class Person:
    """A user the case page names or offers to assign: id and name are all it shows (read
    as columns, not as users)."""

    id: int
    name: str


@dataclass(frozen=True)
class CaseView:
    r: RightsRequest
    today: date
    is_open: bool
    can_extend: bool
    messages: Sequence[Message]
    documents: Sequence[Document]
    checks: Sequence[IdentityCheck]
    notes: Sequence[CaseNote]
    links: Sequence[CaseLink]
    group: Sequence[RightsRequest]
    events: Sequence[TimelineEvent]
    draft: AnswerLetter | None
    letters: Sequence[AnswerLetter]
    officers: Sequence[Person]
    organisations: Sequence[Row[Any]]  # id, name
    grounds: tuple[str, ...]
    article: str
    approvals: Approvals
    remedy: str
    users: dict[int, Person]
    pending: int  # the menu's count of all that waits for a second officer (pending_count)


# The case's own tables that the page lists, with the attribute of CaseView each fills.
_PARTS: tuple[tuple[str, type[Any]], ...] = (
    ("checks", IdentityCheck),
    ("letters", AnswerLetter),
    ("messages", Message),
    ("documents", Document),
    ("notes", CaseNote),
)


@functools.cache
def _overview_statement() -> Any:
    """The three four-eyes counts and, for each of the case's own tables and its links,
    whether it holds any row, in one statement: most cases have nothing in most of them, and
    each table the page reads is a round trip. Built once (statement construction costs more
    than its cached compilation)."""
    rid: Any = bindparam("rid")

    def count(model: Any, status: object) -> Any:
        return (
            select(func.count(model.id))
            .where(model.request_id == rid, model.status == status)
            .scalar_subquery()
        )

    held = (exists().where(model.request_id == rid) for _, model in _PARTS)
    linked = exists().where((CaseLink.request_id == rid) | (CaseLink.other_id == rid))
    return select(
        count(Package, PackageStatus.BUILT),
        count(SourceAction, ActionStatus.PREPARED),
        count(SubjectMatch, MatchStatus.CONFIRMED),
        *held,
        linked,
        *count_columns(),  # the menu's four-eyes count (all cases), in the same round trip
    )


def _overview(session: Session, request_id: int) -> tuple[Approvals, set[str], int]:
    """The four-eyes counts, the names of the parts (``_PARTS``, ``links``) that hold rows,
    and the menu's count of what waits for a second officer (``pending_count``)."""
    row = session.execute(_overview_statement(), {"rid": request_id}).one()
    approvals = Approvals(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))
    names = [name for name, _ in _PARTS] + ["links"]
    parts = row[3 : 3 + len(names)]
    held = {name for name, holds in zip(names, parts, strict=True) if holds}
    return approvals, held, pending_from_counts(session, row[3 + len(names) :])


@functools.cache
def _by_request_statement(model: type[Any], order: Any) -> Any:
    return select(model).where(model.request_id == bindparam("rid")).order_by(order)


def _by_request(session: Session, model: type[T], request_id: int, order: Any) -> list[T]:
    """The rows of one per-request table, in ``order``."""
    stmt = _by_request_statement(cast(Any, model), order)
    return list(session.scalars(stmt, {"rid": request_id}))


@functools.cache
def _statements() -> dict[str, Any]:
    """The page's other statements, built once: building a statement costs more than its
    (cached) compilation, and the page runs a dozen."""
    rid: Any = bindparam("rid")
    active_staff = User.role.in_(STAFF_ROLES) & User.active.is_(True)
    return {
        "people": select(User.id, User.name, User.role, User.active).where(
            or_(active_staff, User.id.in_(bindparam("ids", expanding=True)))
        ),
        # The split form's choices: id and name only (the request's own organisation comes
        # with the request, portal.staff.helpers.load_case).
        "organisations": select(Organisation.id, Organisation.name).order_by(Organisation.name),
        "built": select(Package).where(
            Package.request_id == rid, Package.status == PackageStatus.BUILT
        ),
        "prepared": select(SourceAction).where(
            SourceAction.request_id == rid, SourceAction.status == ActionStatus.PREPARED
        ),
        "links": select(CaseLink).where((CaseLink.request_id == rid) | (CaseLink.other_id == rid)),
        "group": select(RightsRequest)
        .options(joinedload(RightsRequest.organisation))
        .where(RightsRequest.group_reference == bindparam("group"), RightsRequest.id != rid),
    }


def _people(session: Session, ids: set[int]) -> tuple[list[Person], dict[int, Person]]:
    """Active officers (to assign) and every user the page names, in one query."""
    rows = session.execute(_statements()["people"], {"ids": sorted(ids)}).all()
    staff = {uid for uid, _, role, active in rows if role in STAFF_ROLES and active}
    people = {uid: Person(uid, name) for uid, name, _, _ in rows}
    officers = sorted((people[uid] for uid in staff), key=lambda p: p.name)
    return officers, people


def _controller_holds(session: Session, r: RightsRequest, approvals: Approvals) -> Approvals:
    """The overview counts every built package and previewed action; of a controller's
    request, each is checked as its release or execution checks it (``package_hold``,
    ``controller_hold``), so the case says it waits for the controller where the second
    officer would be refused. Read only when the overview counted any and the request is a
    controller's."""
    if not (approvals.packages or approvals.actions) or controller_of(r) is None:
        return approvals
    packages: list[str | None] = []
    actions: list[str | None] = []
    if approvals.packages:
        built = session.scalars(_statements()["built"], {"rid": r.id})
        packages = [package_hold(session, package) for package in built]
    if approvals.actions:
        prepared = session.scalars(_statements()["prepared"], {"rid": r.id})
        actions = [controller_hold(session, action) for action in prepared]
    return replace(
        approvals,
        packages=packages.count(None) if approvals.packages else 0,
        packages_held=packages.count("controller_approval"),
        actions=actions.count(None) if approvals.actions else 0,
        actions_held=actions.count("controller_approval"),
    )


def case_view(session: Session, r: RightsRequest, now: datetime) -> CaseView:
    """Everything the case page of ``r`` shows, at ``now``. The case's own tables are read
    only when the overview says they hold rows."""
    built = _statements()
    approvals, held, pending = _overview(session, r.id)

    def rows(name: str, model: type[T], order: Any) -> list[T]:
        return _by_request(session, model, r.id, order) if name in held else []

    organisations = session.execute(built["organisations"]).all()
    approvals = _controller_holds(session, r, approvals)
    checks = rows("checks", IdentityCheck, IdentityCheck.id)
    events = timeline_events(session, r.id)
    named = {c.checked_by_id for c in checks} | {e.actor_id for e in events}
    named |= {r.assignee_id, r.instructed_by_id}  # the timeline names an instruction's contact
    officers, users = _people(session, {i for i in named if i})
    letters = rows("letters", AnswerLetter, AnswerLetter.id)
    drafts = [letter for letter in letters if letter.sent_at is None]
    return CaseView(
        r=r,
        today=local_date(now),
        is_open=r.state in OPEN_STATES,
        can_extend=not r.extended and now < r.due_end,
        messages=thread(session, r) if "messages" in held else [],
        documents=rows("documents", Document, Document.id),
        checks=checks,
        notes=rows("notes", CaseNote, CaseNote.id),
        links=session.scalars(built["links"], {"rid": r.id}).all() if "links" in held else [],
        group=session.scalars(built["group"], {"rid": r.id, "group": r.group_reference}).all()
        if r.group_reference
        else [],
        events=events,
        draft=drafts[-1] if drafts else None,
        letters=[letter for letter in letters if letter.sent_at is not None],
        officers=officers,
        organisations=organisations,
        grounds=allowed_grounds(r),
        article=RIGHTS[r.right].article,
        approvals=approvals,
        remedy=remedy_notice_for(r),
        users=users,
        pending=pending,
    )
