"""The start page and the choice of organisation and rights."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.db import get_session
from portal.public.blueprint import bp
from portal.public.chosen import ChosenOrganisation, chosen_controller, chosen_operator
from portal.public.forms import SearchForm
from portal.public.labels import RIGHT_HINTS, RIGHT_LABELS
from portal.words import local
from rights.models.org import Organisation, OrganisationKind
from rights.righttypes import RightType


def operator() -> Organisation | None:
    return get_session().scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.OPERATOR)
    )


@bp.get("/")
def index() -> str:
    return render_template("public/index.html", operator=operator())


def _listed(query: str) -> list[Organisation]:
    stmt = select(Organisation).where(
        Organisation.kind == OrganisationKind.CONTROLLER,
        Organisation.listed_publicly.is_(True),
        Organisation.contract_ended_at.is_(None),  # we hold none of its data any more
    )
    if query:
        stmt = stmt.where(func.lower(Organisation.name).contains(query.lower(), autoescape=True))
    return list(get_session().scalars(stmt.order_by(Organisation.name).limit(50)))


@dataclass
class Choice:
    org: str = ""
    organisation: ChosenOrganisation | None = None
    rights: tuple[RightType, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)


def _organisation(org: str) -> tuple[str, ChosenOrganisation | None]:
    """The chosen organisation code (empty when the choice is not valid) and its values."""
    if org == "operator":
        return org, chosen_operator()
    if org == "unknown":
        return org, None
    if org.startswith("c:"):
        found = chosen_controller(org[2:])
        if found is not None:
            return org, found
    return "", None


def _contract_ended(organisation: ChosenOrganisation) -> str:
    return str(
        _(
            "We no longer hold data for %(organisation)s: our contract with this organisation "
            "ended on %(date)s, and we deleted the data we processed for it. Please send your "
            "request to %(organisation)s directly.",
            organisation=organisation.name,
            date=local(organisation.contract_ended_at, "d MMMM yyyy"),
        )
    )


def choice_from(args: Any) -> Choice:
    """Read and check the organisation and rights chosen on the start form. A controller
    whose contract ended is refused with its own words (Art. 28(3)(g): we no longer hold
    its data; docs/controllers.md, "End of contract"), so nothing is filed for it."""
    choice = Choice()
    choice.org, choice.organisation = _organisation(str(args.get("org", ""))[:100])
    ended = choice.organisation
    if ended is not None and ended.contract_ended_at is not None:
        choice.org, choice.organisation = "", None
        choice.errors["org"] = _contract_ended(ended)
    elif not choice.org:
        choice.errors["org"] = _("Choose the organisation, or choose 'I don't know'.")
    wanted = set(args.getlist("right")[:20])
    choice.rights = tuple(r for r in RightType if r.value in wanted)
    if not choice.rights:
        choice.errors["right"] = _("Choose at least one thing you want to ask.")
    return choice


def render_start(choice: Choice | None = None, status: int = 200) -> tuple[str, int]:
    search = SearchForm(request.args)
    query = search.q.data if search.validate() and search.q.data else ""
    return (
        render_template(
            "public/start.html",
            search=search,
            query=query,
            controllers=_listed(query),
            operator=operator(),
            choice=choice,
            rights=list(RightType),
            right_labels=RIGHT_LABELS,
            right_hints=RIGHT_HINTS,
        ),
        status,
    )


@bp.get("/request")
def start() -> tuple[str, int]:
    return render_start()
