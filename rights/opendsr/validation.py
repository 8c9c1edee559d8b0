"""Reading an OpenDSR create body (docs/api.md, "Endpoints"): every field checked, every
problem named with its field, nothing stored before the whole body is valid. The profile
(types, identities, the details under the portal's extension key) is
``rights.opendsr.profile``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rights.errors import DomainError
from rights.identifiers import normalise_customer_number, normalise_email, normalise_phone
from rights.opendsr.profile import (
    FINDABLE,
    FORMATS,
    IDENTITIES,
    TYPES,
    DetailsInvalid,
    RequestType,
)
from rights.opendsr.texts import N_, Text
from rights.righttypes import Details

__all__ = ["Limits", "Problems", "RequestInvalid", "Submission", "parse_submission"]

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})")
MAX_LENGTHS = {"name": 200, "postal_address": 1000}
MAX_CALLBACKS = 5


class RequestInvalid(DomainError):
    """A 400 of the machine API: ``errors`` lists each problem as the spec's error items
    (``domain``, ``reason``, ``message`` in English) plus the ``field`` it is about;
    ``texts`` holds each message's template and values, for the caller's language."""

    code = "opendsr_invalid"
    http_status = 400

    def __init__(self, errors: list[dict[str, str]], texts: list[Text]) -> None:
        super().__init__(errors[0]["message"] if errors else "invalid")
        self.errors = errors
        self.texts = texts
        self.message = errors[0]["message"] if errors else "The request is not valid."

    @classmethod
    def one(cls, name: str, reason: str, template: str, /, **values: Any) -> RequestInvalid:
        """A refusal with one problem (``template`` marked with ``N_``)."""
        errors = Problems()
        errors.add(name, reason, template, **values)
        return cls(errors.items, errors.texts)


@dataclass(frozen=True)
class Limits:
    max_age_days: int = 90
    max_identities: int = 10


@dataclass(frozen=True)
class Submission:
    subject_request_id: str
    type: RequestType
    details: Details
    identities: Mapping[str, str]  # Requester field -> value
    submitted_at: datetime
    callback_urls: tuple[str, ...]
    language: str
    api_version: str


@dataclass
class Problems:
    """The problems of a body as they are found: each the spec's error item with its
    ``field`` and ``reason``, and its message's template and values (``RequestInvalid``)."""

    items: list[dict[str, str]] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)

    def add(self, name: str, reason: str, template: str, /, **values: Any) -> None:
        text = Text(template, values)
        self.texts.append(text)
        self.items.append(
            {"domain": "Validation", "reason": reason, "message": str(text), "field": name}
        )


def _uuid(body: Mapping[str, Any], errors: Problems) -> str:
    value = body.get("subject_request_id")
    if value is None:
        errors.add("subject_request_id", "required", N_("subject_request_id field is required"))
    elif not isinstance(value, str) or not UUID4.fullmatch(value):
        errors.add(
            "subject_request_id", "invalid", N_("subject_request_id must be a lowercase UUID v4")
        )
    else:
        return value
    return ""


def _time(body: Mapping[str, Any], errors: Problems, now: datetime, limits: Limits) -> datetime:
    value = body.get("submitted_time")
    if value is None:
        errors.add("submitted_time", "required", N_("submitted_time field is required"))
        return now
    moment = None
    if isinstance(value, str) and RFC3339.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00").replace(" ", "T"))
        except ValueError:
            moment = None
    if moment is None:
        errors.add("submitted_time", "invalid", N_("submitted_time must be an RFC 3339 date-time"))
        return now
    moment = moment.astimezone(UTC)
    if moment > now:
        errors.add("submitted_time", "in_future", N_("submitted_time cannot be in the future"))
    elif moment < now - timedelta(days=limits.max_age_days):
        errors.add(
            "submitted_time",
            "too_old",
            N_("submitted_time cannot be more than %(days)s days ago"),
            days=limits.max_age_days,
        )
    return moment


def _identity_value(kind: str, value: str) -> str | None:
    if kind == "email":
        return value.strip() if normalise_email(value) and len(value.strip()) <= 254 else None
    if kind == "phone_number":
        return normalise_phone(value)
    if kind == "controller_customer_id":
        return value.strip() if normalise_customer_number(value) else None
    stripped = " ".join(value.split())
    return stripped if 0 < len(stripped) <= MAX_LENGTHS[kind] else None


def _identity(index: int, item: object, errors: Problems) -> tuple[str, str] | None:
    where = f"subject_identities[{index}]"
    if not isinstance(item, dict):
        errors.add(where, "invalid", N_("%(where)s must be an object"), where=where)
        return None
    kind, value = item.get("identity_type"), item.get("identity_value")
    form = item.get("identity_format", "raw")
    if not isinstance(kind, str) or kind not in IDENTITIES:
        names = ", ".join(IDENTITIES)
        errors.add(
            f"{where}.identity_type",
            "unsupported",
            N_("identity_type must be one of %(names)s"),
            names=names,
        )
    elif form not in FORMATS:
        errors.add(
            f"{where}.identity_format", "unsupported", N_("only raw identity values are supported")
        )
    elif not isinstance(value, str) or not value.strip() or len(value) > 1000:
        errors.add(f"{where}.identity_value", "required", N_("identity_value must be a text"))
    elif (clean := _identity_value(kind, value)) is None:
        errors.add(
            f"{where}.identity_value",
            "invalid",
            N_("identity_value is not a valid %(kind)s"),
            kind=kind,
        )
    else:
        return IDENTITIES[kind], clean
    return None


def _identities(body: Mapping[str, Any], errors: Problems, limits: Limits) -> dict[str, str]:
    items = body.get("subject_identities")
    if not isinstance(items, list) or not items:
        errors.add(
            "subject_identities",
            "required",
            N_("subject_identities must list at least one identity"),
        )
        return {}
    if len(items) > limits.max_identities:
        errors.add(
            "subject_identities",
            "too_many",
            N_("subject_identities may list at most %(max)s identities"),
            max=limits.max_identities,
        )
        return {}
    found: dict[str, str] = {}
    for index, item in enumerate(items):
        pair = _identity(index, item, errors)
        if pair is None:
            continue
        name, value = pair
        if found.get(name, value) != value:
            errors.add(
                f"subject_identities[{index}]",
                "duplicate",
                N_("give at most one value of each identity_type"),
            )
        found[name] = value
    if found and not any(IDENTITIES[kind] in found for kind in FINDABLE):
        errors.add(
            "subject_identities",
            "required",
            N_("give an email, phone_number or controller_customer_id identity"),
        )
    return found


def _callbacks(
    body: Mapping[str, Any], errors: Problems, allowed: Callable[[str], bool]
) -> tuple[str, ...]:
    urls = body.get("status_callback_urls", [])
    if not isinstance(urls, list) or len(urls) > MAX_CALLBACKS:
        errors.add(
            "status_callback_urls",
            "invalid",
            N_("status_callback_urls must list 0 to %(max)s URLs"),
            max=MAX_CALLBACKS,
        )
        return ()
    for index, url in enumerate(urls):
        if not isinstance(url, str) or not allowed(url):
            errors.add(
                f"status_callback_urls[{index}]",
                "not_allowed",
                N_("a status callback URL must be https and on the organisation's allow-list"),
            )
    return tuple(u for u in urls if isinstance(u, str))


def _extension(body: Mapping[str, Any], errors: Problems, domain: str) -> Mapping[str, Any]:
    extensions = body.get("extensions", {})
    if not isinstance(extensions, dict):
        errors.add("extensions", "invalid", N_("extensions must be an object"))
        return {}
    payload = extensions.get(domain, {})
    if not isinstance(payload, dict):
        errors.add(
            f"extensions.{domain}",
            "invalid",
            N_("%(where)s must be an object"),
            where=f"extensions.{domain}",
        )
        return {}
    return payload


def _type(
    body: Mapping[str, Any], errors: Problems, domain: str
) -> tuple[RequestType | None, Details | None, str]:
    name = body.get("subject_request_type")
    payload = _extension(body, errors, domain)
    language = payload.get("language", "nl")
    if language not in ("nl", "en"):
        errors.add(f"extensions.{domain}.language", "invalid", N_('language must be "nl" or "en"'))
    if name is None:
        errors.add("subject_request_type", "required", N_("subject_request_type field is required"))
        return None, None, "nl"
    if not isinstance(name, str) or name not in TYPES:
        names = ", ".join(TYPES)
        errors.add(
            "subject_request_type",
            "unsupported",
            N_("subject_request_type must be one of %(names)s"),
            names=names,
        )
        return None, None, "nl"
    kind = TYPES[name]
    if kind.needs_details and not payload:
        errors.add(
            f"extensions.{domain}",
            "required",
            N_("%(type)s needs its details in %(where)s"),
            type=name,
            where=f"extensions.{domain}",
        )
        return kind, None, "nl"
    try:
        return kind, kind.parse(payload), language if language in ("nl", "en") else "nl"
    except DetailsInvalid as exc:
        errors.add(
            f"extensions.{domain}.{exc.field}", "invalid", exc.text.template, **exc.text.values
        )
        return kind, None, "nl"


def parse_submission(
    body: object,
    *,
    version: str,
    domain: str,
    now: datetime,
    limits: Limits,
    callback_allowed: Callable[[str], bool],
) -> Submission:
    """The valid submission ``body`` describes, or ``RequestInvalid`` listing every
    problem. ``version`` "1.0" accepts a body without ``regulation`` (v1 knew only GDPR)."""
    errors = Problems()
    if not isinstance(body, dict):
        errors.add("", "invalid", N_("the body must be a JSON object"))
        raise RequestInvalid(errors.items, errors.texts)
    regulation = body.get("regulation", "gdpr" if version == "1.0" else None)
    if regulation is None:
        errors.add("regulation", "required", N_("regulation field is required"))
    elif regulation != "gdpr":
        errors.add("regulation", "unsupported", N_('only regulation "gdpr" is supported'))
    api_version = body.get("api_version", version)
    if not isinstance(api_version, str) or len(api_version) > 8:
        errors.add("api_version", "invalid", N_("api_version must be a short text such as 2.0"))
    subject_request_id = _uuid(body, errors)
    kind, details, language = _type(body, errors, domain)
    identities = _identities(body, errors, limits)
    submitted_at = _time(body, errors, now, limits)
    urls = _callbacks(body, errors, callback_allowed)
    if errors.items or kind is None or details is None:
        raise RequestInvalid(errors.items, errors.texts)
    return Submission(
        subject_request_id=subject_request_id,
        type=kind,
        details=details,
        identities=identities,
        submitted_at=submitted_at,
        callback_urls=urls,
        language=language,
        api_version=version,
    )
