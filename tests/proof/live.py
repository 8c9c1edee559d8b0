"""The real portal in subprocesses on 127.0.0.1, driven from outside as a visitor would:
a web server (``dsr-portal dev`` as ``make run`` starts it, or gunicorn), workers, and a
client that fills the public form with its CSRF token and form key."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.public.flow import DETAILS, form_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_KEY = re.compile(r'name="form_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_key"')
REFERENCE = re.compile(r"AVG-[0-9A-Z]{4}-[0-9A-Z]{4}")
# Public limits high enough for a load from one address (the limits have their own tests).
UNLIMITED = {
    "PORTAL_RATELIMIT_PUBLIC_IP": "1000000 per hour",
    "PORTAL_RATELIMIT_PUBLIC_EMAIL": "1000000 per hour",
}


def portal_env(instance: Path, port: int, **extra: str) -> dict[str, str]:
    """A development configuration in ``instance`` whose links point at ``port``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_ENV="development",
        PORTAL_INSTANCE_PATH=str(instance),
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        PORTAL_TRUSTED_HOSTS="127.0.0.1,localhost",
        **UNLIMITED,
    )
    env.update(extra)
    return env


@dataclass
class Proc:
    """A process group started by a test, ended by its pid only."""

    proc: subprocess.Popen[bytes]
    log: Path

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start(args: list[str], env: Mapping[str, str], log: Path) -> Proc:
    out = log.open("ab")
    proc = subprocess.Popen(
        args, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    out.close()
    return Proc(proc, log)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "portal.cli", *args]


def gunicorn(port: int, workers: int = 2, threads: int = 4) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--graceful-timeout",
        "5",
        "wsgi:app",
    ]


def wait_http(url: str, proc: Proc, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{proc.output()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def _multipart(
    data: Mapping[str, str], files: Mapping[str, tuple[str, bytes]], headers: dict[str, str]
) -> bytes:
    boundary = uuid.uuid4().hex
    headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in data.items()
    ]
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Answer:
    status: int
    body: str
    headers: Mapping[str, str] = field(default_factory=dict)


class Visitor:
    """One browser: its own cookies, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.sent_path = "/request/sent"  # where the last submit sent this browser
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def call(
        self,
        path: str,
        data: Mapping[str, str] | None = None,
        timeout: float = 60,
        files: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> Answer:
        headers: dict[str, str] = {}
        if files:
            body: bytes | None = _multipart(data or {}, files, headers)
        else:
            body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                answer = Answer(
                    resp.status, resp.read().decode(errors="replace"), dict(resp.headers)
                )
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, exc.read().decode(errors="replace"), dict(exc.headers))
        location = answer.headers.get("Location", "")
        if "/request/sent" in location:
            self.sent_path = location[location.index("/request/sent") :]
        return answer

    def form(self, rights: list[str]) -> tuple[str, dict[str, str]]:
        """GET the public form; the fields a person fills in, with a unique address."""
        url = form_url(rights)
        page = self.call(url)
        assert page.status == 200, page.status
        csrf = CSRF.search(page.body)
        key = FORM_KEY.search(page.body)
        assert csrf and key, "no csrf_token or form_key on the form"
        data = {
            "csrf_token": csrf.group(1),
            "form_key": key.group(1) or key.group(2),
            "acting": "self",
            "name": "Eva de Boer",
            "email": f"eva-{uuid.uuid4().hex[:12]}@example.nl",
            "phone": "",
            "address": "",
            "customer_number": "K-123",
        }
        for right in rights:
            data.update(DETAILS[right])
        return url, data

    def reference(self) -> str | None:
        """The reference the "sent" page shows, if any."""
        page = self.call(self.sent_path)
        match = REFERENCE.search(page.body) if page.status == 200 else None
        return match.group(0) if match else None
