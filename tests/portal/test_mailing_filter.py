"""The mailing filter writes its CSV with the product's one formula escaper: a downloaded
filter file never holds a cell a spreadsheet would run (``-2+3``, ``+1``, ``=``, ``@``)."""

from __future__ import annotations

import csv
import io

from exporters.escaping import escape_cell
from rights.models.org import Role
from tests.helpers import csrf_token

MAILING = (
    b"email;naam;bedrag;notitie\r\n"
    b"a@example.nl;-2+3;+1;@SUM(A1)\r\n"
    b'b@example.nl;=HYPERLINK("x");-;gewoon\r\n'
)


def _cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_downloaded_filter_file_has_every_formula_escaped(client, login, make_user, make_org):
    org = make_org()
    login(make_user(Role.ADMIN))
    page = client.get("/staff/sources/suppression")
    resp = client.post(
        "/staff/sources/suppression",
        data={
            "csrf_token": csrf_token(page),
            "organisation": str(org.id),
            "file": (io.BytesIO(MAILING), "m.csv"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = _cells(resp.get_data())
    assert rows[1] == ["a@example.nl", "'-2+3", "'+1", "'@SUM(A1)"]
    assert rows[2] == ["b@example.nl", '\'=HYPERLINK("x")', "'-", "gewoon"]
    original = _cells(MAILING)
    assert rows == [[escape_cell(c) for c in row] for row in original]


def test_cli_filter_file_is_escaped_the_same_way(app, make_org, tmp_path):
    org = make_org()
    source, target = tmp_path / "m.csv", tmp_path / "out.csv"
    source.write_bytes(MAILING)
    result = app.test_cli_runner().invoke(
        args=["sources", "filter-mailing", "--organisation", org.slug, str(source), str(target)]
    )
    assert result.exit_code == 0, result.output
    assert _cells(target.read_bytes())[1][1] == "'-2+3"
