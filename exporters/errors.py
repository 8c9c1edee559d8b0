"""The exporters' own error: a package model or file that breaks a rule of the format.

``exporters`` is a leaf package (it imports no other project package), so it does not use
the domain's error hierarchy; the portal maps ``ExportInvalid`` to 422 beside the domain errors.
"""

from __future__ import annotations

from typing import Any


class ExportInvalid(ValueError):
    """Input the exporters cannot turn into a valid package (or a package that is not one)."""

    code = "export_invalid"
    http_status = 422

    def __init__(self, message: str = "", **params: Any) -> None:
        super().__init__(message or self.code)
        self.params = params
