"""The intake rules without a web request: the mandate and minor rules and the upload check
raise ``IntakeError`` on the form field they concern, in the context's language."""

from __future__ import annotations

import pytest

from operations.context import Context
from operations.intake import IntakeError, check_representation, check_upload
from rights.keys import Keyring

CTX = Context(session=None, keyring=Keyring(b"k" * 32), language="en")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("representative", "field", "code", "text"),
    [
        ({"relationship": "guardian"}, "mandate", "mandate_missing", "Add the mandate"),
        ({"relationship": "mandate"}, "mandate", "mandate_missing", "Add the mandate"),
        ({"relationship": "parent"}, "child_age", "child_age_missing", "how old the child"),
        (
            {"relationship": "parent", "child_age": "own"},
            "mandate",
            "minor_mandate_missing",
            "From 16, the child decides",
        ),
    ],
)
def test_refusals_name_their_field(representative, field, code, text):
    with pytest.raises(IntakeError) as refused:
        check_representation(CTX, representative, has_mandate=False)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert text in refused.value.message


@pytest.mark.parametrize(
    "representative",
    [None, {"relationship": "lawyer"}, {"relationship": "parent", "child_age": "review"}],
)
def test_no_document_needed(representative):
    check_representation(CTX, representative, has_mandate=False)


def test_the_document_satisfies_the_rules_and_the_message_follows_the_language():
    check_representation(CTX, {"relationship": "guardian"}, has_mandate=True)
    check_representation(CTX, {"relationship": "parent", "child_age": "own"}, has_mandate=True)
    with pytest.raises(IntakeError) as dutch:
        check_representation(CTX.in_language("nl"), {"relationship": "guardian"}, has_mandate=False)
    assert "machtiging" in dutch.value.message


def test_uploads_must_be_pdf_png_or_jpeg():
    check_upload(CTX, "mandate", None)
    check_upload(CTX, "mandate", (b"%PDF-1.7 x", "a.pdf"))
    for data in (b"", b"MZ\x90\x00"):
        with pytest.raises(IntakeError) as refused:
            check_upload(CTX, "mandate", (data, "a.pdf"))
        assert refused.value.field == "mandate"
