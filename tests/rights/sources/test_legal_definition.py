"""The legal part of a stored source definition reaches the answer (docs/legal.md):
Art. 20 scope by each category's own basis and provenance, Art. 15(1)(g)/(h)/15(2) only as
recorded."""

from __future__ import annotations

import pytest

from exporters.from_sources import to_package
from rights.audit import SYSTEM
from rights.righttypes import PortabilityDetails
from rights.sources.copies import export_copies
from rights.sources.definition import parse_source_toml
from rights.sources.registry import load_source
from tests.rights.sources.conftest import CRM_TOML, KEY
from tests.rights.sources.test_sql_source import PIETER, _discover_and_confirm


@pytest.fixture
def officers(make_user):
    return make_user(), make_user()


FLAGS = """
collected_from_subject = true
automated_decisions = false
"""
CATEGORIES = """
[category_info.Contactgegevens]
legal_basis = "consent"
provenance = "provided"

[category_info.Bestellingen]
legal_basis = "contract"
provenance = "observed"

[category_info.Klantgegevens]
legal_basis = "contract"
provenance = "derived"

[category_info.Facturen]
legal_basis = "legal_obligation"
provenance = "provided"
"""


def test_portability_follows_the_categories_recorded_basis_and_provenance(
    db_session, crm_url, make_org, make_request, officers, now
):
    org = make_org()
    spec = parse_source_toml(FLAGS + CRM_TOML.format(suffix="legal", owner=org.slug) + CATEGORIES)
    assert spec.mapping()["legal"]["category_info"]["Facturen"]["legal_basis"] == (
        "legal_obligation"
    )
    load_source(db_session, spec, actor=SYSTEM, now=now, key=KEY, url=crm_url)
    db_session.commit()
    request = make_request(PortabilityDetails(), requester=PIETER)
    _discover_and_confirm(db_session, request, officers[0], now)
    (copy,) = export_copies(db_session, request, key=KEY)
    assert copy.collected_from_subject is True and copy.automated_decisions is False
    package = to_package(
        copies=[copy], reference=request.reference, language="nl", right="portability",
        received_at=request.received_at, generated_at=now, subject_name="Pieter",
    )  # fmt: skip
    kept = {c.key for _s, c in package.categories()}
    assert kept == {"customer.Contactgegevens", "orders.Bestellingen"}
    reasons = {e.category_key: e.reason for e in package.excluded}
    assert reasons == {
        "invoice.Facturen": "legal_basis",
        "customer.Klantgegevens": "not_provided_by_subject",
    }
    access = to_package(
        copies=[copy], reference=request.reference, language="nl", right="access",
        received_at=request.received_at, generated_at=now, subject_name="Pieter",
    )  # fmt: skip
    info = access.sources[0].info
    assert info.collected_from_subject is True and info.automated_decisions is False
    assert info.transfers_outside_eea is None  # not recorded: the answer says so
