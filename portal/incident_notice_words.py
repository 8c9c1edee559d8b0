"""Words for the incident pages and their refusals, staff and controller side
(docs/incidents.md). Codes never reach a page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.sources.messages import error_message
from rights.errors import DataFileError, DomainError

__all__ = ["GROUNDS", "LANGUAGES", "RISK", "STATE", "SUBJECTS", "UPDATE_KINDS", "refusal"]

STATE = {
    "reported": _l("Reported"),
    "assessed": _l("Assessed"),
    "notified": _l("Notified"),
    "closed": _l("Closed"),
}
RISK = {
    "none": _l("No risk to the people concerned"),
    "risk": _l("A risk to the people concerned"),
    "high": _l("A high risk to the people concerned"),
}
SUBJECTS = {
    "undecided": _l("Not decided yet"),
    "notify": _l("The people concerned are told"),
    "not_required": _l("The people concerned are not told"),
}
GROUNDS = {
    "no_high_risk": _l("No high risk to their rights and freedoms (Art. 34(1))"),
    "art_34_3_a": _l("The data were protected, for example encrypted (Art. 34(3)(a))"),
    "art_34_3_b": _l("Measures taken since remove the high risk (Art. 34(3)(b))"),
    "art_34_3_c": _l(
        "Telling each person would take disproportionate effort; a public notice instead "
        "(Art. 34(3)(c))"
    ),
}
LANGUAGES = {"nl": _l("Dutch"), "en": _l("English")}
UPDATE_KINDS = {
    "follow_up": _l("Further information"),
    "question": _l("Question"),
    "answer": _l("Answer"),
    "note": _l("Internal note"),
}


def refusal(exc: DomainError) -> str:
    """Why a step on an incident was refused, in the reader's language."""
    if isinstance(exc, DataFileError):
        return error_message(exc)
    messages = {
        "incident_closed": _("The incident is closed."),
        "not_a_controller": _("Only controller organisations can be affected."),
        "already_notified": _("A controller that was already told stays on the list."),
        "no_controllers": _("Confirm the affected controllers first."),
        "nobody_to_notify": _("Every confirmed controller has been told already."),
        "no_contact": _(
            "A controller has no designated contact and no e-mail address: add one first."
        ),
        "not_notified": _("Send the notice first."),
        "nothing_to_resend": _(
            "There is nothing to send again: this controller has not been told yet. "
            "Send the notice first."
        ),
        "body_required": _("Write the message."),
        "body_too_long": _("The message is too long."),
        "not_designated": _("Only the designated contacts of your organisation may do this."),
        "already_acknowledged": _("This notice was already acknowledged."),
        "not_own_data": _("This incident does not involve our own data."),
        "in_future": _("This moment lies in the future."),
        "delay_reasons_required": _(
            "The AP was notified more than 72 hours after we became aware: give the reasons."
        ),
        "subjects_notified": _("The people concerned have been told: the decision stands."),
        "decision_required": _("Choose whether the people concerned are told."),
        "ground_required": _("Choose why the people concerned are not told."),
        "reasons_required": _("Give the reasons."),
        "bad_address": _("The list holds something that is not an e-mail address."),
        "too_many_addresses": _("The list holds too many addresses."),
        "no_addresses": _("Enter or upload at least one e-mail address."),
        "no_email_column": _("The file has no column of e-mail addresses."),
        "not_decided_to_notify": _("Decide first that the people concerned are told."),
        "bad_language": _("Choose Dutch or English."),
    }
    return str(messages.get(exc.code, _("This step is not possible now.")))
