"""A sent answer letter as a PDF for the subject, behind the status page's signed link:
the same access rule as the status page, a draft or another request's letter is a 404, and
every download is audited (docs/legal.md, "What each letter says")."""

from __future__ import annotations

from flask import abort
from werkzeug.wrappers import Response

from operations import letter_pdf
from portal.context import context
from portal.public.blueprint import bp
from portal.public.status import _status_request
from rights.errors import NotFound


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/status/<token>/letters/<int:letter_id>.pdf")
def letter_download(token: str, letter_id: int) -> Response:
    req = _status_request(token)
    ctx = context()
    try:
        rendered = letter_pdf.sent_pdf(ctx, req, letter_id)
    except NotFound:
        abort(404)
    ctx.session.commit()
    return pdf_response(rendered.data, rendered.filename)
