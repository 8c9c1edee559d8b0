"""Input that cannot be read as it was meant is refused, never stored altered.

Werkzeug decodes form fields leniently: an undecodable ``%FF`` in a URL-encoded body is kept
as the literal text ``%FF`` and a broken byte in a multipart field becomes U+FFFD, so a
latin-1 form's "José" would be stored as "Jos%E9". This check runs before every view: a
query string or form body that is not valid UTF-8 gets a 400 page in the user's language
saying nothing was stored; a form with more fields than ``MAX_FORM_FIELDS`` gets 413
(no form of the portal has more than a few dozen). See docs/architecture.md, "Bad input".
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _

from portal.errors import render_error
from portal.machine.errors import is_machine_path, json_error

Refusal = tuple[str, int] | Response


# Under the machine API's paths: English for developers and logs, the same for every
# caller (docs/api.md, "Validation" and "Errors").
MACHINE_MESSAGES = {
    400: "The query string or form body is not valid UTF-8.",
    413: "The form has too many fields.",
}


def _refuse(status: int, message: str) -> Refusal:
    """The error page, or under the machine API's paths the JSON error body."""
    if is_machine_path():
        return json_error(status, MACHINE_MESSAGES[status])
    return render_error(status, message)


DEFAULT_MAX_FORM_FIELDS = 300
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _is_utf8_urlencoded(raw: bytes) -> bool:
    """Every key and value of ``raw`` (``a=b&c=d``, percent-encoded) is valid UTF-8.

    One decode of the whole string: the separators ``&`` and ``=`` (and ``+``) are ASCII,
    which never sits inside a multi-byte UTF-8 sequence, so the whole is valid exactly when
    each key and value is."""
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _field_count(raw: bytes) -> int:
    return 0 if not raw else raw.count(b"&") + 1


def _undecodable() -> Refusal:
    return _refuse(
        400,
        _(
            "Part of what you sent could not be read (it was not encoded as UTF-8). "
            "Nothing was stored. Please go back, type the text again and send it once more."
        ),
    )


def check_input() -> Refusal | None:
    limit = int(current_app.config.get("MAX_FORM_FIELDS") or DEFAULT_MAX_FORM_FIELDS)
    if not _is_utf8_urlencoded(request.query_string):
        return _undecodable()
    if _field_count(request.query_string) > limit:
        return _refuse(413, _("The form has too many fields."))
    if request.method not in ("POST", "PUT", "PATCH") or request.mimetype not in FORM_TYPES:
        return None
    if request.mimetype == "application/x-www-form-urlencoded":
        body = request.get_data(cache=True)
        if _field_count(body) > limit:
            return _refuse(413, _("The form has too many fields."))
        return None if _is_utf8_urlencoded(body) else _undecodable()
    fields = [value for _key, value in request.form.items(multi=True)]
    if len(fields) + len(request.files) > limit:
        return _refuse(413, _("The form has too many fields."))
    # Werkzeug puts U+FFFD where a multipart field's bytes were not UTF-8.
    return _undecodable() if any("\ufffd" in value for value in fields) else None


def init_app(app: Flask) -> None:
    app.config.setdefault("MAX_FORM_FIELDS", DEFAULT_MAX_FORM_FIELDS)
    # First of all before-request functions: it must see the raw body before CSRF parses it.
    app.before_request_funcs.setdefault(None, []).insert(0, check_input)
