"""Forwarding a controller's request to its designated contacts (docs/controllers.md,
"Forwarding"): who it goes to, the processor's forwarding target, the controller's
deadline, and which forwarded requests wait too long for a decision.

The processor forwards without undue delay (P-1: a target in working days after
verification, per controller); the deadline shown is the controller's, counted from the
processor's receipt (P-5). Flask-free: functions flush and audit, the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from rights import lifecycle
from rights.audit import Actor
from rights.calendar import NLHolidayCalendar, working_days_between
from rights.controllers.authority import controller_of, user_of
from rights.controllers.instructions import instruction_of
from rights.deadlines import local_date
from rights.errors import InvalidTransition, PermissionDenied, ValidationFailed
from rights.models.controller import ControllerDecision
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.models.request import RequestState, RightsRequest
from rights.models.source import DataSource, MatchStatus, SubjectMatch
from rights.policy import Policy

__all__ = [
    "FORWARDABLE",
    "Followup",
    "ForwardFacts",
    "ForwardView",
    "add_working_days",
    "designated_contacts",
    "due_followups",
    "forward",
    "forward_facts",
    "forward_target",
    "forward_view",
    "found_organisations",
    "is_controller",
    "set_forward_target",
    "verified_on",
]

S = RequestState

# The states a request can be forwarded from, and why the others cannot (error codes).
FORWARDABLE = frozenset({S.OPEN, S.IN_PROGRESS, S.AWAITING_INFORMATION})
NOT_FORWARDABLE: Mapping[RequestState, str] = MappingProxyType(
    {
        S.AWAITING_VERIFICATION: "not_verified",
        S.FORWARDED: "already_forwarded",
        S.AWAITING_APPROVAL: "not_forwardable",
    }
)
# An escalation goes out when the controller's deadline is this close, whatever the count.
ESCALATE_BEFORE_DUE_DAYS = 7


def is_controller(organisation: Organisation | None) -> bool:
    """The organisation is one of the operator's controllers (not the operator itself);
    for a request's own organisation ask ``authority.controller_of``."""
    return organisation is not None and organisation.kind is OrganisationKind.CONTROLLER


def designated_contacts(session: Session, organisation: Organisation) -> list[User]:
    """The active designated contacts of ``organisation`` (``authority.is_designated`` as a
    query): the people forwarding mails go to."""
    return list(session.scalars(_CONTACTS, {"org": organisation.id}))


# Built once: every case page asks it (the forward section).
_CONTACTS = (
    select(User)
    .where(
        User.organisation_id == bindparam("org"),
        User.role == Role.CONTROLLER,
        User.designated.is_(True),
        User.active.is_(True),
    )
    .order_by(User.id)
)


def add_working_days(start: date, days: int, calendar: NLHolidayCalendar) -> date:
    """The date ``days`` working days after ``start`` (the start day itself not counted;
    0 gives ``start``)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day


def verified_on(request: RightsRequest) -> date:
    """The day the request counts as verified: the e-mail confirmation, or its registration
    by staff (such requests start open)."""
    return local_date(request.email_verified_at or request.created_at)


def forward_target(
    request: RightsRequest, organisation: Organisation, policy: Policy, *, on: date | None = None
) -> date:
    """The processor's forwarding target: verification day plus the controller's
    ``forward_within_days`` working days."""
    start = on if on is not None else verified_on(request)
    return add_working_days(start, max(organisation.forward_within_days, 0), policy.calendar)


def set_forward_target(
    request: RightsRequest, policy: Policy, *, on: date | None = None
) -> date | None:
    """Record the forwarding target of a controller's request (at verification, or when the
    organisation becomes known); the operator's own requests have none."""
    controller = controller_of(request)
    if controller is not None:
        request.forward_due = forward_target(request, controller, policy, on=on)
    return request.forward_due


def found_organisations(session: Session, request: RightsRequest) -> list[Organisation]:
    """The organisations in whose sources the officer confirmed matches of the subject, in
    id order (candidates do not count: a wrong candidate must not send a request anywhere;
    the same rule as ``rights.sources.matching.controllers_found``), in one query."""
    rows = session.scalars(
        select(Organisation)
        .where(
            Organisation.id.in_(
                select(DataSource.organisation_id)
                .join(SubjectMatch, SubjectMatch.source_id == DataSource.id)
                .where(
                    SubjectMatch.request_id == request.id,
                    SubjectMatch.status == MatchStatus.CONFIRMED,
                )
            )
        )
        .order_by(Organisation.id)
    )
    return list(rows)


def _target_organisation(
    request: RightsRequest, organisation: Organisation | None, found: list[Organisation]
) -> Organisation:
    """Which controller the request goes to, or the reason it cannot go anywhere."""
    if request.organisation is not None:
        if organisation is not None and organisation.id != request.organisation.id:
            raise ValidationFailed("the request names another organisation", code="other_org")
        return request.organisation
    if len(found) > 1:
        raise ValidationFailed("found with several organisations: split first", code="split_first")
    if not found:
        raise ValidationFailed("discovery found this person nowhere", code="nothing_found")
    if organisation is not None and organisation.id != found[0].id:
        raise ValidationFailed("discovery found this person elsewhere", code="found_elsewhere")
    return found[0]


def check_forward(
    session: Session,
    request: RightsRequest,
    organisation: Organisation | None = None,
    *,
    found: list[Organisation] | None = None,
    contacts: list[User] | None = None,
) -> tuple[Organisation, list[User]]:
    """The controller and its designated contacts, or the domain error that stops the
    forward (nothing is changed). ``found`` and ``contacts`` may be given when the caller
    looked them up already."""
    if request.state not in FORWARDABLE:
        code = NOT_FORWARDABLE.get(request.state, "not_open")
        raise InvalidTransition("this request cannot be forwarded now", code=code)
    if found is None:
        found = [] if request.organisation is not None else found_organisations(session, request)
    target = _target_organisation(request, organisation, found)
    if not is_controller(target):
        raise ValidationFailed("the operator decides its own requests", code="not_a_controller")
    if instruction_of(session, request, target) is not None:
        # The controller's own instruction is its approval: it is not sent back to it.
        raise ValidationFailed(
            "the controller gave this instruction itself", code="controller_instructed"
        )
    if contacts is None:
        contacts = designated_contacts(session, target)
    if not contacts:
        raise ValidationFailed(
            "the controller has no designated contact", code="no_designated_contact"
        )
    return target, contacts


def forward(
    session: Session,
    request: RightsRequest,
    *,
    actor: Actor,
    now: datetime,
    policy: Policy,
    organisation: Organisation | None = None,
) -> list[User]:
    """Forward ``request`` to its controller's designated contacts (FORWARDED, audited with
    the controller named); returns the contacts. A "don't know" request goes to the one
    controller discovery found it with (``organisation`` may name it), and gets that
    controller as its organisation. Raises ``ValidationFailed`` (``split_first``,
    ``nothing_found``, ``found_elsewhere``, ``other_org``, ``not_a_controller``,
    ``controller_instructed``, ``no_designated_contact``), ``InvalidTransition``, or
    ``PermissionDenied`` (``staff_only``: a controller's contact does not forward); changes
    nothing then."""
    user = user_of(session, actor)
    if user is not None and not user.is_staff:
        raise PermissionDenied("only the privacy desk forwards a request", code="staff_only")
    target, contacts = check_forward(session, request, organisation)
    organisation_set = request.organisation_id is None
    if organisation_set:
        request.organisation_id = target.id
        request.organisation = target
    if request.forward_due is None:
        request.forward_due = forward_target(request, target, policy)
    lifecycle.transition(
        session,
        request,
        S.FORWARDED,
        actor=actor,
        now=now,
        data={
            "controller_id": target.id,
            "controller": target.name,
            "contacts": [c.id for c in contacts],
            "organisation_set": organisation_set,
            "forward_due": request.forward_due.isoformat(),
        },
    )
    request.forwarded_at = now
    request.forward_reminded_at = None
    request.forward_escalated_at = None
    session.flush()
    return contacts


@dataclass(frozen=True)
class ForwardFacts:
    """What the officer and the controller see about a forward (P-1, P-5)."""

    target: date | None  # the processor's forwarding target
    forwarded_at: datetime | None
    overdue: bool  # not forwarded (or forwarded late) after the target
    controller_due: date  # the controller's legal deadline, from the processor's receipt
    controller_due_end: datetime
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None


def forward_facts(request: RightsRequest, now: datetime | None = None) -> ForwardFacts:
    """The forwarding facts of ``request``. ``overdue`` compares the target with the day
    it was forwarded, or, while not forwarded, with the day of ``now`` (without ``now``
    an unforwarded request is not called overdue)."""
    target = request.forward_due
    overdue = False
    if target is not None:
        if request.forwarded_at is not None:
            overdue = local_date(request.forwarded_at) > target
        elif now is not None and request.state in FORWARDABLE:
            overdue = local_date(now) > target
    return ForwardFacts(
        target=target,
        forwarded_at=request.forwarded_at,
        overdue=overdue,
        controller_due=request.effective_due,
        controller_due_end=request.effective_due_end,
        reminded_at=request.forward_reminded_at,
        escalated_at=request.forward_escalated_at,
    )


@dataclass(frozen=True)
class ForwardView:
    """The forward section of the case page: the facts, the controller it goes to, its
    contacts, and whether the button is there (``blocked`` is the error code otherwise)."""

    facts: ForwardFacts
    controller: Organisation | None
    contacts: list[User] = field(default_factory=list)
    blocked: str | None = None
    found: list[Organisation] = field(default_factory=list)
    shown: bool = True


def forward_view(session: Session, request: RightsRequest, now: datetime) -> ForwardView:
    """Everything the forward section shows; hidden for the operator's own requests."""
    facts = forward_facts(request, now)
    if request.organisation is not None and controller_of(request) is None:
        return ForwardView(facts=facts, controller=None, shown=False)
    found = found_organisations(session, request) if request.organisation is None else []
    controller = request.organisation or (found[0] if len(found) == 1 else None)
    contacts: list[User] = []
    if controller is not None and is_controller(controller):
        contacts = designated_contacts(session, controller)
    blocked: str | None = None
    try:
        check_forward(session, request, found=found, contacts=contacts)
    except (ValidationFailed, InvalidTransition) as exc:
        blocked = exc.code
    return ForwardView(facts, controller, contacts, blocked, found)


@dataclass(frozen=True)
class Followup:
    """A forwarded request that needs a reminder to its contacts or an escalation."""

    request: RightsRequest
    remind: bool
    escalate: bool


def due_followups(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    remind_days: int,
    escalate_days: int,
) -> Sequence[Followup]:
    """Forwarded requests without any controller decision: a reminder after
    ``remind_days`` working days since the forward, an escalation after ``escalate_days``
    or when the controller's deadline is within a week; each once."""
    today = local_date(now)
    undecided = ~exists().where(ControllerDecision.request_id == RightsRequest.id)
    rows = session.scalars(
        select(RightsRequest)
        .where(
            RightsRequest.state == S.FORWARDED,
            RightsRequest.forwarded_at.is_not(None),
            undecided,
        )
        .order_by(RightsRequest.id)
    )
    out = []
    for r in rows:
        assert r.forwarded_at is not None
        waited = working_days_between(local_date(r.forwarded_at), today, policy.calendar)
        remind = r.forward_reminded_at is None and waited >= remind_days
        close_to_due = r.effective_due - today <= timedelta(days=ESCALATE_BEFORE_DUE_DAYS)
        escalate = r.forward_escalated_at is None and (waited >= escalate_days or close_to_due)
        if remind or escalate:
            out.append(Followup(r, remind, escalate))
    return out
