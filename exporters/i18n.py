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
    "field.utc": {"nl": "{label} (UTC)", "en": "{label} (UTC)"},
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
        "nl": "manifest.json bevat voor elk bestand de SHA-256-controlesom en de grootte.",
        "en": "manifest.json lists the SHA-256 checksum and size of every file.",
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
        "nl": "{category} uit {source}, als CSV (UTF-8, scheidingsteken '{delimiter}').",
        "en": "{category} from {source}, as CSV (UTF-8, delimiter '{delimiter}').",
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


def t(language: Language, key: str, **params: Any) -> str:
    """The text ``key`` in ``language``, formatted with ``params``; KeyError if missing."""
    text = TEXTS[key][language]
    return text.format(**params) if params else text
