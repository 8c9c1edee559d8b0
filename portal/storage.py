"""Where the portal keeps files outside the database, built from configuration."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from rights.crypto import parse_key
from rights.documents import DocumentStore


def document_store(app: Flask | None = None) -> DocumentStore:
    app = app or current_app
    root = app.config.get("DOCUMENT_DIR") or str(Path(app.instance_path) / "documents")
    return DocumentStore(
        root=Path(root),
        key=parse_key(app.config["ENCRYPTION_KEY"]),
        max_bytes=int(app.config["UPLOAD_MAX_BYTES"]),
    )
