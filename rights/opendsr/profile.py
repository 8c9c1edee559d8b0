"""The portal's OpenDSR profile (docs/api.md, "Endpoints"): which request types and identities
it takes, what each type becomes (a right with its details, and the actions the controller
instructs by sending it), and how the details of the GDPR-only types travel under the
portal's own extension key (the processor domain).

Registries, not if-chains: ``TYPES[name]`` gives the right, the instructed actions and the
parser of the extension payload; ``IDENTITIES[name]`` the ``Requester`` field it fills."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rights.models.source import ActionKind
from rights.opendsr.texts import N_, Text
from rights.righttypes import (
    AccessDetails,
    Details,
    ErasureDetails,
    ObjectionDetails,
    PortabilityDetails,
    RectificationDetails,
    RestrictionDetails,
    RightType,
    WithdrawConsentDetails,
)

__all__ = [
    "FORMATS",
    "IDENTITIES",
    "TYPES",
    "DetailsInvalid",
    "RequestType",
]

MAX_TEXT = 2000  # one text value inside the extension
MAX_ITEMS = 20  # rectifications, purposes, scope entries


class DetailsInvalid(ValueError):
    """The extension payload of a type is missing or wrong: ``field`` names the member
    (below ``extensions.<domain>``), ``text`` says what is expected (``message`` in
    English)."""

    def __init__(self, field: str, template: str, /, **values: Any) -> None:
        self.text = Text(template, values)
        self.message = str(self.text)
        super().__init__(self.message)
        self.field = field


def _text(payload: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    value = payload.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT or (required and not value.strip()):
        raise DetailsInvalid(
            name, N_("%(name)s must be a text of 1 to %(max)s characters"), name=name, max=MAX_TEXT
        )
    return value.strip()


def _texts(payload: Mapping[str, Any], name: str, *, required: bool = True) -> list[str]:
    value = payload.get(name)
    if value is None and not required:
        return []
    if (
        not isinstance(value, list)
        or not 0 < len(value) <= MAX_ITEMS
        or not all(isinstance(v, str) and 0 < len(v.strip()) <= 200 for v in value)
    ):
        raise DetailsInvalid(
            name, N_("%(name)s must be a list of 1 to %(max)s texts"), name=name, max=MAX_ITEMS
        )
    return [v.strip() for v in value]


def _article(payload: Mapping[str, Any], article: str) -> None:
    if payload.get("gdpr_article", article) != article:
        raise DetailsInvalid(
            "gdpr_article", N_('gdpr_article must be "%(article)s" for this type'), article=article
        )


def _access(payload: Mapping[str, Any]) -> Details:
    return AccessDetails()


def _portability(payload: Mapping[str, Any]) -> Details:
    return PortabilityDetails()


ERASURE_GROUNDS = {f"17(1)({letter})": letter for letter in "abcdef"}
RESTRICTION_GROUNDS = {f"18(1)({letter})": letter for letter in "abcd"}


def _erasure(payload: Mapping[str, Any]) -> Details:
    """Art. 17: optional ``ground`` ("17(1)(a)" to "17(1)(f)"), default (a)."""
    _article(payload, "17")
    ground = payload.get("ground", "17(1)(a)")
    if not isinstance(ground, str) or ground not in ERASURE_GROUNDS:
        raise DetailsInvalid("ground", N_('ground must be one of "17(1)(a)" to "17(1)(f)"'))
    return ErasureDetails(ground=ERASURE_GROUNDS[ground])


def _rectification(payload: Mapping[str, Any]) -> Details:
    """Art. 16: ``rectifications`` [{field, current, requested}], optional statement."""
    _article(payload, "16")
    items = payload.get("rectifications")
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ITEMS:
        raise DetailsInvalid(
            "rectifications", N_("rectifications must list 1 to %(max)s items"), max=MAX_ITEMS
        )
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise DetailsInvalid(f"rectifications[{index}]", N_("each rectification is an object"))
        try:
            rows.append(
                (
                    _text(item, "field", required=True),
                    _text(item, "current"),
                    _text(item, "requested", required=True),
                )
            )
        except DetailsInvalid as exc:
            where = f"rectifications[{index}].{exc.field}"
            raise DetailsInvalid(where, exc.text.template, **exc.text.values) from None
    one = len(rows) == 1
    return RectificationDetails(
        which_data=", ".join(field for field, _c, _r in rows),
        current_value=rows[0][1] if one else "; ".join(f"{f}: {c}" for f, c, _r in rows),
        correct_value=rows[0][2] if one else "; ".join(f"{f}: {r}" for f, _c, r in rows),
        supplementary_statement=_text(payload, "supplementary_statement"),
    )


def _restriction(payload: Mapping[str, Any]) -> Details:
    """Art. 18: ``ground`` "18(1)(a)" to "18(1)(d)", optional ``scope`` list."""
    _article(payload, "18")
    ground = payload.get("ground")
    if not isinstance(ground, str) or ground not in RESTRICTION_GROUNDS:
        raise DetailsInvalid("ground", N_('ground must be one of "18(1)(a)" to "18(1)(d)"'))
    scope = _texts(payload, "scope", required=False)
    return RestrictionDetails(ground=RESTRICTION_GROUNDS[ground], explanation=", ".join(scope))


def _objection(payload: Mapping[str, Any]) -> Details:
    """Art. 21: ``paragraph`` "21(1)" (with ``grounds``: the particular situation) or
    "21(2)" (direct marketing, absolute), ``purposes``."""
    _article(payload, "21")
    paragraph = payload.get("paragraph")
    if paragraph not in ("21(1)", "21(2)"):
        raise DetailsInvalid("paragraph", N_('paragraph must be "21(1)" or "21(2)"'))
    purposes = _texts(payload, "purposes")
    if paragraph == "21(2)":
        if "direct_marketing" not in purposes:
            raise DetailsInvalid("purposes", N_('21(2) is the objection to "direct_marketing"'))
        return ObjectionDetails(basis="direct_marketing", situation=_text(payload, "grounds"))
    return ObjectionDetails(
        basis="particular_situation", situation=_text(payload, "grounds", required=True)
    )


def _consent_withdrawal(payload: Mapping[str, Any]) -> Details:
    """Art. 7(3): ``purposes`` the consent was given for."""
    _article(payload, "7(3)")
    return WithdrawConsentDetails(which_consent=", ".join(_texts(payload, "purposes")))


@dataclass(frozen=True)
class RequestType:
    name: str  # the subject_request_type value
    right: RightType
    actions: tuple[ActionKind, ...]  # what sending it instructs (the controller's approval)
    parse: Callable[[Mapping[str, Any]], Details]
    needs_details: bool  # a GDPR-only type: its details under extensions[domain] are required


K = ActionKind
TYPES: Mapping[str, RequestType] = {
    t.name: t
    for t in (
        RequestType("access", RightType.ACCESS, (K.EXPORT,), _access, False),
        RequestType("portability", RightType.PORTABILITY, (K.EXPORT,), _portability, False),
        RequestType("erasure", RightType.ERASURE, (K.ERASE, K.NOTIFY), _erasure, False),
        RequestType(
            "rectification", RightType.RECTIFICATION, (K.RECTIFY, K.NOTIFY), _rectification, True
        ),
        RequestType(
            "restriction", RightType.RESTRICTION, (K.RESTRICT, K.NOTIFY), _restriction, True
        ),
        RequestType("objection", RightType.OBJECTION, (K.SUPPRESS,), _objection, True),
        RequestType(
            "consent_withdrawal",
            RightType.WITHDRAW_CONSENT,
            (K.SUPPRESS,),
            _consent_withdrawal,
            True,
        ),
    )
}

# identity_type -> the Requester field it fills. At least one of the first three must be
# given: they are what the portal finds the subject by in the controller's data.
IDENTITIES: Mapping[str, str] = {
    "email": "email",
    "phone_number": "phone",
    "controller_customer_id": "customer_number",
    "name": "name",
    "postal_address": "address",
}
FINDABLE = ("email", "phone_number", "controller_customer_id")
# Only raw values: the portal matches on normalised values and keyed hashes of its own, so
# a sha256/md5/sha1 value from the controller could not be matched honestly.
FORMATS = ("raw",)
