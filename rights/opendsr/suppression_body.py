"""Reading the body of a suppression check (docs/api.md, "Suppression check"): every problem
named with its field, as the OpenDSR create body's (``rights.opendsr.validation``), in the
same notation: ``identities``, ``identities[3]``, ``identities[3].identity_type``,
``identities[3].identity_value``; an empty field is the body as a whole. ``RequestInvalid``
(400) lists at most ``MAX_REPORTED`` problems; ``TooManyIdentities`` (413) for more than
``MAX_IDENTITIES``."""

from __future__ import annotations

from typing import Any

from rights.opendsr.suppression_check import IDENTITY_TYPES, MAX_IDENTITIES, Identity
from rights.opendsr.texts import N_
from rights.opendsr.validation import Problems, RequestInvalid

__all__ = ["MAX_REPORTED", "MAX_VALUE_LENGTH", "TooManyIdentities", "read_identities"]

MAX_VALUE_LENGTH = 320
MAX_REPORTED = 20


class TooManyIdentities(RequestInvalid):
    """More identities than one check answers: 413, the field ``identities``."""

    code = "too_many_identities"
    http_status = 413


def _kind(where: str, kind: object, problems: Problems) -> None:
    if isinstance(kind, str) and kind in IDENTITY_TYPES:
        return
    reason = "required" if kind is None else "unsupported" if isinstance(kind, str) else "invalid"
    problems.add(
        f"{where}.identity_type", reason,
        N_("%(where)s.identity_type must be one of %(names)s"),
        where=where, names=", ".join(IDENTITY_TYPES),
    )  # fmt: skip


def _value(where: str, value: object, problems: Problems) -> None:
    """A text of 1 to ``MAX_VALUE_LENGTH`` characters that UTF-8 can carry (JSON lets an
    unpaired surrogate through, which the answer could not encode)."""
    if isinstance(value, str) and value.strip() and len(value) <= MAX_VALUE_LENGTH:
        try:
            value.encode("utf-8")
            return
        except UnicodeEncodeError:
            pass
    blank = value is None or (isinstance(value, str) and not value.strip())
    problems.add(
        f"{where}.identity_value", "required" if blank else "invalid",
        N_("%(where)s.identity_value must be a text of 1 to %(max)s characters"),
        where=where, max=MAX_VALUE_LENGTH,
    )  # fmt: skip


def _item(index: int, item: object, problems: Problems) -> Identity | None:
    where = f"identities[{index}]"
    if not isinstance(item, dict):
        problems.add(where, "invalid", N_("%(where)s must be an object"), where=where)
        return None
    found = len(problems.items)
    kind, value = item.get("identity_type"), item.get("identity_value")
    _kind(where, kind, problems)
    _value(where, value, problems)
    return Identity(str(kind), str(value)) if len(problems.items) == found else None


def _list(payload: Any) -> list[Any]:
    if not isinstance(payload, dict):
        raise RequestInvalid.one("", "invalid", N_("the body must be a JSON object"))
    items = payload.get("identities")
    if not isinstance(items, list):
        reason = "required" if items is None else "invalid"
        raise RequestInvalid.one("identities", reason, N_("identities must be a list"))
    if len(items) > MAX_IDENTITIES:
        raise TooManyIdentities.one(
            "identities", "too_many", N_("At most %(max)s identities per request."),
            max=MAX_IDENTITIES,
        )  # fmt: skip
    return items


def read_identities(payload: Any) -> list[Identity]:
    """The identities of a decoded JSON body, in its order (``RequestInvalid`` naming each
    problem's field, ``TooManyIdentities``)."""
    problems = Problems()
    identities = [_item(index, item, problems) for index, item in enumerate(_list(payload))]
    if problems.items:
        raise RequestInvalid(problems.items[:MAX_REPORTED], problems.texts[:MAX_REPORTED])
    return [identity for identity in identities if identity is not None]
