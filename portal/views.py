"""Blueprint registration and template helpers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, redirect, request, session, url_for
from flask_babel import format_date
from werkzeug.wrappers import Response

from portal.auth import (  # noqa: F401 - api_keys and contract_certificate add their routes
    api_keys,
    contract_certificate,
    sessions,
)
from portal.auth.admin import ROLE_LABELS
from portal.auth.admin import bp as users_bp
from portal.auth.organisations import bp as organisations_bp
from portal.auth.views import bp as auth_bp
from portal.controller.views import bp as controller_bp
from portal.delivery import init_app as init_delivery
from portal.fastfields import render_field, render_label
from portal.i18n import current_locale
from portal.loading import IntegerIdConverter
from portal.machine import opendsr as machine_opendsr
from portal.machine.suppression import bp as suppression_api_bp
from portal.public.views import bp as public_bp
from portal.security import is_safe_next
from portal.sources import data_views  # noqa: F401 - attaches the data-page routes to sources
from portal.sources.labels import category_name, column_name, table_name
from portal.sources.task_views import bp as tasks_bp
from portal.sources.views import bp as sources_bp

# Importing the workspace modules attaches their routes to the staff blueprint.
from portal.staff import (  # noqa: F401
    case,
    incident_ap,
    incident_notice,
    incidents,
    incidents_export,
    letters,
    register,
    reports,
)
from portal.staff import views as staff_views  # noqa: F401
from portal.staff.blueprint import bp as staff_bp
from portal.staff.details import note_text
from portal.staff.labels import language_words
from portal.staff.timeline import amsterdam
from portal.urls import case_link, menu_link
from portal.words import formatted as _formatted
from portal.words import local as _local
from rights.models.org import Role
from rights.models.request import RequestState


def set_language(code: str) -> Response:
    """The visible language switch: a plain link, so it works without JavaScript."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next")
    return redirect(target if target and is_safe_next(target) else url_for("public.index"))


def _day(value: date | None, fmt: str = "EEE d MMM yyyy") -> str:
    if not value:
        return ""
    if isinstance(value, datetime):  # format_date of a datetime: as Babel reads it
        return str(format_date(value, fmt))
    return _formatted(value, fmt, current_locale(), None)


def _iso_day(value: str | date | None, fmt: str = "EEEE d MMMM yyyy") -> str:
    """A date kept as ISO text (mail contexts are JSON) in the reader's words."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return str(format_date(day, fmt))


def _language_name(code: str) -> str:
    """A language code (a request's language) as its name in the reader's language."""
    return language_words().get(code, code)


def _state(value: str) -> object:
    return RequestState(value)


def _role_label(role: Role) -> str:
    return str(ROLE_LABELS.get(role, role.value))


def _context() -> dict[str, Any]:
    return {"current_language": str(current_locale() or "nl"), "role_label": _role_label}


def init_app(app: Flask) -> None:
    # Before any rule is added: an id out of the database's range is a 404, not a 500.
    app.url_map.converters["int"] = IntegerIdConverter
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(controller_bp)
    init_delivery(app)
    app.register_blueprint(users_bp)
    app.register_blueprint(organisations_bp)
    sessions.init_app(app)
    app.register_blueprint(sources_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(suppression_api_bp)
    machine_opendsr.init_app(app)
    app.add_url_rule("/lang/<code>", "set_language", set_language)
    app.add_template_filter(_local, "local_dt")
    app.add_template_filter(amsterdam, "local_dt_zone")
    app.add_template_filter(_day, "day")
    app.add_template_filter(_state, "state")
    app.add_template_filter(_language_name, "language_name")
    app.add_template_filter(_iso_day, "iso_day")
    app.context_processor(_context)
    # The form macros' fields, without WTForms' per-call widget machinery (same output).
    app.jinja_env.globals.update(render_field=render_field, render_label=render_label)
    # A source's columns, tables and categories by their labels (portal/sources/labels.py).
    app.jinja_env.globals.update(
        source_column=column_name, source_table=table_name, source_category=category_name
    )
    app.jinja_env.globals.update(note_text=note_text)  # a note whose body is data, in words
    # The staff menu's and a case's links, built once per application root (portal/urls.py).
    app.jinja_env.globals.update(menu_link=menu_link, case_link=case_link)
