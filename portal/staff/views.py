"""The officer's workspace: the queue, search, and the development mail viewer. Case pages
and actions live in ``case.py``, the dashboard and register export in ``reports.py``."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from portal import clock
from portal.auth.guards import staff_required
from portal.db import get_session
from portal.mail import mail_dir
from portal.staff.blueprint import bp
from portal.staff.devmail import list_mail, one_mail
from portal.staff.forms import QueueFilterForm, SearchForm
from portal.staff.helpers import actor, search_key
from portal.staff.incidents import queue_clocks
from portal.staff.queue_rows import queue_rows
from rights.approvals import pending_approvals, pending_count
from rights.deadlines import local_date
from rights.models.org import Organisation, Role, User
from rights.queue import QueueItem, queue_page, search
from rights.righttypes import RightType


def _choices() -> dict[str, object]:
    """The filters' choices, as (id, name) rows: the page needs no more of them."""
    session = get_session()
    return {
        "organisations": session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name)
        ).all(),
        "rights": list(RightType),
        "officers": session.execute(
            select(User.id, User.name)
            .where(User.role.in_([Role.OFFICER, Role.ADMIN]))
            .order_by(User.name)
        ).all(),
    }


@bp.get("/")
@staff_required
def queue() -> str:
    now = clock.now()
    form = QueueFilterForm(request.args)
    f = form.to_filter()
    result = queue_page(get_session(), f, now=now, page=form.page_number())
    rows = queue_rows(result.requests, local_date(now))
    clocks = queue_clocks()
    return render_template(
        "staff/queue.html", result=result, rows=rows, f=f, clocks=clocks, now=now, **_choices()
    )


@bp.post("/search")
@staff_required
def search_requests() -> str:
    """POST keeps the e-mail address out of URLs and access logs; the search is audited."""
    query = SearchForm().q.data or ""
    session = get_session()
    rows = search(session, query, actor=actor(), now=clock.now(), key=search_key())
    session.commit()
    return render_template(
        "staff/search.html",
        rows=queue_rows(map(QueueItem.of, rows), local_date(clock.now())),
        searched=bool(query.strip()),
    )


@bp.get("/dev-mail")
@staff_required
def dev_mail() -> str:
    """Development only: the mail the worker wrote to files instead of sending."""
    if current_app.config["MAIL_MODE"] != "file":
        abort(404)
    return render_template("staff/dev_mail.html", mails=list_mail(mail_dir(current_app)))


@bp.get("/dev-mail/<name>")
@staff_required
def dev_mail_file(name: str) -> str:
    if current_app.config["MAIL_MODE"] != "file":
        abort(404)
    mail = one_mail(mail_dir(current_app), name)
    if mail is None:
        abort(404)
    return render_template("staff/dev_mail_one.html", mail=mail)


@bp.app_context_processor
def _approvals_count() -> dict[str, object]:
    """``approvals_count()`` for the staff navigation; queried only when a page calls it."""
    return {"approvals_count": lambda: pending_count(get_session())}


@bp.get("/approvals")
@staff_required
def approvals() -> str:
    """Four-eyes items waiting for a second officer (packages, erasures, Art. 12(5) letters)."""
    items = pending_approvals(get_session())
    return render_template("staff/approvals.html", items=items, me=int(current_user.id))


from portal import reminders  # noqa: E402, F401 - registers its job (moves with the job registry)
