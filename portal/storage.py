"""Where the portal keeps files outside the database, built from configuration."""

from __future__ import annotations

from flask import Flask

from portal.context import key_context
from rights.documents import DocumentStore


def document_store(app: Flask | None = None) -> DocumentStore:
    """The encrypted document store (the Context picks its key)."""
    return key_context(app).document_store()
