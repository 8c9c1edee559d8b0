"""The end-of-contract certificate on the admin organisation page (docs/controllers.md, "End
of contract"): the administrator downloads it as PDF or JSON, as the controller's contacts
do, and every download is audited (``certificate.downloaded``, the admin as actor). An
officer is refused in words (403); anyone else who is not staff does not see the route."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from operations.certificates import contract_end_json, download
from portal.auth.guards import staff_required
from portal.auth.organisations import bp, organisation_of
from portal.context import context
from portal.controller.results_common import send
from portal.errors import render_error
from rights.controllers.certificates import contract_end_certificate
from rights.models.org import Role


def _contract_end(org_id: int, fmt: str) -> Response | tuple[str, int]:
    if current_user.role is not Role.ADMIN:
        return render_error(
            403, _("Only an administrator can download the certificate of the end of the contract.")
        )
    organisation = organisation_of(org_id)
    if organisation.contract_ended_at is None:
        abort(404)
    ctx = context()
    cert = contract_end_certificate(ctx.session, organisation)
    rendered = download(ctx, contract_end_json(cert), cert, fmt, object_id=organisation.id)
    ctx.session.commit()
    return send(rendered)


@bp.get("/<int:org_id>/contract-end.pdf")
@staff_required
def contract_end_pdf(org_id: int) -> Response | tuple[str, int]:
    return _contract_end(org_id, "pdf")


@bp.get("/<int:org_id>/contract-end.json")
@staff_required
def contract_end_json_download(org_id: int) -> Response | tuple[str, int]:
    return _contract_end(org_id, "json")
