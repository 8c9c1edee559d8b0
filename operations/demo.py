"""Demo data for ``make run`` and ``dsr-portal demo load``: the operator, two controllers
with designated contacts, officers, an admin, a controller contact, and requests in
different states, among them the officer's workspace (issue 6). The demo's data sources
are ``operations.demo_sources``, its released package ``operations.demo_package``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from operations.context import Context
from rights import answers, lifecycle, requests
from rights.audit import SYSTEM, Actor
from rights.controllers import approvals
from rights.models.controller import DecisionKind
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.models.request import Channel, Outcome, RequestState, RightsRequest
from rights.policy import Policy
from rights.righttypes import (
    AccessDetails,
    Details,
    ErasureDetails,
    ObjectionDetails,
    PortabilityDetails,
    RectificationDetails,
)
from rights.users import create_user

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo, never in production


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    password: str


DEMO_USERS = (
    ("officer@demo.example", "Olga Officier", Role.OFFICER, None),
    ("officer2@demo.example", "Tom Tweede", Role.OFFICER, None),
    ("admin@demo.example", "Anna Admin", Role.ADMIN, None),
    ("contact@bakkerij-jansen.example", "Jan Jansen", Role.CONTROLLER, "bakkerij-jansen"),
    ("privacy@sportclub-zuid.example", "Sara de Vries", Role.CONTROLLER, "sportclub-zuid"),
    ("marieke@bakkerij-jansen.example", "Marieke Jansen", Role.CONTROLLER, "bakkerij-jansen"),
)
# The designated contacts (they decide for their organisation); Marieke Jansen only reads.
DESIGNATED = ("contact@bakkerij-jansen.example", "privacy@sportclub-zuid.example")


ORGANISATIONS: tuple[dict[str, object], ...] = (
    {
        "kind": OrganisationKind.OPERATOR,
        "name": "Drukkerij & Mailhuis Voorbeeld B.V.",
        "slug": "operator",
        "contact_name": "Privacy desk",
        "contact_email": "privacy@mailhuis.example",
        "address": "Postbus 123, 1000 AB Amsterdam",
        "website": "https://mailhuis.example",
    },
    {
        "kind": OrganisationKind.CONTROLLER,
        "name": "Bakkerij Jansen",
        "slug": "bakkerij-jansen",
        "contact_name": "Jan Jansen",
        "contact_email": "contact@bakkerij-jansen.example",
        "contact_phone": "010 123 45 67",
        "address": "Dorpsstraat 5, 1234 AB Ons Dorp",
        "website": "https://bakkerij-jansen.example",
        "dpa_reference": "VWO-2025-014",
        "sub_processors": [
            {
                "name": "Drukkerij & Mailhuis Voorbeeld B.V.",
                "country": "Nederland",
                "purpose": "Drukken en versturen van de nieuwsbrief",
            },
            {
                "name": "Hosting Noord B.V.",
                "country": "Nederland",
                "purpose": "Hosting van het klantenbestand",
            },
        ],
        "listed_publicly": True,
    },
    {
        "kind": OrganisationKind.CONTROLLER,
        "name": "Sportclub Zuid",
        "slug": "sportclub-zuid",
        "contact_name": "Sara de Vries",
        "contact_email": "privacy@sportclub-zuid.example",
        "contact_phone": "020 765 43 21",
        "address": "Sportlaan 10, 1000 CD Amsterdam",
        "website": "https://sportclub-zuid.example",
        "dpa_reference": "VWO-2025-022",
        "breach_notice_hours": 18,  # its agreement: a (suspected) breach within 18 hours
        "sub_processors": [
            {
                "name": "Drukkerij & Mailhuis Voorbeeld B.V.",
                "country": "Nederland",
                "purpose": "Verzenden van de ledenpost",
            },
        ],
        "listed_publicly": True,
    },
)

# Requests in the queue: details, requester, organisation (None: the operator), received
# days ago, channel, and whether the subject has still to confirm their e-mail address.
SAMPLES: tuple[tuple[Details, str, str, str | None, int, Channel, bool], ...] = (
    (AccessDetails(), "Eva de Boer", "eva.deboer@example.nl", None, 3, Channel.WEB, True),
    (
        ErasureDetails(ground="d"),
        "Pieter Smit",
        "p.smit@example.nl",
        "bakkerij-jansen",
        12,
        Channel.EMAIL,
        False,
    ),
    (
        RectificationDetails(
            which_data="Adres", current_value="Dorpsstraat 1", correct_value="Dorpsstraat 11"
        ),
        "Fatima el Amrani",
        "fatima@example.nl",
        "sportclub-zuid",
        25,
        Channel.POST,
        False,
    ),
    (
        ObjectionDetails(basis="direct_marketing"),
        "Kees Visser",
        "kees@example.nl",
        "bakkerij-jansen",
        1,
        Channel.WEB,
        False,
    ),
    (
        PortabilityDetails(format="csv"),
        "Lotte Mulder",
        "lotte@example.nl",
        None,
        6,
        Channel.PHONE,
        False,
    ),
)


def load_demo(ctx: Context) -> list[DemoLogin]:
    """Create the demo world once (flushes); a second call changes nothing and returns the
    logins."""
    session, now = ctx.session, ctx.now()
    logins = [DemoLogin(e, r.value, DEMO_PASSWORD) for e, _, r, _ in DEMO_USERS]
    if session.scalar(select(User.id).where(User.email == DEMO_USERS[0][0])) is not None:
        return logins
    orgs = {}
    for fields in ORGANISATIONS:
        org = Organisation(created_at=now, **fields)
        session.add(org)
        orgs[org.slug] = org
    session.flush()
    for email, name, role, org_slug in DEMO_USERS:
        user = create_user(
            session,
            email=email,
            name=name,
            role=role,
            now=now,
            actor=SYSTEM,
            password=DEMO_PASSWORD,
            organisation=orgs[org_slug] if org_slug else None,
        )
        user.designated = email in DESIGNATED
    officer = session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))
    assert officer is not None
    _queue_samples(ctx, now, officer, orgs)
    _workspace_samples(session, now=now, policy=ctx.policy, officer=officer, orgs=orgs)
    return logins


def _queue_samples(
    ctx: Context, now: datetime, officer: User, orgs: dict[str, Organisation]
) -> None:
    """The queue: one request per right, one extended, one waiting for the subject."""
    session, actor = ctx.session, Actor.user(officer.id)
    made = []
    for details, name, email, org_slug, days_ago, channel, waits in SAMPLES:
        intake = requests.Intake(
            right=details.kind,
            details=details,
            requester=requests.Requester(name=name, email=email),
            received_at=now - timedelta(days=days_ago, hours=3),
            channel=channel,
            language="nl",
            organisation_id=orgs[org_slug or "operator"].id,
        )
        request = requests.create_request(session, intake, actor=actor, now=now, policy=ctx.policy)
        made.append(request)
        if not waits and channel is Channel.WEB:
            requests.confirm_email(session, request, now=now)
    # The controllers decide their requests (docs/controllers.md): Jan Jansen extends, Sara
    # de Vries asks for proof of identity; the processor carries it out in their name.
    jan, sara = (_contact(session, email) for email in DESIGNATED)
    why = "Gegevens staan verspreid over drie systemen van de opdrachtgever."
    approvals.decide_request(session, made[1], DecisionKind.EXTEND, actor=jan, now=now, reason=why)
    requests.extend(session, made[1], "complexity", why, actor=jan, now=now)
    question = "Kunt u uw oude adres bevestigen?"
    approvals.decide_request(
        session, made[2], DecisionKind.ASK_IDENTITY, actor=sara, now=now, reason=question
    )
    requests.suspend(session, made[2], "identity", question, actor=sara, now=now, policy=ctx.policy)


def _contact(session: Session, email: str) -> Actor:
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return Actor.user(user.id)


def _workspace_samples(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    officer: User,
    orgs: dict[str, Organisation],
) -> None:
    """The officer's workspace: a request assigned to the demo officer and ready to be
    extended and answered, one overdue, one due in a few days, and answered ones for the
    dashboard (issue 6)."""
    actor = Actor.user(officer.id)
    bakker = orgs["bakkerij-jansen"].id
    sport = orgs["sportclub-zuid"].id

    def make(days_ago: int, name: str, email: str, org: int, details: Details) -> RightsRequest:
        intake = requests.Intake(
            right=details.kind,
            details=details,
            requester=requests.Requester(name=name, email=email),
            received_at=now - timedelta(days=days_ago, hours=2),
            channel=Channel.EMAIL,
            language="nl",
            organisation_id=org,
        )
        return requests.create_request(session, intake, actor=actor, now=now, policy=policy)

    # The operator's own request: the officer decides it (extension and answer, issue 6).
    own = orgs["operator"].id
    ready = make(4, "Noor Bakker", "noor@example.nl", own, RectificationDetails())  # no copy
    ready.assignee_id = officer.id
    lifecycle.transition(session, ready, RequestState.IN_PROGRESS, actor=actor, now=now)
    make(40, "Henk de Jong", "henk@example.nl", sport, AccessDetails())  # overdue
    make(27, "Iris Peters", "iris@example.nl", bakker, ErasureDetails(ground="a"))  # due soon
    for days_ago, outcome, grounds in (
        (20, Outcome.FULFILLED, []),
        (34, Outcome.PARTIALLY_FULFILLED, ["art_15_4"]),
    ):
        kind = RectificationDetails() if grounds == [] else AccessDetails()  # access: a copy
        done = make(days_ago, "Demo Betrokkene", "demo@example.nl", sport, kind)
        if grounds:  # Sportclub Zuid decided the partial refusal (P-2)
            approvals.decide_request(
                session, done, DecisionKind.REFUSE, actor=_contact(session, DESIGNATED[1]),
                now=now, reason="Demo.", ground=grounds[0],
            )  # fmt: skip
        letter = answers.prepare_answer(
            session,
            done,
            outcome,
            grounds,
            "Demo." if grounds else "",
            "Beste Demo Betrokkene,\n\nHierbij ons antwoord.",
            actor=actor,
            now=now,
        )
        answers.send_answer(session, done, letter, actor=actor, now=now)
