"""Texts without Flask: the project's Jinja2 templates and Babel catalogue in a plain
``jinja2.Environment``, one per language, cached. The web edge, the command line and the
worker render the same letter through it (``Context.texts()``).

Autoescaping follows Flask's rule: on for HTML and XML templates, off for ``.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from rights.deadlines import AMSTERDAM

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "portal" / "translations"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention babel extracts
    """Mark ``message`` for the catalogue without translating it (translated when shown)."""
    return message


def language_of(language: str | None) -> str:
    """A supported language code; anything else is the default (Dutch)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def translations(language: str | None) -> NullTranslations:
    """The compiled catalogue of ``language`` (English is the source language)."""
    return _translations(language_of(language))


@lru_cache(maxsize=len(LANGUAGES))
def _translations(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


@dataclass(frozen=True)
class Texts:
    """Gettext and templates in one language."""

    language: str
    env: Environment

    def gettext(self, message: str, **variables: Any) -> str:
        text = translations(self.language).gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables: Any) -> str:
        text = translations(self.language).ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    def render(self, template: str, **variables: Any) -> str:
        return self.env.get_template(template).render(**variables)

    def day(self, value: date | None, fmt: str = "EEE d MMM yyyy") -> str:
        """A date as the web pages show it (``|day``)."""
        return format_date(value, fmt, locale=self.language) if value else ""

    def local_dt(self, value: datetime | None, fmt: str = "d MMM yyyy HH:mm") -> str:
        """An instant in Amsterdam time as the web pages show it (``|local_dt``): with a
        clock time the zone is named (``11:00 CET``)."""
        if value is None:
            return ""
        local = value.astimezone(AMSTERDAM)
        text = str(format_datetime(local, fmt, locale=self.language))
        return f"{text} {local.tzname()}" if "HH" in fmt else text


def texts(language: str | None) -> Texts:
    """The cached texts of ``language`` (unsupported codes fall back to Dutch)."""
    return _texts(language_of(language))


@lru_cache(maxsize=len(LANGUAGES))
def _texts(language: str) -> Texts:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "htm", "xml", "xhtml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    result = Texts(language=language, env=env)
    env.filters["day"] = result.day
    env.filters["local_dt"] = result.local_dt
    return result


def gettext(language: str, message: str, **variables: Any) -> str:
    return texts(language).gettext(message, **variables)


def ngettext(language: str, singular: str, plural: str, n: int, **variables: Any) -> str:
    return texts(language).ngettext(singular, plural, n, **variables)
