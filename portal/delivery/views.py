"""The subject's download: ``/download/<token>``.

GET shows the page (mail scanners open links; nothing changes). POST ``action=send`` mails a
fresh six-digit code to the verified address; POST ``action=download`` with the code
streams the decrypted ZIP, after the whole file has been authenticated, so a damaged file
serves nothing. Expired, revoked, re-issued or purged -> 410 with a page that says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal import clock
from portal.db import get_session
from portal.delivery.forms import ActionForm, CodeForm, TransmitForm
from portal.packages import code_secret, transmission_url, verified_chunks
from portal.security import limiter
from portal.tokens import TokenExpired, TokenInvalid, read_token
from rights import packages
from rights.audit import Actor
from rights.errors import Gone, NotFound, ValidationFailed
from rights.models.org import Organisation
from rights.models.package import Package, Transmission
from rights.righttypes import PortabilityDetails, RightType, parse_details

bp = Blueprint("delivery", __name__)


class ControllerAnswers(Exception):
    """The subject's link of a package whose controller answers the subject itself."""

    def __init__(self, controller: Organisation) -> None:
        super().__init__(controller.name)
        self.controller = controller


WRONG_CODE = _l("This code is wrong, was already used or has expired. Ask for a new code.")


def load_package(session: Session, token: str) -> Package:
    """The package a download token names; NotFound for a bad token, Gone for an old one."""
    try:
        data = read_token("download", token, max_age_seconds=None)
    except (TokenInvalid, TokenExpired) as exc:
        raise NotFound("unknown download link") from exc
    package_id, generation = data.get("p"), data.get("g")
    if not isinstance(package_id, int) or not isinstance(generation, int):
        raise NotFound("unknown download link")
    package = session.get(Package, package_id)
    if package is None or package.request is None:  # return exports: controller portal only
        raise NotFound("unknown download link")
    if generation != package.link_generation:
        raise Gone("this link was replaced or withdrawn", code="package_revoked")
    packages.downloadable(package, clock.now())
    controller = packages.refuse_subject_download(session, package, now=clock.now())
    if controller is not None:
        session.commit()  # the refusal is audited
        raise ControllerAnswers(controller)
    return package


def gone_page(exc: Gone) -> tuple[str, int]:
    """The 410 page of this blueprint: it says whether the link was withdrawn or expired."""
    return render_template("delivery/gone.html", reason=_gone_reason(exc.code)), 410


def _gone_reason(code: str) -> str:
    return "revoked" if code == "package_revoked" else "expired"


def controller_answers_page(exc: ControllerAnswers) -> tuple[str, int]:
    """410: the controller answers this request itself; whom the subject contacts."""
    return render_template("delivery/controller_answers.html", org=exc.controller), 410


bp.register_error_handler(Gone, gone_page)
bp.register_error_handler(ControllerAnswers, controller_answers_page)


def zip_response(package: Package, chunks: Iterator[bytes]) -> Response:
    name = f"{package.display_reference}-{package.id}.zip"
    response = Response(chunks, mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Length"] = str(package.size)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _transmit_form(package: Package, formdata: bool = False) -> TransmitForm | None:
    """The Art. 20(2) form, for portability answers only; prefilled from the request."""
    if package.rights_request.right is not RightType.PORTABILITY:
        return None
    if formdata:
        return TransmitForm()
    details = parse_details(package.rights_request.right, package.rights_request.details)
    assert isinstance(details, PortabilityDetails)
    return TransmitForm(
        formdata=None,
        data={
            "recipient_name": details.transmit_to_name,
            "recipient_email": details.transmit_to_email,
        },
    )


def _page(
    package: Package,
    form: CodeForm,
    status: int = 200,
    transmit_form: TransmitForm | None = None,
    **extra: Any,
) -> Any:
    address = packages.verified_address(package.rights_request)
    html = render_template(
        "delivery/download.html",
        package=package,
        form=form,
        send_form=ActionForm(),
        transmit_form=transmit_form or _transmit_form(package),
        has_address=address is not None,
        sent=request.args.get("sent") == "1",
        transmitted=request.args.get("transmitted") == "1",
        **extra,
    )
    response = Response(html, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/download/<token>")
def download_page(token: str) -> Any:
    return _page(load_package(get_session(), token), CodeForm())


@bp.post("/download/<token>")
@limiter.limit("10 per minute")
def download_post(token: str) -> Any:
    session = get_session()
    package = load_package(session, token)
    if request.form.get("action") == "send":
        return _send_code(session, package, token)
    if request.form.get("action") == "transmit":
        return _transmit(session, package, token)
    code_form, now = CodeForm(), clock.now()
    if not code_form.validate_on_submit():
        return _page(package, code_form, 422)
    code = code_form.code.data or ""
    if not packages.redeem_download_code(session, package, code, secret=code_secret(), now=now):
        session.commit()  # the failed attempt counts
        code_form.code.errors = [WRONG_CODE]
        return _page(package, code_form, 422)
    chunks = verified_chunks(session, package, now)  # a damaged file raises: nothing is sent
    packages.record_download(session, package, actor=Actor.subject(), now=now, via="subject")
    session.commit()
    return zip_response(package, chunks)


def _send_code(session: Session, package: Package, token: str) -> Any:
    """Mail a fresh code to the verified address (the form is only the CSRF token)."""
    if not ActionForm().validate_on_submit():
        return _page(package, CodeForm(formdata=None), 400)
    packages.issue_download_code(session, package, secret=code_secret(), now=clock.now())
    session.commit()
    return redirect(url_for("delivery.download_page", token=token, sent="1") + "#step-2")


def _transmit(session: Session, package: Package, token: str) -> Any:
    """Art. 20(2): send the package to another organisation, confirmed with the code."""
    form = _transmit_form(package, formdata=True)
    if form is None:
        raise NotFound("not a portability answer")
    if not form.validate_on_submit():
        return _page(package, CodeForm(formdata=None), 422, transmit_form=form)
    try:
        sent = _send_transmission(session, package, form)
    except ValidationFailed as exc:
        form.refused(exc.code)
        return _page(package, CodeForm(formdata=None), 422, transmit_form=form)
    session.commit()
    if sent is None:
        form.transmit_code.errors = [WRONG_CODE]
        return _page(package, CodeForm(formdata=None), 422, transmit_form=form)
    return redirect(url_for("delivery.download_page", token=token, transmitted="1"))


def _send_transmission(
    session: Session, package: Package, form: TransmitForm
) -> Transmission | None:
    return packages.transmit_package(
        session,
        package,
        form.transmit_code.data or "",
        recipient_name=form.recipient_name.data or "",
        recipient_email=form.recipient_email.data or "",
        secret=code_secret(),
        now=clock.now(),
        link=transmission_url,
    )


def load_transmission(session: Session, token: str) -> Transmission:
    try:
        data = read_token("download", token, max_age_seconds=None)
    except (TokenInvalid, TokenExpired) as exc:
        raise NotFound("unknown link") from exc
    transmission_id = data.get("t")
    if not isinstance(transmission_id, int):
        raise NotFound("unknown link")
    transmission = session.get(Transmission, transmission_id)
    if transmission is None:
        raise NotFound("unknown link")
    packages.transmission_downloadable(transmission, clock.now())
    return transmission


@bp.route("/transmission/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def transmission(token: str) -> Any:
    """The receiving organisation's link: a page (GET), the ZIP on a POST."""
    session = get_session()
    sent = load_transmission(session, token)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("delivery/transmission.html", sent=sent, form=form), 400
        chunks = verified_chunks(session, sent.package, clock.now())
        packages.record_transmission_download(session, sent, now=clock.now())
        session.commit()
        return zip_response(sent.package, chunks)
    html = render_template("delivery/transmission.html", sent=sent, form=form)
    response = Response(html)
    response.headers["Cache-Control"] = "no-store"
    return response
