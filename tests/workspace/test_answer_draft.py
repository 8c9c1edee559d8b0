"""``dsr-portal answer draft`` prints the letter the case page generates, composed without a
web request (operations.answers): the same text for access and erasure answers in Dutch and
English."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from operations.packages import build_request_package, request_export_package
from rights import packages
from rights.audit import Actor
from rights.models.org import Role
from rights.models.request import Channel
from rights.righttypes import AccessDetails, ErasureDetails
from tests.helpers import ops_context

CASES = [
    (AccessDetails(), "partially_fulfilled", ["art_15_4"]),
    (ErasureDetails(), "refused", ["art_17_3_e"]),
]


def _shown_letter(client, reference: str) -> str:
    page = client.get(f"/staff/requests/{reference}/letter")
    assert page.status_code == 200
    match = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page.get_data(True), re.S)
    assert match, "no letter on the page"
    return html.unescape(match.group(1))


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(("details", "outcome", "grounds"), CASES)
def test_cli_prints_the_letter_the_case_page_shows(
    app, client, officer, make_request, act, details, outcome, grounds, language
):
    r = make_request(
        details,
        received_at=datetime.now(UTC) - timedelta(days=2),
        channel=Channel.EMAIL,
        language=language,
    )
    reasons = "Wij bewaren uw factuur 7 jaar & langer <ja>."
    resp = act(r.reference, "answer", outcome=outcome, grounds=grounds, reasons=reasons)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    shown = _shown_letter(client, r.reference)

    result = app.test_cli_runner().invoke(
        args=["answer", "draft", r.reference, "--reasons", reasons], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip("\n") == shown
    assert ("Beste" in shown or "Geachte" in shown) == (language == "nl")
    assert "Dear" in shown if language == "en" else "Dear" not in shown
    assert reasons in shown


def test_cli_letter_in_the_other_language_and_without_a_draft(app, make_request):
    r = make_request(
        AccessDetails(), received_at=datetime.now(UTC) - timedelta(days=2), language="nl"
    )
    runner = app.test_cli_runner()
    dutch = runner.invoke(args=["answer", "draft", r.reference])
    english = runner.invoke(args=["answer", "draft", r.reference, "--language", "en"])
    assert dutch.exit_code == 0 and english.exit_code == 0, dutch.output + english.output
    assert "Dear Eva de Boer," in english.stdout and "Dear" not in dutch.stdout
    assert r.reference in dutch.stdout and r.reference in english.stdout


def test_cli_refuses_an_unknown_request_and_a_wrong_ground(app, make_request):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["answer", "draft", "AVG-NONE-NONE"]).exit_code != 0
    r = make_request(AccessDetails(), received_at=datetime.now(UTC) - timedelta(days=2))
    wrong = runner.invoke(
        args=["answer", "draft", r.reference, "--outcome", "refused", "--ground", "art_17_3_e"]
    )
    assert wrong.exit_code != 0 and "ground_mismatch" in wrong.output


def test_the_answer_refers_to_the_released_package(
    app, client, officer, make_user, make_request, act, db_session
):
    r = make_request(
        AccessDetails(), received_at=datetime.now(UTC) - timedelta(days=2), channel=Channel.EMAIL
    )
    now = datetime.now(UTC)
    ctx = ops_context(app, db_session, Actor.user(make_user(Role.OFFICER).id), now)
    pkg = build_request_package(
        ctx, r, request_export_package(r, now=now, operator_name="Mailhuis"), formats=["json"]
    )
    packages.release_package(db_session, pkg, actor=Actor.user(officer.id), now=now)
    db_session.commit()
    assert act(r.reference, "answer", outcome="fulfilled", reasons="").status_code == 303
    page = client.get(f"/staff/requests/{r.reference}/letter").get_data(as_text=True)
    assert f"exportpakket {pkg.id} (json)" in page
    result = app.test_cli_runner().invoke(args=["answer", "draft", r.reference])
    assert result.exit_code == 0 and f"package {pkg.id}: json" in result.stderr
