"""Blueprint registration and template helpers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, redirect, request, session, url_for
from flask_babel import format_date, get_locale
from werkzeug.wrappers import Response

from portal.security import is_safe_next
from rights.deadlines import AMSTERDAM


def set_language(code: str) -> Response:
    """The visible language switch: a plain link, so it works without JavaScript."""
    from flask import current_app

    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("public.index"))


def _local(value: datetime | None, fmt: str = "d MMM yyyy HH:mm") -> str:
    if value is None:
        return ""
    from flask_babel import format_datetime

    return format_datetime(value.astimezone(AMSTERDAM), fmt)


def _day(value: date | None, fmt: str = "EEE d MMM yyyy") -> str:
    return format_date(value, fmt) if value else ""


def _state(value: str) -> object:
    from rights.models.request import RequestState

    return RequestState(value)


def _context() -> dict[str, Any]:
    return {"current_language": str(get_locale() or "nl")}


def init_app(app: Flask) -> None:
    from portal.auth import sessions
    from portal.auth.admin import bp as users_bp
    from portal.auth.views import bp as auth_bp
    from portal.controller.views import bp as controller_bp
    from portal.public.views import bp as public_bp
    from portal.sources.views import bp as sources_bp

    # Importing the workspace modules attaches their routes to the staff blueprint.
    from portal.staff import case, letters, register, reports, views  # noqa: F401
    from portal.staff.blueprint import bp as staff_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(controller_bp)
    from portal.delivery import init_app as init_delivery

    init_delivery(app)
    app.register_blueprint(users_bp)
    sessions.init_app(app)
    app.register_blueprint(sources_bp)
    from portal.sources.task_views import bp as tasks_bp

    app.register_blueprint(tasks_bp)
    app.add_url_rule("/lang/<code>", "set_language", set_language)
    app.add_template_filter(_local, "local_dt")
    app.add_template_filter(_day, "day")
    app.add_template_filter(_state, "state")
    app.context_processor(_context)
