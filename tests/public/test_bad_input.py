"""Undecodable input is refused with a clear page and nothing is stored (never altered)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rights.models.request import RightsRequest
from tests.public.flow import fill


def _count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(RightsRequest))


def _urlencoded(data: dict[str, str], raw_pairs: list[bytes]) -> bytes:
    from urllib.parse import quote_plus

    pairs = [f"{quote_plus(k)}={quote_plus(str(v))}".encode() for k, v in data.items()]
    return b"&".join(pairs + raw_pairs)


def test_percent_ff_in_a_name_is_a_400_and_nothing_is_stored(client, db_session):
    url, data = fill(client, ["access"])
    data.pop("name")
    before = _count(db_session)
    page = client.post(
        url,
        data=_urlencoded(data, [b"name=Eva%FF"]),
        content_type="application/x-www-form-urlencoded",
    )
    assert page.status_code == 400
    assert "Nothing was stored" in page.get_data(as_text=True) or "Er is niets" in page.get_data(
        as_text=True
    )
    assert _count(db_session) == before


def test_latin1_form_is_refused_not_stored_as_percent_text(client, db_session):
    url, data = fill(client, ["access"])
    data.pop("name")
    before = _count(db_session)
    page = client.post(
        url,
        data=_urlencoded(data, ["name=Jos\u00e9".encode("latin-1").replace(b"\xe9", b"%E9")]),
        content_type="application/x-www-form-urlencoded",
    )
    assert page.status_code == 400
    assert _count(db_session) == before
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(RightsRequest)
            .where(RightsRequest.requester_name.like("%\\%E9%", escape="\\"))
        )
        == 0
    )


def test_broken_bytes_in_a_multipart_field_are_refused(client, db_session):
    url, data = fill(client, ["access"])
    before = _count(db_session)
    boundary = "----dsrtest"
    parts = []
    for key, value in {**data, "name": None}.items():
        if value is None:
            continue
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n'.encode()
        + b"Jos\xe9\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    page = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert page.status_code == 400
    assert _count(db_session) == before


def test_a_form_with_thousands_of_fields_is_refused(client, db_session):
    url, data = fill(client, ["access"])
    before = _count(db_session)
    extra = [f"junk{i}=x".encode() for i in range(5000)]
    page = client.post(
        url, data=_urlencoded(data, extra), content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code == 413
    assert _count(db_session) == before


def test_undecodable_query_string_is_a_400(client):
    assert client.get("/request?q=%FF").status_code == 400


def test_the_same_form_in_valid_utf8_is_accepted(client, db_session):
    url, data = fill(client, ["access"], name="Jos\u00e9 M\u00fcller")
    before = _count(db_session)
    page = client.post(
        url, data=_urlencoded(data, []), content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code in (200, 302, 303)
    assert _count(db_session) == before + 1


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        (b"name=Caf%C3%A9+de+Boer&city=%E2%82%AC", True),
        (b"", True),
        (b"name=Eva%FF", False),
        (b"name%C3=%A9", False),  # one character split by the "=": two broken pieces
        (b"a=%C3&%A9=b", False),  # and by the "&"
        (b"name=Eva\xff", False),  # a raw byte, not percent-encoded
    ],
)
def test_each_key_and_value_must_be_utf8(raw, valid):
    from portal.input_guard import _is_utf8_urlencoded

    assert _is_utf8_urlencoded(raw) is valid
