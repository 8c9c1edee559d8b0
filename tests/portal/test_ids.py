"""Ids from outside (a URL or a form) that are not a positive 63-bit integer are a 404,
never a 500 with an OverflowError from the database driver."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from portal.loading import MAX_INT_ID, get_or_404, parse_id
from rights.models import OrganisationKind, Role
from rights.models.org import User
from tests.helpers import csrf_token

TOO_BIG = "99999999999999999999"


@pytest.fixture(autouse=True)
def _handle_500(app):
    app.config["TEST_HANDLE_500"] = True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        (TOO_BIG, None),
        ("0", None),
        ("-1", None),
        ("", None),
        (" 1", None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits are digits to str.isdigit, not ids
        (None, None),
        (2**63, None),
        (True, None),
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_ids_of_integer_columns_stop_at_32_bits(app):
    """PostgreSQL's INTEGER refuses 2**31: such an id is no row, not a database error."""
    assert parse_id("2147483648", MAX_INT_ID) is None
    assert parse_id("2147483647", MAX_INT_ID) == 2**31 - 1
    with app.test_request_context(), pytest.raises(NotFound):
        get_or_404(User, 2**31)


def test_get_or_404_refuses_out_of_range_and_foreign_rows(app, make_user):
    user = make_user(Role.OFFICER)
    with app.test_request_context():
        assert get_or_404(User, str(user.id)).id == user.id
        for raw in (TOO_BIG, 10**20, "x", user.id + 1000):
            with pytest.raises(NotFound):
                get_or_404(User, raw)
        with pytest.raises(NotFound):
            get_or_404(User, user.id, role=Role.ADMIN)


def test_admin_user_page_with_a_huge_id_is_404(client, login, make_user):
    login(make_user(Role.ADMIN))
    assert client.get(f"/admin/users/{TOO_BIG}").status_code == 404
    assert client.get("/admin/users/9223372036854775807").status_code == 404
    assert client.get("/admin/users/2147483648").status_code == 404


def test_controller_download_with_a_huge_id_is_404(client, login, make_user, make_org):
    login(make_user(Role.CONTROLLER, organisation=make_org(OrganisationKind.CONTROLLER)))
    token = csrf_token(client.get("/controller/packages/"))
    resp = client.post(
        "/controller/packages/9223372036854775808/download", data={"csrf_token": token}
    )
    assert resp.status_code == 404


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            yield rule


def test_every_id_in_a_url_rule_is_range_checked(app, client, login, make_user, make_request):
    """A sweep over every rule with an ``<int:...>`` converter, as an admin (who may open
    staff and admin pages), with a real reference where the rule names one."""
    rules = list(_int_rules(app))
    assert len(rules) >= 15, [r.rule for r in rules]
    reference = make_request().reference
    login(make_user(Role.ADMIN))
    token = csrf_token(client.get("/staff/"))
    for rule in rules:
        values = {}
        for name, converter in rule._converters.items():
            values[name] = TOO_BIG if isinstance(converter, IntegerConverter) else reference
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = client.open(url, method=method, data={"csrf_token": token})
            assert resp.status_code == 404, (method, url, resp.status_code)
