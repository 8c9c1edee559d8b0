"""Export packages for data-subject requests: a neutral model in, JSON, CSV, XLSX, an HTML
summary and a ZIP with manifest out. Flask-free; imports nothing from ``portal`` and only
``rights.errors`` from the domain."""

from exporters.model import (
    FORMAT_VERSION,
    CategoryData,
    Exclusion,
    ExportPackage,
    FieldSpec,
    ProcessingInfo,
    Recipient,
    SourceSection,
    rows,
)
from exporters.package import Manifest, VerifyReport, build_package, read_manifest, verify_package

__all__ = [
    "FORMAT_VERSION",
    "CategoryData",
    "Exclusion",
    "ExportPackage",
    "FieldSpec",
    "Manifest",
    "ProcessingInfo",
    "Recipient",
    "SourceSection",
    "VerifyReport",
    "build_package",
    "read_manifest",
    "rows",
    "verify_package",
]
