"""The exporters' own texts in Dutch and English (no Flask-Babel: exporters are Flask-free).

Texts about the processing itself (purposes, retention, ...) come from the package model; these
are the headings, the README and the generic rights and complaint information of
Art. 15(1)(e) and (f) GDPR.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporters.model import Language, ProcessingInfo

TEXTS: Mapping[str, Mapping[str, str]] = {
    # --- general -----------------------------------------------------------------------
    "title.access": {
        "nl": "Inzage in uw persoonsgegevens",
        "en": "Access to your personal data",
    },
    "title.portability": {
        "nl": "Uw persoonsgegevens om over te dragen",
        "en": "Your personal data for portability",
    },
    "title.return": {
        "nl": "Teruggave van gegevens",
        "en": "Return of data",
    },
    "right.return": {
        "nl": "teruggave van gegevens aan de verwerkingsverantwoordelijke (artikel 28 lid 3 "
        "sub g AVG)",
        "en": "return of data to the controller (Article 28(3)(g) GDPR)",
    },
    "right.access": {"nl": "inzage (artikel 15 AVG)", "en": "access (Article 15 GDPR)"},
    "right.portability": {
        "nl": "dataportabiliteit (artikel 20 AVG)",
        "en": "data portability (Article 20 GDPR)",
    },
    "reference": {"nl": "Kenmerk", "en": "Reference"},
    "subject": {"nl": "Betrokkene", "en": "Data subject"},
    "request_right": {"nl": "Verzoek", "en": "Request"},
    "received_at": {"nl": "Ontvangen", "en": "Received"},
    "generated_at": {"nl": "Samengesteld", "en": "Compiled"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    # --- Art. 15(1) information --------------------------------------------------------
    "source": {"nl": "Gegevensbron", "en": "Data source"},
    "owner": {"nl": "Organisatie", "en": "Organisation"},
    "purposes": {"nl": "Doeleinden", "en": "Purposes"},
    "legal_basis": {"nl": "Grondslag", "en": "Legal basis"},
    "categories": {"nl": "Categorieën persoonsgegevens", "en": "Categories of personal data"},
    "recipients": {"nl": "Ontvangers", "en": "Recipients"},
    "recipients.none": {"nl": "Geen", "en": "None"},
    "recipient.name": {"nl": "Naam", "en": "Name"},
    "recipient.role": {"nl": "Rol", "en": "Role"},
    "recipient.country": {"nl": "Land buiten de EER", "en": "Country outside the EEA"},
    "retention": {"nl": "Bewaartermijn", "en": "Retention period"},
    "source_of_data": {"nl": "Herkomst van de gegevens", "en": "Source of the data"},
    "source_of_data.subject": {
        "nl": "Van u zelf verkregen.",
        "en": "Collected from you.",
    },
    "adm": {
        "nl": "Geautomatiseerde besluitvorming en profilering",
        "en": "Automated decision-making and profiling",
    },
    "adm.none": {
        "nl": "Er vindt geen geautomatiseerde besluitvorming of profilering plaats.",
        "en": "There is no automated decision-making or profiling.",
    },
    "transfer_safeguards": {
        "nl": "Waarborgen bij doorgifte buiten de EER",
        "en": "Safeguards for transfers outside the EEA",
    },
    "transfer.none": {
        "nl": "Wij geven deze gegevens niet door naar landen buiten de EER.",
        "en": "We do not transfer these data to countries outside the EEA.",
    },
    "not_recorded": {
        "nl": "Niet vastgelegd in onze beschrijving van deze gegevensbron. Vraag ons ernaar als "
        "u het wilt weten.",
        "en": "Not recorded in our description of this data source. Ask us if you want to know.",
    },
    "no_data": {
        "nl": "Wij verwerken geen persoonsgegevens over u.",
        "en": "We do not process any personal data about you.",
    },
    # --- legal bases of categories -------------------------------------------------------
    "basis.consent": {"nl": "toestemming", "en": "consent"},
    "basis.contract": {"nl": "overeenkomst", "en": "contract"},
    "basis.legal_obligation": {"nl": "wettelijke verplichting", "en": "legal obligation"},
    "basis.vital_interests": {"nl": "vitaal belang", "en": "vital interests"},
    "basis.public_task": {"nl": "taak van algemeen belang", "en": "public task"},
    "basis.legitimate_interests": {"nl": "gerechtvaardigd belang", "en": "legitimate interests"},
    # --- the copy ------------------------------------------------------------------------
    "copy": {"nl": "Kopie van uw gegevens", "en": "Copy of your data"},
    "copy.caption": {"nl": "{category} uit {source}", "en": "{category} from {source}"},
    "copy.empty": {"nl": "Geen gegevens in deze categorie.", "en": "No data in this category."},
    "copy.truncated": {
        "nl": "Dit overzicht toont de eerste {limit} rijen; alle rijen staan in de bestanden.",
        "en": "This summary shows the first {limit} rows; all rows are in the files.",
    },
    "provided_by_subject": {"nl": "Door u verstrekt", "en": "Provided by you"},
    "excluded": {
        "nl": "Niet opgenomen in dit pakket",
        "en": "Not included in this package",
    },
    "excluded.not_provided_by_subject": {
        "nl": "niet door u verstrekt (afgeleide of van derden verkregen gegevens)",
        "en": "not provided by you (derived data or data from others)",
    },
    "excluded.legal_basis": {
        "nl": "verwerkt op een andere grondslag dan toestemming of overeenkomst",
        "en": "processed on a basis other than consent or contract",
    },
    "excluded.not_automated": {
        "nl": "niet geautomatiseerd verwerkt",
        "en": "not processed by automated means",
    },
    # --- rights and complaint, Art. 15(1)(e) and (f) ---------------------------------------
    "rights": {"nl": "Uw rechten", "en": "Your rights"},
    "rights.text": {
        "nl": "U kunt ons vragen uw gegevens te verbeteren of aan te vullen, te wissen of de "
        "verwerking te beperken, en u kunt bezwaar maken tegen de verwerking (artikelen 16, "
        "17, 18 en 21 AVG).",
        "en": "You may ask us to rectify or complete your data, to erase it or to restrict its "
        "processing, and you may object to the processing (Articles 16, 17, 18 and 21 GDPR).",
    },
    "complaint": {"nl": "Klacht indienen", "en": "Lodging a complaint"},
    "complaint.text": {
        "nl": "U kunt een klacht indienen bij de Autoriteit Persoonsgegevens, Postbus 93374, "
        "2509 AJ Den Haag, autoriteitpersoonsgegevens.nl. U kunt zich ook tot de rechter wenden.",
        "en": "You may lodge a complaint with the Dutch Data Protection Authority (Autoriteit "
        "Persoonsgegevens), Postbus 93374, 2509 AJ Den Haag, the Netherlands, "
        "autoriteitpersoonsgegevens.nl. You may also go to court.",
    },
    # --- XLSX ----------------------------------------------------------------------------
    "sheet.information": {"nl": "Informatie", "en": "Information"},
    "sheet.sheet": {"nl": "Werkblad", "en": "Sheet"},
    "field.local": {"nl": "{label} (Nederlandse tijd)", "en": "{label} (Amsterdam time)"},
    # --- schema/fields.json ------------------------------------------------------------
    "type.string": {"nl": "tekst", "en": "text"},
    "type.integer": {"nl": "geheel getal", "en": "whole number"},
    "type.number": {"nl": "getal (decimale punt)", "en": "number (decimal point)"},
    "type.boolean": {"nl": "ja/nee (true/false)", "en": "yes/no (true/false)"},
    "type.date": {"nl": "datum (JJJJ-MM-DD)", "en": "date (YYYY-MM-DD)"},
    "type.datetime": {
        "nl": "tijdstip (ISO 8601 met tijdzone: in JSON UTC, in CSV en Excel Nederlandse tijd)",
        "en": "moment (ISO 8601 with time zone: UTC in JSON, Amsterdam time in CSV and Excel)",
    },
    "fields.about": {
        "nl": "Per categorie de kolommen van het CSV-bestand en het Excel-werkblad, in "
        "volgorde: de vaste sleutel (ook in data/package.json), het opschrift, het soort "
        "waarde en de betekenis.",
        "en": "For each category the columns of its CSV file and Excel sheet, in order: the "
        "stable key (also used in data/package.json), the heading, the kind of value and "
        "its meaning.",
    },
    "file.fields": {
        "nl": "Uitleg van elke kolom: vaste sleutel, opschrift, soort waarde en betekenis.",
        "en": "What each column is: stable key, heading, kind of value and meaning.",
    },
    # --- the cover (summary.html) ------------------------------------------------------
    "cover.what.access": {
        "nl": "Dit is een kopie van de persoonsgegevens die wij over u verwerken, met per "
        "gegevensbron waarom en hoe wij dat doen. U vroeg hierom op {received_at} "
        "(kenmerk {reference}); dit pakket is samengesteld op {generated_at}.",
        "en": "This is a copy of the personal data we process about you, with for each data "
        "source why and how we do so. You asked for it on {received_at} (reference "
        "{reference}); this package was compiled on {generated_at}.",
    },
    "cover.what.portability": {
        "nl": "Dit zijn de persoonsgegevens die u ons zelf heeft gegeven en die wij op basis "
        "van uw toestemming of een overeenkomst geautomatiseerd verwerken, in een "
        "machineleesbare vorm die u aan een andere organisatie kunt geven. U vroeg hierom op "
        "{received_at} (kenmerk {reference}); dit pakket is samengesteld op {generated_at}.",
        "en": "These are the personal data you gave us yourself and that we process by "
        "automated means on the basis of your consent or a contract, in a machine-readable "
        "form you can give to another organisation. You asked for them on {received_at} "
        "(reference {reference}); this package was compiled on {generated_at}.",
    },
    "cover.what.return": {
        "nl": "Dit pakket bevat alle persoonsgegevens die wij als verwerker voor {subject} "
        "bewaren, zodat u ze terugkrijgt (artikel 28 lid 3 sub g AVG). Samengesteld op "
        "{generated_at}, kenmerk {reference}.",
        "en": "This package contains all personal data we hold as a processor for "
        "{subject}, returned to you (Article 28(3)(g) GDPR). Compiled on {generated_at}, "
        "reference {reference}.",
    },
    "cover.for": {"nl": "Voor", "en": "For"},
    "cover.organisations": {"nl": "Organisaties", "en": "Organisations"},
    "cover.sources": {"nl": "Gegevensbronnen", "en": "Data sources"},
    "cover.files": {"nl": "Wat er in dit pakket zit", "en": "What this package holds"},
    "cover.file": {"nl": "Bestand", "en": "File"},
    "cover.holds": {"nl": "Inhoud", "en": "Contents"},
    "cover.verify": {"nl": "Zo controleert u het pakket", "en": "How to check the package"},
    "cover.verify.text": {
        "nl": "In manifest.json staat van elk bestand de SHA-256-controlesom. Bereken de "
        "controlesom van een bestand en vergelijk: zijn ze gelijk, dan is het bestand "
        "onveranderd. Op Windows: certutil -hashfile BESTAND SHA256; op macOS en Linux: "
        "shasum -a 256 BESTAND.",
        "en": "manifest.json lists the SHA-256 checksum of every file. Compute the checksum "
        "of a file and compare: if they are equal, the file is unchanged. On Windows: "
        "certutil -hashfile FILE SHA256; on macOS and Linux: shasum -a 256 FILE.",
    },
    "cover.link": {"nl": "Hoe lang de link werkt", "en": "How long the link works"},
    "cover.link.text": {
        "nl": "De downloadlink werkt tot {date}. Daarna verwijderen wij het pakket; u kunt "
        "ons altijd om een nieuw pakket vragen. Bewaar het pakket op een veilige plek: het "
        "bevat uw persoonsgegevens.",
        "en": "The download link works until {date}. After that we delete the package; you "
        "can always ask us for a new one. Keep the package in a safe place: it contains "
        "your personal data.",
    },
    "cover.link.text.return": {
        "nl": "De downloadlink werkt tot {date}. Daarna verwijderen wij het pakket.",
        "en": "The download link works until {date}. After that we delete the package.",
    },
    "controller": {"nl": "Verwerkingsverantwoordelijke", "en": "Controller"},
    "readme.intro.return": {
        "nl": "Dit pakket bevat alle persoonsgegevens die wij als verwerker voor {owner} "
        "bewaren, teruggegeven aan {owner} als verwerkingsverantwoordelijke (artikel 28 lid "
        "3 sub g AVG), kenmerk {reference}, samengesteld op {generated_at}.\n"
        "Dezelfde gegevens staan in meerdere formaten. Na de teruggave verwijderen wij onze "
        "kopie zoals in de verwerkersovereenkomst is afgesproken.",
        "en": "This package contains all personal data we hold as a processor for {owner}, "
        "returned to {owner} as the controller (Article 28(3)(g) GDPR), reference "
        "{reference}, compiled on {generated_at}.\n"
        "The same data is included in several formats. After the return we delete our copy "
        "as agreed in the data processing agreement.",
    },
    # --- README --------------------------------------------------------------------------
    "readme.intro": {
        "nl": "Dit pakket bevat uw persoonsgegevens naar aanleiding van uw verzoek om {right}, "
        "kenmerk {reference}, samengesteld op {generated_at}.\n"
        "Dezelfde gegevens staan in meerdere formaten; kies het formaat dat u het beste uitkomt.",
        "en": "This package contains your personal data in response to your request for "
        "{right}, reference {reference}, compiled on {generated_at}.\n"
        "The same data is included in several formats; use whichever suits you best.",
    },
    "readme.files": {"nl": "Bestanden", "en": "Files"},
    "readme.spreadsheet_note": {
        "nl": "In CSV en Excel staat voor tekst die met = + - @ of een tab of regeleinde begint "
        "een apostrof ('), zodat een spreadsheet de tekst niet als formule uitvoert. Het "
        "JSON-bestand bevat de gegevens precies zoals ze zijn opgeslagen.",
        "en": "In CSV and Excel, text that starts with = + - @ or a tab or line break is "
        "preceded by an apostrophe (') so that a spreadsheet does not run it as a formula. "
        "The JSON file contains the data exactly as stored.",
    },
    "readme.verify": {
        "nl": "manifest.json bevat voor elk bestand de SHA-256-controlesom en de grootte. "
        "Controleren: op Windows certutil -hashfile BESTAND SHA256, op macOS en Linux "
        "shasum -a 256 BESTAND.",
        "en": "manifest.json lists the SHA-256 checksum and size of every file. To check: "
        "on Windows certutil -hashfile FILE SHA256, on macOS and Linux shasum -a 256 FILE.",
    },
    "file.readme": {"nl": "Deze uitleg.", "en": "This explanation."},
    "file.manifest": {
        "nl": "Inhoudsopgave met controlesommen (SHA-256) van alle bestanden.",
        "en": "Table of contents with checksums (SHA-256) of all files.",
    },
    "file.schema": {
        "nl": "JSON Schema dat de opbouw van het JSON-bestand beschrijft.",
        "en": "JSON Schema describing the structure of the JSON file.",
    },
    "file.json": {
        "nl": "Alle gegevens en informatie, machineleesbaar (JSON).",
        "en": "All data and information, machine-readable (JSON).",
    },
    "file.csv": {
        "nl": "{category} uit {source}, als CSV (UTF-8, scheidingsteken '{delimiter}'; de "
        "kolomkoppen zijn opschriften, de vaste sleutels staan in schema/fields.json).",
        "en": "{category} from {source}, as CSV (UTF-8, delimiter '{delimiter}'; the column "
        "headings are labels, the stable keys are in schema/fields.json).",
    },
    "file.xlsx": {
        "nl": "Alle gegevens als Excel-werkmap, één werkblad per categorie, met een werkblad "
        "Informatie.",
        "en": "All data as an Excel workbook, one sheet per category, with an Information sheet.",
    },
    "file.html": {
        "nl": "Leesbaar overzicht om in een browser te openen of af te drukken.",
        "en": "Readable summary to open in a browser or print.",
    },
}


def source_statement(language: Language, info: ProcessingInfo) -> str:
    """Art. 15(1)(g): the recorded source, "collected from you" only when recorded."""
    if info.source_of_data:
        return info.source_of_data
    if info.collected_from_subject:
        return t(language, "source_of_data.subject")
    return t(language, "not_recorded")


def adm_statement(language: Language, info: ProcessingInfo) -> str:
    """Art. 15(1)(h): the recorded logic and consequences, "none" only when recorded."""
    if info.automated_decision_making:
        return info.automated_decision_making
    if info.automated_decisions is False:
        return t(language, "adm.none")
    return t(language, "not_recorded")


def transfer_statement(language: Language, info: ProcessingInfo) -> str:
    """Art. 15(2): the recorded transfers and safeguards, "none" only when recorded."""
    if info.transfer_safeguards:
        return info.transfer_safeguards
    if info.transfers_outside_eea is False:
        return t(language, "transfer.none")
    return t(language, "not_recorded")


def field_header(language: Language, label: str, kind: str) -> str:
    """A column's header in CSV and XLSX: a time column names its zone ("Aangemeld op
    (Nederlandse tijd)"), because the cells hold Amsterdam wall-clock time."""
    return t(language, "field.local", label=label) if kind == "datetime" else label


def t(language: Language, key: str, **params: Any) -> str:
    """The text ``key`` in ``language``, formatted with ``params``; KeyError if missing."""
    text = TEXTS[key][language]
    return text.format(**params) if params else text
