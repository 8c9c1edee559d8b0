"""Dutch (default) and English via Flask-Babel; the visitor's explicit choice is kept in the
session. Babel's locale is also used for the mail each subject receives.

Flask-Babel resolves the domain, the locale and the cache key (``str(locale)``) again for
every string it translates; a page translates a few hundred. ``FastDomain`` keeps the
catalogue it found with the request (per locale object, so ``force_locale`` and ``refresh``
still switch it), and the templates' ``_``/``ngettext`` go straight to it. The catalogue
objects are Flask-Babel's own, so every translation is the same (docs/architecture.md,
"Texts"; tests/portal/test_i18n_fast.py renders pages both ways). The templates' ``_`` of
a constant string keeps its finished text per catalogue (``template_gettext``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from babel import support
from flask import Flask, current_app, request, session
from flask.globals import _cv_app
from flask_babel import Babel, Domain, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from wtforms.i18n import messages_path

from portal.machine.errors import MACHINE_PREFIXES


def _asked_language(languages: list[str]) -> str:
    """The first language of ``Accept-Language`` (by quality, then order) that we speak,
    by its primary tag (``en-GB`` is English); English when none is."""
    for value, quality in request.accept_languages:
        primary = value.split("-")[0].lower()
        if quality > 0 and primary in languages:
            return primary
    return "en"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if request and request.path.startswith(MACHINE_PREFIXES):
        # A program calls the machine API: no session; its messages follow Accept-Language,
        # English unless Dutch is asked for (docs/api.md, "Language of the messages").
        return _asked_language(languages)
    choice = session.get("lang") if request else None
    if choice in languages:
        return str(choice)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _resolved_locale(app_ctx: Any) -> Any:
    """The locale Flask-Babel resolved for this context, or None before it has."""
    return getattr(app_ctx.g.__dict__.get("_flask_babel"), "babel_locale", None)


def current_locale() -> Any:
    """Flask-Babel's ``get_locale()``: once the request has its locale, read from where
    Flask-Babel keeps it instead of through three context look-ups (issue 17: a form page
    asks for it a dozen times); before that, Flask-Babel finds it as always."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        locale = _resolved_locale(app_ctx)
        if locale is not None:
            return locale
    return get_locale()


def _held(app_ctx: Any) -> Any:
    """The catalogue remembered for the request's current locale, or None."""
    found = app_ctx.g.__dict__
    held = found.get("_dsr_translations")
    if held is None:
        return None
    babel = found.get("_flask_babel")
    if getattr(babel, "babel_locale", None) is not held[0]:
        return None  # force_locale or refresh changed the locale
    if not isinstance(getattr(babel, "babel_domain", None) or _DEFAULT, FastDomain):
        return None  # another domain made the default for this request
    return held[1]


class FastDomain(Domain):  # type: ignore[misc]
    """The default domain, remembering the request's catalogue for its locale."""

    def get_translations(self) -> Any:
        app_ctx = _cv_app.get(None)
        if app_ctx is None:
            return super().get_translations()
        if (held := _held(app_ctx)) is not None:
            return held
        translations = super().get_translations()  # resolves and sets the locale if unset
        locale = _resolved_locale(app_ctx)
        if locale is not None:
            app_ctx.g.__dict__["_dsr_translations"] = (locale, translations)
        return translations


_DEFAULT = FastDomain()  # stands for "no domain chosen yet" in the check above


def _translations() -> Any:
    app_ctx = _cv_app.get(None)
    if app_ctx is not None and (held := _held(app_ctx)) is not None:
        return held
    return get_translations()  # Flask-Babel's way, through FastDomain: remembered after


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale: str) -> Any:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsTexts:
    """WTForms' own messages in the request's language, as Flask-WTF gives them, but with
    the catalogue read from disk once per locale instead of once per request."""

    def gettext(self, string: str) -> str:
        return str(_wtforms_catalogue(str(current_locale())).ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(_wtforms_catalogue(str(current_locale())).ungettext(singular, plural, n))


WTFORMS_TEXTS = WTFormsTexts()

# The templates' constant strings, translated and marked safe, per catalogue object:
# ``{catalogue: {string: text}}``. Weak keys: the texts go with their catalogue (an app's
# catalogues live as long as the app; tests make many apps).
_CONSTANT_TEXTS: WeakKeyDictionary[Any, dict[str, Markup]] = WeakKeyDictionary()


@pass_context
def template_gettext(context: Context, string: str, /, **variables: Any) -> str:
    """The templates' ``_``: what Jinja's new-style ``gettext`` gives (the translation,
    marked safe under autoescape, then ``%`` the variables, even none), with the result for
    a string without variables kept per catalogue; a page asks for a hundred of those."""
    # Markup as in Jinja's own: the catalogue's texts are ours (the variables are escaped).
    translations = _translations()
    autoescape = context.eval_ctx.autoescape
    if variables or not autoescape:
        text = translations.ugettext(string)
        safe = Markup(text) if autoescape else text  # noqa: S704 - as Jinja's gettext
        return safe % variables
    texts = _CONSTANT_TEXTS.get(translations)
    if texts is None:
        texts = _CONSTANT_TEXTS.setdefault(translations, {})
    found = texts.get(string)
    if found is None:
        found = texts[string] = Markup(translations.ugettext(string)) % {}  # noqa: S704
    return found


def init_app(app: Flask) -> None:
    babel = Babel(app, locale_selector=select_locale)
    # Flask-Babel builds its default domain lazily (a cached property): ours instead.
    domain = str(app.config.get("BABEL_DOMAIN", "messages"))
    babel.__dict__["domain_instance"] = FastDomain(domain=domain)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(gettext=template_gettext, _=template_gettext)
