import dataclasses
import io
import json
from typing import Any

import jsonschema
import pytest

from exporters.json_format import schema_bytes, write_json
from exporters.model import ExportPackage
from tests.exporters.conftest import TRIGGER_VALUES, contact_records, generated, make_package


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_bytes())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def export(pkg: ExportPackage) -> Any:
    out = io.BytesIO()
    write_json(pkg, out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    "pkg",
    [
        make_package(),
        make_package(language="en").for_portability(),
        make_package(records=generated(3)),
        dataclasses.replace(make_package(), sources=[]),
    ],
    ids=["access", "portability", "generated", "no-data"],
)
def test_output_validates_against_the_published_schema(
    pkg: ExportPackage, validator: jsonschema.Draft202012Validator
) -> None:
    validator.validate(export(pkg))


def test_strings_are_byte_exact_and_never_escaped() -> None:
    records = export(make_package())["sources"][0]["categories"][0]["records"]
    names = [r["name"] for r in records]
    assert names[2:] == TRIGGER_VALUES
    assert names[1] == "<script>alert(1)</script>"
    assert records[0] == {
        "name": "Jan de Vries",
        "email": "jan@example.nl",
        "born": "1980-05-17",
        "subscribed_at": "2024-01-02T12:04:05+00:00",
        "mailings": 12,
        "score": 3.5,
        "active": True,
    }
    assert len(records) == len(contact_records())


def test_keys_come_in_a_fixed_order() -> None:
    document = export(make_package())
    assert list(document) == [
        "format_version",
        "reference",
        "language",
        "request",
        "subject",
        "excluded",
        "sources",
    ]
    category = document["sources"][0]["categories"][0]
    assert list(category["records"][1]) == [f["name"] for f in category["fields"]]


def test_generator_records_are_streamed_one_record_per_line() -> None:
    out = io.BytesIO()
    write_json(make_package(records=generated(1000)), out)
    lines = out.getvalue().decode().splitlines()
    assert sum(1 for line in lines if line.lstrip().startswith('{"name": "Person ')) == 1000
