"""HTML summary: the Art. 15(1) information per source and the copy in readable tables, for
people (Art. 12(1): concise, intelligible, plain language), in the package language.

One self-contained file: print CSS inline, no scripts (a CSP meta tag forbids them even if
someone adds one), ``lang`` on the document, tables with captions and ``scope`` on headers.
Jinja2 autoescapes every value. The template is streamed with ``Template.generate`` and the
records are read lazily, so a large copy does not sit in memory; ``html_row_limit`` gives a
layered summary that points to the files for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from itertools import islice
from types import SimpleNamespace
from typing import Any, BinaryIO

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from exporters import display, i18n, labels
from exporters.base import FormatOptions, OutputFile, text_stream
from exporters.model import CategoryData, ExportPackage, FieldSpec, Language, SourceSection
from exporters.values import (
    Converter,
    check_date,
    check_int,
    check_number,
    check_str,
    make_row_reader,
    utc,
    wrong_type,
)

PATH = "summary.html"
MEDIA_TYPE = "text/html"


def _boolean(spec: FieldSpec, language: Language) -> Converter:
    words = {True: i18n.t(language, "yes"), False: i18n.t(language, "no")}

    def convert(value: Any) -> str:
        if not isinstance(value, bool):
            wrong_type(spec, value)
        return words[value]

    return convert


DisplayFactory = Callable[[FieldSpec, Language], Converter]

# Numbers, dates and times for the reader's locale, times in Amsterdam (exporters.display).
CONVERTERS: Mapping[str, DisplayFactory] = {
    "string": lambda spec, _: lambda v: check_str(spec, v),
    "integer": lambda spec, lang: lambda v: display.number(check_int(spec, v), lang),
    "number": lambda spec, lang: lambda v: display.number(check_number(spec, v), lang),
    "boolean": _boolean,
    "date": lambda spec, lang: lambda v: display.day(check_date(spec, v), lang),
    "datetime": lambda spec, lang: lambda v: display.moment(utc(spec, v), lang),
}


class RowStream:
    """The display rows of one category, read lazily; ``truncated`` is set once the row
    limit is reached and more rows exist (the template checks it after the loop)."""

    def __init__(self, category: CategoryData, language: Language, limit: int | None) -> None:
        self.category = category
        self.language = language
        self.limit = limit
        self.truncated = False

    def __iter__(self) -> Iterator[list[str]]:
        converters = [CONVERTERS[f.type](f, self.language) for f in self.category.fields]
        read = make_row_reader(self.category.fields)
        records = iter(self.category.iter_records())
        limited = records if self.limit is None else islice(records, self.limit)
        for record in limited:
            yield ["" if v is None else c(v) for c, v in zip(converters, read(record), strict=True)]
        if self.limit is not None and next(records, None) is not None:
            self.truncated = True


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("exporters", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def template() -> Template:
    return _environment().get_template("summary.html")


def _table(
    pkg: ExportPackage, source: SourceSection, category: CategoryData, limit: int | None
) -> dict[str, Any]:
    lang = pkg.language
    return {
        "category": category,
        "caption": i18n.t(lang, "copy.caption", category=category.label, source=source.name),
        "headers": [f.label for f in category.fields],
        "descriptions": [f.description for f in category.fields],
        "rows": RowStream(category, lang, limit),
    }


def context(pkg: ExportPackage, options: FormatOptions) -> dict[str, Any]:
    lang = pkg.language
    limit = options.html_row_limit
    return {
        "pkg": pkg,
        "t": lambda key, **params: i18n.t(lang, key, **params),
        # Art. 15(1)(g), (h), 15(2): only what is recorded (docs/legal.md, "Access").
        "statements": SimpleNamespace(
            source=lambda info: i18n.source_statement(lang, info),
            adm=lambda info: i18n.adm_statement(lang, info),
            transfer=lambda info: i18n.transfer_statement(lang, info),
        ),
        "received_at": display.moment(pkg.received_at, lang),
        "generated_at": display.moment(pkg.generated_at, lang),
        "available_until": (
            display.day(pkg.available_until.astimezone(display.AMSTERDAM).date(), lang)
            if pkg.available_until
            else ""
        ),
        "basis": lambda code: labels.basis_label(code, lang),
        "role": lambda code: labels.role_label(code, lang),
        "files": options.listing,
        "sources": [
            {"source": s, "tables": [_table(pkg, s, c, limit) for c in s.categories]}
            for s in pkg.sources
        ],
    }


def write_html(pkg: ExportPackage, out: BinaryIO, options: FormatOptions | None = None) -> None:
    """Stream the HTML summary of ``pkg`` into ``out`` (UTF-8)."""
    with text_stream(out) as w:
        for chunk in template().generate(context(pkg, options or FormatOptions())):
            w.write(chunk)


class HtmlFormat:
    name = "html"

    def files(self, pkg: ExportPackage, options: FormatOptions) -> list[OutputFile]:
        description = i18n.t(pkg.language, "file.html")
        return [
            OutputFile(PATH, MEDIA_TYPE, description, lambda out: write_html(pkg, out, options))
        ]
