"""What the controller's results pages share (docs/controllers.md, "Results back to the
controller"): the contact's organisation, the designated-contact check with its refusal in
words, and sending a rendered certificate."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from operations.certificates import Rendered
from portal.db import get_session
from portal.errors import render_error
from rights.controllers.instructions import check_contact
from rights.errors import PermissionDenied
from rights.models.org import Organisation, User

FORMATS = ("pdf", "json")


def organisation_id() -> int:
    """The logged-in contact's organisation (a contact without one sees nothing)."""
    if current_user.organisation_id is None:
        abort(404)
    return int(current_user.organisation_id)


def contact_organisation() -> Organisation:
    """The logged-in contact's organisation, loaded."""
    organisation = get_session().get(Organisation, organisation_id())
    if organisation is None:
        abort(404)
    return organisation


def designated() -> User | None:
    """The logged-in user when they are a designated contact, else None."""
    user = get_session().get(User, int(current_user.id))
    try:
        check_contact(user) if user is not None else None
    except PermissionDenied:
        return None
    return user


def refuse_undesignated() -> tuple[str, int]:
    """A user who may read but not instruct: the portal's 403 page with the reason in words,
    for the GET and the POST of every page only designated contacts use, before any form is
    read (docs/controllers.md, "Deciding")."""
    return render_error(403, _("Only the designated contacts of your organisation may do this."))


def send(rendered: Rendered) -> Response:
    return Response(
        rendered.data,
        mimetype=rendered.mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{rendered.filename}"',
            "Cache-Control": "no-store",
        },
    )
