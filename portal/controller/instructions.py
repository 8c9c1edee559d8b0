"""Instructions from the controller (docs/controllers.md, "Results back to the
controller"): a designated contact files a request they received themselves, for us to
carry out. It becomes a normal request of their organisation, marked as an instruction. Anyone
else of the organisation gets a 403 in words for the form and its POST."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from operations.instructions import Instruction, file_instruction
from portal.auth.guards import controller_required
from portal.context import context
from portal.controller.blueprint import bp
from portal.controller.results_common import (
    contact_organisation,
    designated,
    refuse_undesignated,
)
from portal.controller.results_forms import INSTRUCTION_CHANNELS, InstructionForm
from portal.formfields import first_error
from rights.controllers.instructions import INSTRUCTABLE
from rights.errors import DomainError
from rights.models.org import User
from rights.models.request import Channel
from rights.righttypes import RightType


def _page(
    form: InstructionForm, error: str = "", field: str = "", status: int = 200
) -> tuple[str, int]:
    """The form; once the organisation's contract ended, the notice instead of it (we take
    no instructions then: ``file_instruction`` refuses them)."""
    return render_template(
        "controller/instruction_new.html",
        form=form,
        error=error,
        error_field=field,
        contract_ended_at=contact_organisation().contract_ended_at,
        instructable=INSTRUCTABLE,
        channels=INSTRUCTION_CHANNELS,
    ), status


def _language(form: InstructionForm, contact: User) -> str:
    """The language chosen on the form; left out, the contact's own."""
    chosen = form.language.data or contact.language
    return "en" if chosen == "en" else "nl"


def _instruction(form: InstructionForm, contact: User) -> Instruction:
    received = form.received()
    assert received is not None  # the form's pattern and a valid date
    return Instruction(
        right=RightType(form.right.data),
        name=form.name.data,
        received_on=received,
        actions=list(form.actions.data or []),
        email=form.email.data or "",
        phone=form.phone.data or "",
        customer_number=form.customer_number.data or "",
        channel=Channel(form.channel.data),
        note=form.note.data or "",
        language=_language(form, contact),
    )


@bp.get("/instructions/new")
@controller_required
def instruction_new() -> tuple[str, int]:
    if designated() is None:
        return refuse_undesignated()
    form = InstructionForm()
    form.language.data = "en" if current_user.language == "en" else "nl"  # the contact's
    return _page(form)


@bp.post("/instructions/new")
@controller_required
def instruction_create() -> tuple[str, int] | Response:
    contact, form, ctx = designated(), InstructionForm(), context()
    if contact is None:
        return refuse_undesignated()
    if not form.validate_on_submit() or form.received() is None:
        field = next(iter(form.errors), "received_date")
        message = first_error(form) if form.errors else _("This is not a valid date.")
        return _page(form, message, field, 422)
    try:
        request = file_instruction(ctx, contact, _instruction(form, contact))
    except DomainError as exc:
        ctx.session.rollback()
        message = getattr(exc, "message", "") or _("Some of the information given is not valid.")
        return _page(form, message, getattr(exc, "field", ""), 422)
    ctx.session.commit()
    flash(_("Your instruction was filed as request %(ref)s.", ref=request.reference), "info")
    return redirect(url_for("controller.index"), 303)
