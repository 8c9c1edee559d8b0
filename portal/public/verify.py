"""The e-mail confirmation link: GET shows a button (mail scanners open links), only the
POST confirms; an expired link offers a new one."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from operations import intake as intake_ops
from portal.context import context
from portal.public.blueprint import bp, per_ip, per_request
from portal.public.forms import ConfirmForm
from portal.tokens import TokenExpired, TokenInvalid, make_token, read_token
from rights import intake
from rights.models.request import RightsRequest


def _verify_token(token: str, *, allow_expired: bool = False) -> tuple[RightsRequest, Any]:
    days = context().policy.verification_link_days
    try:
        data = read_token("verify-email", token, None if allow_expired else days * 86400)
        request_id = int(data["r"])
    except (TokenInvalid, KeyError, TypeError, ValueError):
        abort(404)
    req = context().session.get(RightsRequest, request_id)
    if req is None:
        abort(404)
    return req, data.get("g")


def status_token(req: RightsRequest) -> str:
    return make_token("status", {"r": req.id})


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> Any:
    """GET shows a button (mail scanners open links); only the POST confirms."""
    try:
        req, generation = _verify_token(token)
    except TokenExpired:
        return render_template("public/verify_expired.html", token=token, form=ConfirmForm()), 410
    intake.check_link(req, generation)  # Gone -> 410 page
    form = ConfirmForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    if request.method == "POST":
        ctx = context()
        intake_ops.verify(ctx, req, generation)
        ctx.session.commit()
        flash(_("Thank you. Your e-mail address is confirmed and we will handle your request."))
        return redirect(url_for("public.status", token=status_token(req)))
    return render_template("public/verify.html", form=form, req=req)


@bp.post("/verify/<token>/resend")
@per_ip
@per_request
def verify_resend(token: str) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    req, _generation = _verify_token(token, allow_expired=True)
    ctx = context()
    intake.resend_verification(ctx.session, req, now=ctx.now())
    ctx.session.commit()
    return render_template("public/link_sent.html")
