"""The development mail viewer's read model: the mail the worker wrote to files, as a list
of recipient, subject and time (Amsterdam), and one mail shown whole (docs/operations.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path


@dataclass(frozen=True)
class DevMail:
    name: str
    to: str
    subject: str
    sent: datetime | None
    body: str


def _parse(path: Path) -> DevMail:
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    try:
        sent: datetime | None = parsedate_to_datetime(str(msg["Date"]))
    except (TypeError, ValueError):
        sent = None
    if sent is not None and sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    part = msg.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return DevMail(path.name, str(msg["To"] or ""), str(msg["Subject"] or ""), sent, str(body))


def list_mail(folder: Path, limit: int = 200) -> list[DevMail]:
    """The newest ``limit`` mails of ``folder``, newest first."""
    files = sorted(folder.glob("*.eml"), reverse=True)[:limit] if folder.exists() else []
    return [_parse(f) for f in files]


def one_mail(folder: Path, name: str) -> DevMail | None:
    path = folder / Path(name).name
    if not name.endswith(".eml") or not path.is_file():
        return None
    return _parse(path)
