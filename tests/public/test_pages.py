"""The public pages in both languages, accessible without JavaScript, and what the officer
sees afterwards."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from rights.models.mail import OutboxMail
from rights.models.request import RightsRequest
from rights.righttypes import RightType
from tests.helpers import csrf_token
from tests.public.flow import fill, form_url, outbox_links, submit

ALL_RIGHTS = [r.value for r in RightType]


@pytest.fixture
def operator(make_org):
    from rights.models.org import OrganisationKind

    return make_org(
        OrganisationKind.OPERATOR,
        name="Verwerker BV",
        slug="verwerker",
        address="Postbus 1, 1000 AA Amsterdam",
        contact_email="privacy@verwerker.example",
    )


class _Audit(HTMLParser):
    """Collects form controls, labels, fieldsets/legends and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self.fieldset_depth = 0
        self.radios_outside_fieldset = 0
        self.legends = 0
        self.fieldsets = 0
        self.scripts = 0
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "script":
            self.scripts += 1
        if tag == "fieldset":
            self.fieldset_depth += 1
            self.fieldsets += 1
        if tag == "legend":
            self.legends += 1
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if tag in ("input", "textarea", "select") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)
            if a.get("type") in ("radio", "checkbox") and not self.fieldset_depth:
                self.radios_outside_fieldset += 1

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self.fieldset_depth -= 1


def _audit(html: str) -> _Audit:
    parser = _Audit()
    parser.feed(html)
    return parser


def _assert_accessible(html: str) -> None:
    page = _audit(html)
    unlabeled = [c for c in page.controls if c.get("id") not in page.label_for]
    assert unlabeled == []
    assert page.radios_outside_fieldset == 0
    assert page.fieldsets == page.legends
    assert page.scripts == 0
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert '<html lang="' in html and 'name="viewport"' in html


def test_start_page_has_contact_details_and_the_supervisory_authority(client, operator):
    html = client.get("/").get_data(as_text=True)
    assert "Postbus 1, 1000 AA Amsterdam" in html and "privacy@verwerker.example" in html
    assert "Autoriteit Persoonsgegevens" in html
    assert 'href="/request"' in html and 'href="/lost-link"' in html


def test_forms_have_labels_fieldsets_and_no_script(client, operator):
    _assert_accessible(client.get("/request").get_data(as_text=True))
    _assert_accessible(client.get(form_url(ALL_RIGHTS)).get_data(as_text=True))
    _assert_accessible(client.get("/lost-link").get_data(as_text=True))
    url, data = fill(client, ["erasure"], name="", erasure_ground="")
    failed = client.post(url, data=data, content_type="multipart/form-data")
    html = failed.get_data(as_text=True)
    _assert_accessible(html)
    # The error summary comes first and links to each field with a problem.
    assert html.index("error-summary") < html.index("<form")
    assert 'href="#name"' in html and 'href="#erasure_ground"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="name-error"' in html


def test_the_whole_flow_in_english(app, client, db_session, operator):
    client.get("/lang/en")
    start = client.get("/request").get_data(as_text=True)
    assert "Which organisation is it about?" in start and "I don't know" in start
    resp = submit(client, ["portability"])
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "We have received your request" in page
    req = db_session.scalars(select(RightsRequest)).one()
    assert req.language == "en"
    from portal.mail import render

    mail = db_session.scalars(select(OutboxMail).where(OutboxMail.template == "verify_email")).one()
    with app.app_context():
        msg = render(db_session, mail)
    assert msg["Subject"] == f"Confirm your e-mail address for request {req.reference}"
    assert "Dear Eva de Boer," in msg.get_body().get_content()
    verify = outbox_links(app, db_session, "verify_email")["verify"]
    form = client.get(verify)
    assert "Confirm my request" in form.get_data(as_text=True)
    status = client.post(verify, data={"csrf_token": csrf_token(form)})
    html = client.get(status.headers["Location"]).get_data(as_text=True)
    assert "Take your data with you" in html and "Received; we will start on it soon" in html


def test_the_officer_sees_the_confirmed_request_in_the_queue(
    app, client, db_session, operator, make_user, login
):
    submit(client, ["erasure"])
    req = db_session.scalars(select(RightsRequest)).one()
    verify = outbox_links(app, db_session, "verify_email")["verify"]
    form = client.get(verify)
    client.post(verify, data={"csrf_token": csrf_token(form)})
    login(make_user())
    queue = client.get("/staff/").get_data(as_text=True)
    assert req.reference in queue


_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=300
)
TEXT_FIELDS = [
    "name",
    "phone",
    "address",
    "customer_number",
    "subject_name",
    "access_specific",
    "rect_which",
    "rect_correct",
    "erasure_specific",
    "restriction_explanation",
    "portability_to_name",
    "objection_situation",
    "consent_which",
    "email",
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.sampled_from(TEXT_FIELDS), value=_text)
def test_any_text_in_any_field_is_stored_or_refused_never_a_500(client, operator, field, value):
    url, data = fill(client, ALL_RIGHTS)
    data[field] = value
    resp = client.post(url, data=data, content_type="multipart/form-data")
    assert resp.status_code in (302, 422)
    if resp.status_code == 422:
        assert "error-summary" in resp.get_data(as_text=True)


def test_a_refused_form_leaves_nothing_on_the_next_one_in_either_language(client, operator):
    """The request form's fields are built once and copied per form (portal/public/forms.py,
    ``_bound_copy``): one visitor's answers and errors never show on the next form, and the
    labels and messages follow each request's language."""
    answers = {"name": "", "address": "Geheimstraat 7", "access_period_to": "2024-01-01"}
    url, data = fill(client, ["access"], **answers)
    refused = client.post(url, data=data, content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Geheimstraat 7" in html and "De einddatum ligt voor de begindatum." in html
    assert "Uw volledige naam" in html and 'aria-invalid="true"' in html
    fresh = client.get(url).get_data(as_text=True)
    assert "Geheimstraat 7" not in fresh and "error-summary" not in fresh
    assert 'aria-invalid="true"' not in fresh and "De einddatum" not in fresh
    client.get("/lang/en")
    url, data = fill(client, ["access"], **answers)
    html = client.post(url, data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "The end date is before the start date." in html and "Your full name" in html
    assert "Uw volledige naam" not in html and "De einddatum" not in html
    client.get("/lang/nl")
    assert "Uw volledige naam" in client.get(url).get_data(as_text=True)
