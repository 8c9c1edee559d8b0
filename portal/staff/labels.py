"""Words for codes shown in the workspace: legal grounds, states, rights, error codes (the
timeline's words for audit events: portal/audit_labels.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from exporters.labels import BASIS
from operations.answers import GROUND_TEXTS
from portal.words import LanguageTable, per_locale

# Ground codes from rights.grounds: the words are the letters' own (operations.answers), so
# the workspace and the letter never say different things. The Art. 6(1) bases have one
# table for the package, the letters and the pages (exporters.labels).
GROUNDS = {code: _l(text) for code, text in GROUND_TEXTS.items()}
BASES = LanguageTable(BASIS)

STATES = {
    "awaiting_verification": _l("Awaiting e-mail confirmation"),
    "open": _l("Open"),
    "awaiting_information": _l("Waiting for the requester"),
    "forwarded": _l("With the controller"),
    "in_progress": _l("In progress"),
    "awaiting_approval": _l("Awaiting approval"),
    "answered": _l("Answered"),
    "withdrawn": _l("Withdrawn"),
    "closed_unverified": _l("Closed: not confirmed"),
    "closed": _l("Closed"),
}

RIGHTS = {
    "access": _l("Access"),
    "rectification": _l("Rectification"),
    "erasure": _l("Erasure"),
    "restriction": _l("Restriction"),
    "portability": _l("Data portability"),
    "objection": _l("Objection"),
    "withdraw_consent": _l("Withdrawal of consent"),
}

REVIEW_FLAGS = {
    "minor_review": _l("Parent acting for a child of review age: weigh the child's interests"),
    "suppressed_on_operator_list": _l(
        "Marketing stopped on the operator's list: find the controller and pass it on"
    ),
    "suppression_without_identifier": _l(
        "Marketing objection without a usable identifier: contact the requester"
    ),
}

PACKAGE_STATUS = {
    "built": _l("made; waits for release by a second officer"),
    "released": _l("released"),
    "revoked": _l("links withdrawn"),
    "expired": _l("expired"),
    "purged": _l("expired; files deleted"),
}

DOCUMENT_KINDS = {
    "id_document": _l("Copy of an ID document"),
    "mandate": _l("Mandate or proof of appointment"),
    "evidence": _l("Evidence"),
    "attachment": _l("Attachment sent to the subject"),
}
package_status_words = per_locale(PACKAGE_STATUS)


# A flag whose words depend on the right: a consent withdrawal is no objection.
FLAGS_BY_RIGHT = {
    ("suppression_without_identifier", "withdraw_consent"): _l(
        "Consent withdrawn without a usable identifier: contact the requester"
    ),
}


def flag_label(flag: str, right: str, words: dict[str, str]) -> str:
    """The words for a review flag of a request for ``right``."""
    special = FLAGS_BY_RIGHT.get((flag, right))
    return str(special) if special is not None else words.get(flag, flag)


# The workspace's words for states, rights and review flags, translated once per language
# (the queue shows them on every row): templates/macros/requests.html.
state_words = per_locale(STATES)
right_words = per_locale(RIGHTS)
flag_words = per_locale(REVIEW_FLAGS)

OUTCOMES = {
    "fulfilled": _l("Fulfilled"),
    "partially_fulfilled": _l("Partially fulfilled"),
    "refused": _l("Refused"),
}

IDENTITY_METHODS = {
    "email_link": _l("Confirmation link to the e-mail address on file"),
    "account_session": _l("Logged in to the customer account"),
    "known_details": _l("Details only the subject knows"),
    "id_document": _l("(Masked) ID document seen"),
    "mandate": _l("Representative's mandate checked"),
}

# Identity methods recorded by the domain, never chosen by an officer.
VOUCHED_METHODS = {
    "controller_instruction": _l("Vouched for by the controller (its instruction)"),
}

EXTENSION_GROUNDS = {
    "complexity": _l("The request is complex"),
    "number_of_requests": _l("An exceptional number of requests"),
}

SUSPENSION_REASONS = {
    "identity": _l("Identity: we need information to confirm who asks"),
    "clarification": _l("Clarification of the request"),
}

# A request's language (the language of every mail and letter to the subject).
LANGUAGE_NAMES = {"nl": _l("Dutch"), "en": _l("English")}
language_words = per_locale(LANGUAGE_NAMES)

CHANNELS = {
    "web": _l("Web form"),
    "api": _l("API"),
    "email": _l("E-mail"),
    "post": _l("Letter"),
    "phone": _l("Phone"),
    "in_person": _l("In person or via a colleague"),
}
# The registration form's choices: the hint helps the officer who registers a request.
CHANNEL_CHOICES = {**CHANNELS, "email": _l("E-mail (e.g. privacy@ mailbox)")}

ERRORS = {
    "identity_method": _l("Choose how identity was established."),
    "note": _l("Write a note."),
    "note_required": _l("Say what you need from the subject."),
    "question": _l("Write the question for the subject."),
    "suspension_reason": _l("Choose why you ask for information."),
    "assignee": _l("Only an active officer can be assigned."),
    "extension_ground": _l("Choose a ground for the extension."),
    "justification_required": _l("Give the facts that make the extension necessary."),
    "already_extended": _l("This request was already extended once; the law allows one extension."),
    "extension_too_late": _l(
        "The one-month period has ended: an extension can no longer be invoked (Art. 12(3) GDPR)."
    ),
    "not_open": _l("This request is no longer open."),
    "not_suspended": _l("There is no open question to the subject."),
    "ground_mismatch": _l("A chosen ground does not apply to this right."),
    "ground_extra": _l("A fulfilled request cites no refusal ground."),
    "ground_required": _l("Choose at least one legal ground for the refusal."),
    "refusal_not_allowed": _l(
        "This request cannot be refused: an objection to direct marketing is absolute "
        "(Art. 21(3) GDPR) and consent can always be withdrawn (Art. 7(3) GDPR)."
    ),
    "basis_required": _l(
        "Say on which legal basis the data are processed: this ground depends on it."
    ),
    "basis": _l("Choose a legal basis from the list."),
    "review_required": _l(
        "A restriction under Art. 23 GDPR / art. 41 UAVG needs a date on which it is reviewed."
    ),
    "other_basis_explanation": _l(
        "Explain to the subject which data stay processed on which other legal basis."
    ),
    "no_follow_up": _l("No erasure follows from this request."),
    "follow_up_exists": _l("The follow-up erasure request was already opened."),
    "package_required": _l(
        "An access request is fulfilled with a copy: release the package first."
    ),
    "reasons_required": _l("Explain the reasons: the subject is entitled to them."),
    "manifestly": _l("Choose unfounded or excessive."),
    "manifestly_ground": _l(
        "A manifestly unfounded or excessive request is refused in full under Art. 12(5) GDPR."
    ),
    "letter_empty": _l("The letter is empty."),
    "letter_too_long": _l("The letter is too long."),
    "letter_sent": _l("This letter was already sent."),
    "approval_required": _l(
        "A refusal as manifestly unfounded or excessive needs the approval of a second officer "
        "before it is sent."
    ),
    "own_approval": _l("You prepared this letter: another officer must approve it."),
    "no_approval_needed": _l("This letter needs no approval."),
    "not_reopenable": _l("Only an answered or withdrawn request can be reopened."),
    "reopen_window": _l("The period in which this request could be reopened has passed."),
    "split_orgs": _l("Choose at least two different organisations."),
    "merge_self": _l("A request cannot be a duplicate of itself."),
    "merge_mismatch": _l("Only a request for the same right from the same subject can be merged."),
    "confirm": _l("Tick the box to confirm: this step cannot be undone."),
    "message_empty": _l("Write a message."),
    "message_too_long": _l("The message is too long."),
    "received_in_future": _l("The arrival moment cannot be in the future."),
    "received_at": _l("Give the date and time the request arrived."),
    "requester": _l("Give the requester's name and e-mail address or postal address."),
    "organisation": _l("Choose the organisation."),
    "channel": _l("Choose how the request arrived."),
    "right": _l("Choose the right."),
    "not_found": _l("No open request with that reference."),
    "invalid_transition": _l("This step is not possible in the current state."),
    # Controllers decide (docs/controllers.md, "Who decides")
    "controller_decides": _l(
        "The controller decides this request: its designated contact takes this step in the "
        "controller portal, and the processor carries it out."
    ),
    "not_designated": _l("Only a designated contact of the controller can take this decision."),
    "staff_only": _l("Only the privacy desk decides the operator's own requests."),
    "controller_refusal": _l(
        "The controller has not refused this request: a refusal (in whole or in part) needs "
        "the decision of the controller's designated contact."
    ),
    "controller_answers": _l(
        "The controller answers the data subject itself: no answer letter is sent from here. "
        "Return the results to the controller."
    ),
    "controller_approval": _l(
        "The controller has not approved this as previewed: its designated contact must "
        "approve it first."
    ),
    "controller_rejected": _l("The controller rejected this action; it cannot be carried out."),
    "four_eyes": _l("Another officer must take this step: you prepared it."),
}


def error_text(code: str) -> str:
    return str(ERRORS.get(code, ERRORS["invalid_transition"]))


DETAIL_FIELDS = {
    "scope": _l("Scope"),
    "specific": _l("Specifically"),
    "period_from": _l("Period from"),
    "period_to": _l("Period to"),
    "which_data": _l("Which data"),
    "current_value": _l("Current value"),
    "correct_value": _l("Correct value"),
    "supplementary_statement": _l("Supplementary statement"),
    "ground": _l("Ground (paragraph 1)"),
    "explanation": _l("Explanation"),
    "format": _l("Format"),
    "transmit_to_name": _l("Transmit to"),
    "transmit_to_email": _l("Transmit to (e-mail)"),
    "basis": _l("Basis"),
    "situation": _l("Particular situation"),
    "which_consent": _l("Which consent"),
    "name": _l("Name"),
    "relationship": _l("Relationship to the subject"),
}

IDENTITY_STATUS = {
    "unverified": _l("not yet established"),
    "email_confirmed": _l("e-mail address confirmed"),
    "verified": _l("verified by an officer"),
    "failed": _l("could not be identified"),
}

PARTIES = {
    "officer": _l("Officer"),
    "subject": _l("Subject"),
    "controller": _l("Controller"),
    "system": _l("System"),
}
