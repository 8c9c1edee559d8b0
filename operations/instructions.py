"""A controller's instruction becomes a normal request (docs/controllers.md, "Results back
to the controller"): the staff registration path of ``operations.intake``, with the
contact's own receipt date, then marked as an instruction whose identity the controller
vouched for. A refusal is an ``IntakeError`` on the form field it belongs to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from operations import forwarding
from operations.context import Context
from operations.intake import IntakeError, register
from operations.texts import N_
from rights.controllers.instructions import check_actions, check_contact, record_instruction
from rights.deadlines import AMSTERDAM, local_date
from rights.errors import ValidationFailed
from rights.identifiers import normalise_customer_number, normalise_email, normalise_phone
from rights.models.org import User
from rights.models.request import Channel, RightsRequest
from rights.requests import Intake, Requester
from rights.righttypes import RIGHTS, RightType

__all__ = ["Instruction", "file_instruction"]


@dataclass(frozen=True)
class Instruction:
    right: RightType
    name: str
    received_on: date  # the day the controller received it (Amsterdam date)
    actions: Sequence[str]
    email: str = ""
    phone: str = ""
    customer_number: str = ""
    channel: Channel = Channel.EMAIL
    note: str = ""
    language: str = "nl"  # the data subject's language, for anything the processor sends


def _checked_actions(ctx: Context, instruction: Instruction) -> list[str]:
    try:
        return check_actions(instruction.right, instruction.actions)
    except ValidationFailed:
        message = ctx.texts().gettext("Choose at least one action that this right allows.")
        raise IntakeError("actions", message, code="instructed_actions") from None


# Each identifier given must be one the portal can search the controller's data by
# (rights.identifiers), or the subject could never be found: (form field, normaliser, words).
IDENTIFIERS: tuple[tuple[str, Callable[[str], str | None], str], ...] = (
    ("email", normalise_email, N_("This is not an e-mail address.")),
    ("phone", normalise_phone, N_("This is not a valid phone number.")),
    ("customer_number", normalise_customer_number, N_("This is not a valid customer number.")),
)


def _check_identifiers(ctx: Context, instruction: Instruction) -> None:
    for field, normalise, words in IDENTIFIERS:
        value = getattr(instruction, field)
        if value and normalise(value) is None:
            raise IntakeError(field, ctx.texts().gettext(words), code=f"invalid_{field}")


def _check(ctx: Context, instruction: Instruction) -> None:
    texts = ctx.texts()
    if instruction.received_on > local_date(ctx.now()):
        message = texts.gettext("The date you received the request cannot be in the future.")
        raise IntakeError("received_date", message, code="received_in_future")
    max_age = int(ctx.settings.extra.get("OPENDSR_MAX_AGE_DAYS", 90))
    if instruction.received_on < local_date(ctx.now()) - timedelta(days=max_age):
        message = texts.ngettext(
            "The date you received the request cannot be more than %(num)d day ago.",
            "The date you received the request cannot be more than %(num)d days ago.",
            max_age,
        )
        raise IntakeError("received_date", message, code="received_too_old")
    _check_identifiers(ctx, instruction)
    if not (instruction.email or instruction.phone or instruction.customer_number):
        message = texts.gettext(
            "Give at least one of e-mail address, phone number or customer number, so we can "
            "find the data subject in your data."
        )
        raise IntakeError("email", message, code="no_identifier")


def file_instruction(ctx: Context, contact: User, instruction: Instruction) -> RightsRequest:
    """Register the instruction as a request of the contact's organisation, open and
    identity-verified, naming the actions it instructs (flushes; the caller commits).
    The deadline counts from ``received_on``."""
    organisation_id = check_contact(contact)
    if contact.organisation is not None and contact.organisation.contract_ended_at is not None:
        message = ctx.texts().gettext(
            "The contract with your organisation has ended: we no longer take instructions."
        )
        raise IntakeError("", message, code="contract_ended")
    _check(ctx, instruction)
    actions = _checked_actions(ctx, instruction)
    received_at = datetime.combine(instruction.received_on, time(0), tzinfo=AMSTERDAM)
    intake = Intake(
        right=instruction.right,
        details=RIGHTS[instruction.right].details(),
        requester=Requester(
            name=instruction.name,
            email=instruction.email,
            phone=instruction.phone,
            customer_number=instruction.customer_number,
        ),
        received_at=received_at.astimezone(UTC),
        channel=instruction.channel,
        language="en" if instruction.language == "en" else "nl",
        organisation_id=organisation_id,
        extra={"controller_instruction": True},
    )
    request = register(ctx, intake, route=False)
    record_instruction(ctx.session, request, contact, actions, now=ctx.now(), note=instruction.note)
    forwarding.after_verification(ctx, [request])  # the instruction is the approval
    return request
