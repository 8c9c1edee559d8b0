"""A controller's terms with the operator (docs/controllers.md, "Organisations as
controllers"): checked, changed and audited with the names of the fields that changed.

Flask-free: the admin page and the commands call the same functions; they flush, never
commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.errors import NotFound, ValidationFailed
from rights.models.org import Answering, Organisation, OrganisationKind, Role, User
from rights.opendsr.allowlist import normalise_origin

FORWARD_DAYS = (0, 10)  # working days after verification
RETENTION_DAYS = (1, 365)  # days an uploaded data file is kept
NOTICE_HOURS = (1, 72)  # hours from discovery to the notice of a breach (docs/incidents.md)
MAX_SUB_PROCESSORS = 50
SUB_PROCESSOR_FIELD = 200  # characters per name, country or purpose
FIELDS = (
    "dpa_reference",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
    "website",
    "forward_within_days",
    "auto_forward",
    "answering",
    "sub_processors",
    "data_file_retention_days",
    "callback_allowlist",
    "breach_notice_hours",
)
MAX_CALLBACK_ORIGINS = 50


@dataclass(frozen=True)
class Terms:
    """Everything an admin sets for a controller, as the page or a command gives it."""

    dpa_reference: str
    contact_name: str
    contact_email: str
    contact_phone: str
    address: str
    website: str
    forward_within_days: int
    auto_forward: bool
    answering: Answering
    sub_processors: tuple[tuple[str, str, str], ...]
    data_file_retention_days: int
    # Origins the status callbacks of the machine API may go to (docs/api.md, "Callbacks").
    callback_allowlist: tuple[str, ...] = ()
    breach_notice_hours: int = 24

    @classmethod
    def of(cls, org: Organisation) -> Terms:
        return cls(
            dpa_reference=org.dpa_reference,
            contact_name=org.contact_name,
            contact_email=org.contact_email,
            contact_phone=org.contact_phone,
            address=org.address,
            website=org.website,
            forward_within_days=org.forward_within_days,
            auto_forward=org.auto_forward,
            answering=org.answering,
            sub_processors=tuple(
                (s.get("name", ""), s.get("country", ""), s.get("purpose", ""))
                for s in org.sub_processors or []
            ),
            data_file_retention_days=org.data_file_retention_days,
            callback_allowlist=tuple(org.callback_allowlist or ()),
            breach_notice_hours=org.breach_notice_hours,
        )


def parse_sub_processors(text: str) -> tuple[tuple[str, str, str], ...]:
    """One sub-processor per line, ``name | country | purpose``; empty lines are skipped.
    ``ValidationFailed`` code ``sub_processor_line`` (param ``line``: the 1-based line
    number) when a line does not have three filled parts, ``sub_processor_too_long``,
    ``sub_processors_too_many``."""
    rows: list[tuple[str, str, str]] = []
    for number, raw in enumerate(text.replace("\x00", "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) != 3 or not all(parts):
            raise ValidationFailed(
                "name | country | purpose", code="sub_processor_line", line=number
            )
        if any(len(p) > SUB_PROCESSOR_FIELD for p in parts):
            raise ValidationFailed("too long", code="sub_processor_too_long", line=number)
        rows.append((parts[0], parts[1], parts[2]))
    if len(rows) > MAX_SUB_PROCESSORS:
        raise ValidationFailed("too many", code="sub_processors_too_many")
    return tuple(rows)


def format_sub_processors(rows: tuple[tuple[str, str, str], ...]) -> str:
    """The textarea's text for ``rows`` (the inverse of ``parse_sub_processors``)."""
    return "\n".join(" | ".join(row) for row in rows)


def parse_callback_origins(text: str) -> tuple[str, ...]:
    """One https origin per line (``https://host[:port]``), normalised, duplicates and
    empty lines dropped. ``ValidationFailed`` code ``callback_origin`` (param ``line``)
    for a line that is not an https origin, ``callback_origins_too_many``."""
    origins: dict[str, None] = {}
    for number, raw in enumerate(text.replace("\x00", "").splitlines(), start=1):
        if not raw.strip():
            continue
        origin = normalise_origin(raw)
        if origin is None:
            raise ValidationFailed("not an https origin", code="callback_origin", line=number)
        origins[origin] = None
    if len(origins) > MAX_CALLBACK_ORIGINS:
        raise ValidationFailed("too many", code="callback_origins_too_many")
    return tuple(origins)


def _check(terms: Terms) -> None:
    low, high = FORWARD_DAYS
    if not low <= terms.forward_within_days <= high:
        raise ValidationFailed("0 to 10 working days", code="forward_days")
    low, high = RETENTION_DAYS
    if not low <= terms.data_file_retention_days <= high:
        raise ValidationFailed("1 to 365 days", code="retention_days")
    low, high = NOTICE_HOURS
    if not low <= terms.breach_notice_hours <= high:
        raise ValidationFailed("1 to 72 hours", code="breach_notice_hours")
    email = terms.contact_email
    if email and ("@" not in email or " " in email.strip()):
        raise ValidationFailed("not an e-mail address", code="contact_email")
    website = terms.website
    if website and not website.startswith(("https://", "http://")):
        raise ValidationFailed("a web address starts with https://", code="website")


def _stored(terms: Terms) -> dict[str, object]:
    values = asdict(terms)
    values["sub_processors"] = [
        {"name": n, "country": c, "purpose": p} for n, c, p in terms.sub_processors
    ]
    for name in ("dpa_reference", "contact_name", "contact_email", "contact_phone", "website"):
        values[name] = str(values[name]).strip()
    values["address"] = terms.address.replace("\r\n", "\n").strip()
    values["callback_allowlist"] = list(terms.callback_allowlist)
    return values


def update_terms(
    session: Session, org: Organisation, terms: Terms, *, actor: Actor, now: datetime
) -> list[str]:
    """Store ``terms`` on a controller; returns the names of the fields that changed and
    audits them (``organisation.terms_changed``). The operator's own organisation is not a
    controller (``ValidationFailed`` ``not_a_controller``)."""
    if org.kind is not OrganisationKind.CONTROLLER:
        raise ValidationFailed("only a controller has terms", code="not_a_controller")
    _check(terms)
    changed = []
    for name, value in _stored(terms).items():
        if getattr(org, name) != value:
            setattr(org, name, value)
            changed.append(name)
    if not changed:
        return []
    session.flush()
    audit.record(
        session,
        "organisation.terms_changed",
        actor=actor,
        now=now,
        object_type="organisation",
        object_id=org.id,
        data={"fields": changed},
    )
    return changed


def all_organisations(session: Session) -> list[Organisation]:
    """The operator first, then the controllers by name."""
    found = session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return sorted(found, key=lambda o: o.kind is not OrganisationKind.OPERATOR)


def by_slug(session: Session, slug: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound("no such organisation", code="not_found")
    return org


def contacts(session: Session, org: Organisation) -> list[User]:
    """The organisation's controller contacts, designated ones first."""
    found = session.scalars(
        select(User)
        .where(User.organisation_id == org.id, User.role == Role.CONTROLLER)
        .order_by(User.designated.desc(), User.name)
    )
    return list(found)
