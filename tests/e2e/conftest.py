"""End-to-end fixtures: the real development server in a subprocess on 127.0.0.1, and
Debian's Chromium driven by Playwright (its own browser download does not work here)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class DevServer:
    url: str
    output: str
    instance: Path


def _wait_for(url: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited early")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


@contextmanager
def run_dev_server(instance: Path, **settings: str) -> Iterator[DevServer]:
    """``dsr-portal dev`` as ``make run`` starts it (migrate, demo, worker, web server) with
    its own instance folder and any further ``PORTAL_*`` ``settings`` (e.g. mail over SMTP);
    stopped (the whole process group) at the end."""
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        **settings,
    }
    env.pop("PORTAL_DATABASE_URL", None)
    log = instance / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "dev", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/", proc)
            yield DevServer(f"http://127.0.0.1:{port}", log.read_text(), instance)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """``dsr-portal dev`` as ``make run`` starts it: migrate, demo, worker, web server."""
    with run_dev_server(tmp_path_factory.mktemp("instance")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (make browser-deps installs it)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    # expect() retries until the page it reads has arrived: patient on a loaded CI machine,
    # as fast as the page otherwise.
    expect.set_options(timeout=60_000)
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()
