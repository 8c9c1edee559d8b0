"""Staff and controller accounts: finding and creating them, ending their sessions, and the
account event and mail both ``rights.authentication`` and ``rights.administration`` write.
Logging in (password, second factor, brute-force rules) is ``rights.authentication``."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.errors import Conflict, ValidationFailed
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.outbox import queue_mail
from rights.passwords import hash_password


def normalise_login_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(
        select(User).where(func.lower(User.email) == normalise_login_email(email))
    )


def active_staff(session: Session) -> list[User]:
    """Every active officer and admin, oldest account first: who gets staff mails."""
    stmt = select(User).where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.active.is_(True))
    return list(session.scalars(stmt.order_by(User.id)))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    now: datetime,
    actor: Actor,
    password: str | None = None,
    organisation: Organisation | None = None,
) -> User:
    """Create an account (flushes). A controller contact must belong to a controller."""
    if role is Role.CONTROLLER and (
        organisation is None or organisation.kind is not OrganisationKind.CONTROLLER
    ):
        raise ValidationFailed("a controller contact needs a controller", code="org_required")
    if find_user(session, email) is not None:
        raise Conflict("e-mail address already in use", code="email_taken")
    user = User(
        email=normalise_login_email(email),
        name=name,
        role=role,
        organisation=organisation,
        password_hash=hash_password(password) if password else None,
        password_changed_at=now if password else None,
        active=True,
        session_nonce=secrets.token_urlsafe(32),
        failed_password_count=0,
        failed_code_count=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.created",
        actor=actor,
        now=now,
        object_type="user",
        object_id=user.id,
        data={"role": role.value, "organisation_id": user.organisation_id},
    )
    return user


def rotate_session_nonce(user: User) -> None:
    """Invalidate every session cookie issued so far for this user."""
    user.session_nonce = secrets.token_urlsafe(32)


def account_event(
    session: Session,
    action: str,
    user: User,
    now: datetime,
    *,
    actor: Actor | None = None,
    data: dict[str, object] | None = None,
) -> None:
    """An account event about ``user``, by the user unless ``actor`` says otherwise."""
    audit.record(
        session,
        action,
        actor=actor or Actor.user(user.id),
        now=now,
        object_type="user",
        object_id=user.id,
        data=data,
    )


def tell_user(
    session: Session, user: User, template: str, now: datetime, **context: object
) -> None:
    """Queue a mail about their account to ``user`` (ids and counts, never secrets)."""
    queue_mail(
        session,
        to=user.email,
        template=template,
        language=user.language or "nl",
        now=now,
        context={"user_id": user.id, **context},
    )


def set_designated(
    session: Session, user: User, designated: bool, *, now: datetime, actor: Actor
) -> bool:
    """Make a controller contact a designated contact (who may instruct the processor for
    their organisation) or take that away (docs/controllers.md). Audited and mailed; returns
    whether anything changed. Only a controller contact can be designated
    (``ValidationFailed`` ``not_a_contact``)."""
    if user.role is not Role.CONTROLLER or user.organisation is None:
        raise ValidationFailed("only a controller contact is designated", code="not_a_contact")
    if user.designated == designated:
        return False
    user.designated = designated
    session.flush()
    account_event(
        session,
        "user.designation_changed",
        user,
        now,
        actor=actor,
        data={"designated": designated, "organisation_id": user.organisation_id},
    )
    tell_user(session, user, "designation_changed", now, designated=designated)
    return True
