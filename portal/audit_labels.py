"""Words for every audit action: what the case page's timeline and the record say.

One registry, ``LABELS``: each action code that ``rights.audit.record`` is called with
anywhere in the code has a label here (tests/portal/test_audit_labels.py finds every call
site in the syntax trees and fails on an action without one). A label is a short phrase
("Match confirmed"); ``COUNTED`` gives the actions that often come in a run their counted
phrase ("38 matches confirmed"). docs/architecture.md, "Texts and labels"."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

LABELS = {
    # Requests
    "request.received": _l("Request received"),
    "request.transition": _l("State changed"),
    "request.email_confirmed": _l("E-mail address confirmed"),
    "request.verification_resent": _l("Confirmation link sent again"),
    "request.withdrawn": _l("Request withdrawn"),
    "request.extended": _l("Deadline extended by two months"),
    "request.suspended": _l("Information asked; the clock paused"),
    "request.resumed": _l("Information received; the clock runs again"),
    "request.assigned": _l("Assignee changed"),
    "request.split": _l("Split into linked requests"),
    "request.merged": _l("A duplicate was merged into this request"),
    "request.follow_up": _l("Follow-up erasure request opened"),
    "request.minor_review": _l("Marked for review: a parent acts for a child"),
    "request.instructed": _l("Passed on by the controller as its instruction"),
    "request.forward_reminded": _l("Reminder sent to the controller's designated contacts"),
    "request.forward_escalated": _l("No decision from the controller: escalated to the officers"),
    "request.auto_forward_failed": _l("Automatic forwarding was not possible: forward by hand"),
    "request.instruction_is_approval": _l(
        "Not forwarded back to the controller: its own instruction is its approval"
    ),
    # Case work
    "case.viewed": _l("Case opened"),
    "case.purged": _l("Case data deleted after the retention period"),
    "identity.verified": _l("Identity verified; ID copies deleted"),
    "message.posted": _l("Message in the thread"),
    "document.stored": _l("Document uploaded"),
    "document.deleted": _l("Document deleted"),
    "document.viewed": _l("Document opened"),
    "document.downloaded": _l("Document downloaded"),
    "register.exported": _l("Register exported"),
    "queue.searched": _l("Requests searched"),
    "reminders.sent": _l("Deadline reminders sent"),
    # Answers
    "answer.drafted": _l("Answer letter drafted"),
    "answer.edited": _l("Answer letter edited"),
    "answer.approved": _l("Refusal approved by a second officer"),
    "answer.sent": _l("Answer letter sent"),
    # Data sources
    "sources.discovered": _l("All sources searched"),
    "sources.data_viewed": _l("Data page opened"),
    "sources.match_confirmed": _l("Match confirmed"),
    "sources.match_rejected": _l("Match rejected"),
    "source.created": _l("Data source added"),
    "source.updated": _l("Data source changed"),
    "source.url_changed": _l("Connection of a data source changed"),
    "source_action.prepared": _l("Action prepared (preview)"),
    "source_action.executed": _l("Action carried out"),
    "source_task.answered": _l("Task answered by the source's keeper"),
    "source_task.done": _l("Task completed"),
    "source_task.link_reused": _l("Task link opened again"),
    "suppression.applied_on_receipt": _l("Marketing stopped on receipt"),
    "suppression.filtered": _l("Mailing file filtered against the suppression list"),
    "data_file.ingested": _l("Data file uploaded"),
    "data_file.viewed": _l("Data file opened"),
    "data_file.deleted": _l("Data file deleted"),
    "data_file.purged": _l("Data file deleted after its retention period"),
    # Packages
    "package.built": _l("Package of copies made"),
    "package.released": _l("Package released to the subject"),
    "package.revoked": _l("Download link withdrawn"),
    "package.reissued": _l("New download link issued"),
    "package.purged": _l("Package files deleted after expiry"),
    "package.code_sent": _l("Download code sent"),
    "package.code_rejected": _l("Wrong download code entered"),
    "package.downloaded": _l("Package downloaded"),
    "package.download_refused": _l("Download refused: the controller answers the subject itself"),
    "package.exported": _l("Package exported by a command"),
    "package.integrity_failed": _l("Package failed its integrity check"),
    "package.transmitted": _l("Data sent to the other organisation"),
    "package.transmission_downloaded": _l("Transmitted data downloaded by the recipient"),
    "certificate.downloaded": _l("Certificate downloaded"),
    # Controllers
    "controller.request_viewed": _l("Request opened by the controller"),
    "controller.action_approved": _l("Action approved by the controller"),
    "controller.action_rejected": _l("Action rejected by the controller"),
    "controller.action_commented": _l("Comment by the controller on an action"),
    "controller.package_approved": _l("Package approved by the controller"),
    "controller.package_rejected": _l("Package rejected by the controller"),
    "controller.package_commented": _l("Comment by the controller on a package"),
    "controller.identity_asked": _l("The controller asked for proof of identity"),
    "controller.extension_decided": _l("The controller extended the deadline"),
    "controller.refused": _l("The controller refused the request"),
    "controller.answers_ourselves": _l("The controller answers the subject itself"),
    "controller.request_commented": _l("Comment by the controller on the request"),
    "controller.approval_lapsed": _l("The controller's approval lapsed: the data changed"),
    "controller.decisions_sent": _l("The controller sent its decisions"),
    # Organisations and accounts
    "organisation.terms_changed": _l("Organisation's terms changed"),
    "organisation.contract_ended": _l("Contract with the organisation ended"),
    "incident.state_changed": _l("Incident state changed"),
    "api.key_created": _l("API key created"),
    "api.key_revoked": _l("API key revoked"),
    # The machine API (docs/api.md)
    "api.status_changed": _l("Status update queued for the controller's system"),
    "api.completion_moved": _l(
        "Update of the expected completion time queued for the controller's system"
    ),
    "api.callback_sent": _l("Status update delivered to the controller's system"),
    "api.callback_dead": _l("Status update could not be delivered to the controller's system"),
    "api.call_refused": _l("Call from a controller's system refused"),
    "api.suppression_checked": _l("Suppression check by a controller's system"),
    "opendsr.submitted": _l("Request received from the controller's system"),
    "opendsr.submit_repeated": _l("The controller's system sent the same request again"),
    "opendsr.status_read": _l("The controller's system read the status"),
    "opendsr.cancelled": _l("Cancelled by the controller's system"),
    # Incidents (docs/incidents.md)
    "incident.recorded": _l("Incident recorded"),
    "incident.facts_changed": _l("Incident facts changed"),
    "incident.assessed": _l("Incident assessed"),
    "incident.measures_changed": _l("Measures recorded"),
    "incident.ap_notified": _l("Notification to the AP recorded"),
    "incident.ap_draft_downloaded": _l("Draft of the AP notification downloaded"),
    "incident.controllers_confirmed": _l("Affected controllers confirmed"),
    "incident.controller_added": _l("Controller added to the incident"),
    "incident.notice_sent": _l("Notice sent to a controller"),
    "incident.notice_resent": _l("Notice sent again to a controller"),
    "incident.follow_up_sent": _l("Further information sent"),
    "incident.question_asked": _l("Question from a controller"),
    "incident.answer_sent": _l("Answer sent to a controller"),
    "incident.acknowledged": _l("Notice acknowledged by the controller"),
    "incident.viewed": _l("Incident read by a controller's contact"),
    "incident.cross_border_set": _l("Cross-border answer recorded"),
    "incident.subjects_decided": _l("Decision on telling the people concerned"),
    "incident.subjects_notified": _l("Letters sent to the people concerned"),
    "incident.clock_reminded": _l("Reminder: a deadline is near"),
    "incident.clock_escalated": _l("Escalated: a deadline has passed"),
    "incident.register_exported": _l("Incident register exported"),
    # Letters as PDF
    "answer.pdf_previewed": _l("Letter previewed as PDF"),
    "answer.pdf_downloaded": _l("Letter downloaded as PDF by the data subject"),
    "audit.anchor_mailed": _l("Audit anchor mailed"),
    "user.created": _l("Account created"),
    "user.invited": _l("Account invited"),
    "user.role_changed": _l("Role changed"),
    "user.enabled": _l("Account enabled"),
    "user.disabled": _l("Account disabled"),
    "user.designation_changed": _l("Designated contact changed"),
    "auth.login": _l("Logged in"),
    "auth.logout": _l("Logged out"),
    "auth.login_failed": _l("Failed login"),
    "auth.login_refused": _l("Login refused"),
    "auth.code_failed": _l("Wrong authenticator code"),
    "auth.locked": _l("Account locked after failed attempts"),
    "auth.unlocked": _l("Account unlocked"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_set": _l("Password set"),
    "auth.reset_requested": _l("Password reset requested"),
    "auth.totp_enrolled": _l("Authenticator app set up"),
    "auth.totp_reset": _l("Authenticator app reset"),
    "auth.recovery_codes_generated": _l("Recovery codes made"),
    "auth.recovery_code_used": _l("Recovery code used"),
}

# The runs that come in numbers (38 matches confirmed in one discovery): a counted phrase.
COUNTED: dict[str, Callable[[int], str]] = {
    "sources.match_confirmed": lambda n: ngettext(
        "%(num)d match confirmed", "%(num)d matches confirmed", n
    ),
    "sources.match_rejected": lambda n: ngettext(
        "%(num)d match rejected", "%(num)d matches rejected", n
    ),
    "sources.data_viewed": lambda n: ngettext(
        "Data page opened %(num)d time", "Data page opened %(num)d times", n
    ),
    "case.viewed": lambda n: ngettext("Case opened %(num)d time", "Case opened %(num)d times", n),
    "document.viewed": lambda n: ngettext("%(num)d document opened", "%(num)d documents opened", n),
    "document.stored": lambda n: ngettext(
        "%(num)d document uploaded", "%(num)d documents uploaded", n
    ),
    "message.posted": lambda n: ngettext(
        "%(num)d message in the thread", "%(num)d messages in the thread", n
    ),
    "source_action.prepared": lambda n: ngettext(
        "%(num)d action prepared (preview)", "%(num)d actions prepared (preview)", n
    ),
    "source_action.executed": lambda n: ngettext(
        "%(num)d action carried out", "%(num)d actions carried out", n
    ),
    "controller.action_approved": lambda n: ngettext(
        "%(num)d action approved by the controller",
        "%(num)d actions approved by the controller",
        n,
    ),
    "controller.action_rejected": lambda n: ngettext(
        "%(num)d action rejected by the controller",
        "%(num)d actions rejected by the controller",
        n,
    ),
    "package.code_sent": lambda n: ngettext(
        "%(num)d download code sent", "%(num)d download codes sent", n
    ),
}

# Never grouped: each of these says something of its own (a state change from A to B).
SINGLE = frozenset({"request.transition"})


def label(action: str) -> str:
    """The words for ``action``; an unknown code (an old event) is shown as a neutral line."""
    found = LABELS.get(action)
    return str(found) if found is not None else str(_l("Recorded event"))


def counted(action: str, n: int) -> str:
    """The words for ``n`` consecutive events of ``action``."""
    if n == 1:
        return label(action)
    phrase = COUNTED.get(action)
    if phrase is not None:
        return phrase(n)
    return str(
        ngettext("%(what)s (%(num)d time)", "%(what)s (%(num)d times)", n, what=label(action))
    )
