"""The controller portal's decision forms. Each is a POST with the CSRF token; the form
checks only the shape (a decision offered, a text within bounds), the domain decides what
is allowed (docs/controllers.md, "The controller portal")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf

from operations.controller_decisions import ACTION_KINDS, PACKAGE_KINDS, REQUEST_KINDS
from portal.formfields import text
from rights.models.controller import DecisionKind

MAX_REASON = 2000  # the domain's limit (rights.controllers.approvals)
CHOOSE = _l("Choose one of the decisions offered.")


def _decision(kinds: tuple[DecisionKind, ...]) -> StringField:
    return StringField(validators=[AnyOf([k.value for k in kinds], message=CHOOSE)])


class ActionDecisionForm(FlaskForm):
    """Approve, reject (reason required) or comment on one proposed action."""

    decision = _decision(ACTION_KINDS)
    reason = text(MAX_REASON)


class PackageDecisionForm(FlaskForm):
    """Approve or reject (reason required) the release of one package."""

    decision = _decision(PACKAGE_KINDS)
    reason = text(MAX_REASON)


class RequestDecisionForm(FlaskForm):
    """A decision on the request as a whole: ask for more proof of identity (``reason`` is
    the question), extend (``extension_ground`` and the facts in ``reason``), refuse
    (``ground`` and ``reason``), or answer the subject ourselves."""

    decision = _decision(REQUEST_KINDS)
    reason = text(MAX_REASON)
    ground = text(60)
    extension_ground = text(40)


class SendForm(FlaskForm):
    """A button: send our decisions to the processor."""


class AcknowledgeForm(FlaskForm):
    """A button: we received the notice of this incident."""


class QuestionForm(FlaskForm):
    """A question on an incident to the processor's officers."""

    body = text(5000)
