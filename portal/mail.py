"""Rendering and sending outbox mail (in the subject's language), over SMTP or, in
development, to files listed on a staff page."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import incident_words
from portal.tokens import make_token
from rights.models.incident import Incident
from rights.models.mail import OutboxMail
from rights.models.org import Organisation, OrganisationKind
from rights.models.package import Package
from rights.models.request import RightsRequest


def mail_dir(app: Flask) -> Path:
    return Path(app.instance_path) / "mail"


def status_url(request: RightsRequest) -> str:
    token = make_token("status", {"r": request.id})
    return f"{current_app.config['BASE_URL'].rstrip('/')}/status/{token}"


def verify_url(request: RightsRequest, generation: int) -> str:
    token = make_token("verify-email", {"r": request.id, "g": generation})
    return f"{current_app.config['BASE_URL'].rstrip('/')}/verify/{token}"


def incident_context(session: Session, mail: OutboxMail) -> dict[str, object]:
    """An incident mail's objects: the incident, the controller it goes to, the operator
    (the contact point) and the links (docs/incidents.md, "Notice to controllers")."""
    incident = session.get(Incident, int(mail.context["incident_id"]))
    org_id = mail.context.get("organisation_id")
    operator = session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.OPERATOR).limit(1)
    )
    base = current_app.config["BASE_URL"].rstrip("/")
    return {
        "incident": incident,
        "organisation": session.get(Organisation, int(org_id)) if org_id else None,
        "operator": operator,
        "controller_url": f"{base}/controller/incidents/{mail.context['incident_id']}",
        "staff_url": f"{base}/staff/incidents/{mail.context['incident_id']}",
    }


def render(session: Session, mail: OutboxMail) -> EmailMessage:
    """Build the message for an outbox row inside an app context. The header policy of
    ``EmailMessage`` refuses CR/LF in headers, so no header injection can pass."""
    request = session.get(RightsRequest, mail.request_id) if mail.request_id else None
    context = {"mail": mail, "request": request, **mail.context}
    if request is not None:
        context["status_url"] = status_url(request)
        if "link_generation" in mail.context:
            context["verify_url"] = verify_url(request, int(mail.context["link_generation"]))
    if "package_id" in mail.context:  # the package-ready mail names how long the link works
        context["package"] = session.get(Package, int(mail.context["package_id"]))
    if mail.template == "manual_task" and "task_id" in mail.context:
        # Imported here: the task and account pages import this module to queue their mail.
        from portal.sources.task_views import task_url

        context["task_url"] = task_url(int(mail.context["task_id"]))
    if "incident_id" in mail.context:
        context.update(incident_context(session, mail))
    if "user_id" in mail.context:
        # Imported here: the account pages import this module to queue their mail.
        from portal.auth.links import mail_context

        context.update(mail_context(session, mail))
    with force_locale(mail.language):
        if "incident_id" in mail.context:  # dates and words in the recipient's language
            context.update(incident_words.mail_context(session, mail))
        subject = render_template(f"email/{mail.template}.subject.txt", **context).strip()
        body = render_template(f"email/{mail.template}.txt", **context)
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = mail.to_addr
    msg["Subject"] = " ".join(subject.split())
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(mail, current_app.config["MAIL_FROM"])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg


def message_id(mail: OutboxMail, sender: str) -> str:
    """The same ``Message-ID`` for every attempt at one outbox row, so a mail sent again
    after a crash between hand-over and the "sent" mark is recognisably the same mail (mail
    clients and servers fold duplicates by it). See docs/operations.md, "Mail"."""
    domain = sender.rpartition("@")[2] or "localhost"
    created = mail.created_at.strftime("%Y%m%d%H%M%S") if mail.created_at else "0"
    return f"<dsr-outbox-{mail.id}.{created}@{domain}>"


def deliver(app: Flask, msg: EmailMessage, mail_id: int) -> None:
    """Hand the message to the SMTP server, or write it to a file in development."""
    cfg = app.config
    if cfg["MAIL_MODE"] == "file":
        folder = mail_dir(app)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{mail_id:08d}.eml").write_bytes(bytes(msg))
        return
    security = cfg["SMTP_SECURITY"]
    if security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=30, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=30)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if cfg["SMTP_USER"]:
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
        smtp.send_message(msg)
