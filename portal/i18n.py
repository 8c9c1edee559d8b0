"""Dutch (default) and English via Flask-Babel; the visitor's explicit choice is kept in the
session. Babel's locale is also used for the mail each subject receives."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel


def select_locale() -> str:
    choice = session.get("lang") if request else None
    languages = current_app.config["LANGUAGES"]
    if choice in languages:
        return str(choice)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
