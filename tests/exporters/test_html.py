import dataclasses
import io
import re

from exporters.base import FormatOptions
from exporters.html_format import write_html
from exporters.model import ExportPackage
from tests.exporters.conftest import generated, make_package


def render(pkg: ExportPackage, options: FormatOptions | None = None) -> str:
    out = io.BytesIO()
    write_html(pkg, out, options)
    return out.getvalue().decode()


def test_script_in_data_is_escaped_and_there_are_no_scripts() -> None:
    html = render(make_package())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "script-src" not in html
    assert "default-src 'none'" in html


def test_dutch_summary_by_default() -> None:
    html = render(make_package())
    assert '<html lang="nl">' in html
    assert "<h1>Inzage in uw persoonsgegevens</h1>" in html
    assert "Geen gegevens in deze categorie." in html


def test_english_summary() -> None:
    html = render(make_package(language="en"))
    assert '<html lang="en">' in html
    assert "Access to your personal data" in html
    assert "Dutch Data Protection Authority" in html


def test_article_15_information_and_complaint_details() -> None:
    html = render(make_package())
    for text in [
        "Nieuwsbrief versturen",
        "Toestemming (art. 6 lid 1 sub a AVG)",
        "Tot afmelding plus 2 jaar",
        "MailCo B.V. (subverwerker)",
        "Cloud Inc. (subverwerker, Verenigde Staten)",
        "Standaardcontractbepalingen",
        "Uw werkgever",
        "Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag",
        "autoriteitpersoonsgegevens.nl",
    ]:
        assert text in html


def test_tables_are_accessible_and_printable() -> None:
    html = render(make_package())
    assert html.count("<table>") == html.count("<caption>")
    assert '<th scope="col" title="Volledige naam">Naam</th>' in html
    assert '<th scope="row">Kenmerk</th>' in html
    assert "@media print" in html
    assert "<td>ja</td>" in html
    # Amsterdam time with the zone named (docs/package.md, "Values").
    assert "2 januari 2024 13:04 (CET, Nederlandse tijd)" in html


def test_row_limit_gives_a_layered_summary() -> None:
    html = render(make_package(records=generated(50)), FormatOptions(html_row_limit=10))
    assert len(re.findall(r"<td>Person \d+</td>", html)) == 10
    assert "Dit overzicht toont de eerste 10 rijen" in html


def test_no_data_answer_is_still_an_answer() -> None:
    html = render(dataclasses.replace(make_package(), sources=[]))
    assert "Wij verwerken geen persoonsgegevens over u." in html
