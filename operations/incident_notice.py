"""The notice to controllers as use cases (docs/incidents.md, "Notice to controllers"):
the officer confirms the affected controllers, sends the notice, follows up and answers;
a controller's contact acknowledges and asks. Each takes a Context and flushes; the edge
commits once."""

from __future__ import annotations

from collections.abc import Collection

from operations.context import Context
from rights.errors import NotFound
from rights.incidents import affected, exchange, notice
from rights.models.incident import Incident, IncidentController, IncidentUpdate
from rights.models.org import User

__all__ = [
    "acknowledge",
    "answer",
    "ask",
    "confirm_controllers",
    "follow_up",
    "load",
    "resend_notice",
    "send_notice",
]


def load(ctx: Context, incident_id: int) -> Incident:
    incident = ctx.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("no such incident", code="not_found")
    return incident


def _contact(ctx: Context) -> User:
    user = ctx.session.get(User, ctx.actor.id) if ctx.actor.id is not None else None
    if user is None:
        raise NotFound("no such contact", code="not_found")
    return user


def confirm_controllers(
    ctx: Context, incident_id: int, organisation_ids: Collection[int], *, own_data: bool
) -> list[IncidentController]:
    incident = load(ctx, incident_id)
    return affected.confirm(
        ctx.session, incident, organisation_ids, own_data=own_data, actor=ctx.actor,
        now=ctx.now(),
    )  # fmt: skip


def send_notice(
    ctx: Context, incident_id: int, organisation_id: int | None = None
) -> list[IncidentController]:
    incident = load(ctx, incident_id)
    return notice.send_notice(
        ctx.session, incident, actor=ctx.actor, now=ctx.now(), organisation_id=organisation_id
    )


def resend_notice(ctx: Context, incident_id: int, organisation_id: int) -> notice.Resent:
    """The notice again to one controller told already."""
    incident = load(ctx, incident_id)
    return notice.resend_notice(
        ctx.session, incident, organisation_id, actor=ctx.actor, now=ctx.now()
    )


def follow_up(
    ctx: Context, incident_id: int, body: str, organisation_id: int | None = None
) -> IncidentUpdate:
    incident = load(ctx, incident_id)
    return notice.follow_up(
        ctx.session, incident, body, actor=ctx.actor, now=ctx.now(),
        organisation_id=organisation_id,
    )  # fmt: skip


def answer(ctx: Context, incident_id: int, organisation_id: int, body: str) -> IncidentUpdate:
    incident = load(ctx, incident_id)
    return exchange.answer(
        ctx.session, incident, organisation_id, body, actor=ctx.actor, now=ctx.now()
    )


def acknowledge(ctx: Context, incident_id: int) -> IncidentController:
    """By the logged-in contact (``ctx.actor``)."""
    incident = load(ctx, incident_id)
    return exchange.acknowledge(ctx.session, incident, _contact(ctx), now=ctx.now())


def ask(ctx: Context, incident_id: int, body: str) -> IncidentUpdate:
    """By the logged-in contact (``ctx.actor``)."""
    incident = load(ctx, incident_id)
    return exchange.ask(ctx.session, incident, _contact(ctx), body, now=ctx.now())
