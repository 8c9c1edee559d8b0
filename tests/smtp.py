"""A real SMTP server for tests (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(Received(list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def wait_for_mail(
    inbox: Inbox,
    to: str,
    pattern: str,
    *,
    about: str = "",
    after: int = 0,
    timeout: float = 180,
) -> tuple[EmailMessage, str]:
    """The first mail to ``to`` received after the first ``after`` ones whose plain-text
    body matches ``pattern`` (and mentions ``about``), with the match's last group. Polls the
    receiver until ``timeout`` (generous: the worker sends on its own schedule)."""
    deadline = time.monotonic() + timeout
    while True:
        for received in list(inbox.messages)[after:]:
            msg = received.message
            if to not in received.envelope_to:
                continue
            part = msg.get_body(preferencelist=("plain",))
            body = part.get_content() if part is not None else ""  # type: ignore[attr-defined]
            found = re.search(pattern, body, re.M)
            if found and about in str(msg["Subject"]) + body:
                return msg, found.group(found.lastindex or 0)
        if time.monotonic() > deadline:
            seen = [(r.envelope_to, str(r.message["Subject"])) for r in inbox.messages]
            raise AssertionError(f"no mail to {to} with {pattern!r} about {about!r}: {seen}")
        time.sleep(0.2)
