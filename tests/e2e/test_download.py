"""Issue 8 "done when": after ``make run`` the demo subject downloads the ZIP with the
mailed code, opens the HTML summary in a browser, and ``package verify`` reports every
checksum intact."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from exporters.verify import verify_package

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _code_from_mail(folder: Path, seen: set[Path]) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for path in sorted(set(folder.glob("*.eml")) - seen):
            msg = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = msg.get_body().get_content()  # type: ignore[union-attr]
            match = re.search(r"^\s+(\d{6})\s*$", body, re.M)
            if match:
                return match[1]
        time.sleep(0.5)
    log = (folder.parent / "server.log").read_text()[-3000:]
    raise AssertionError(f"no code mail: {sorted(folder.glob('*.eml'))} {seen}\n{log}")


def test_demo_subject_downloads_opens_summary_and_verifies(dev_server, browser, tmp_path):
    match = re.search(r"Demo download.*?(/download/\S+)", dev_server.output)
    assert match, dev_server.output
    mail = dev_server.instance / "mail"
    seen = set(mail.glob("*.eml"))
    context = browser.new_context(accept_downloads=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(dev_server.url + match[1])
    page.get_by_role("button", name="Stuur mij een code").click()
    code = _code_from_mail(mail, seen)
    page.get_by_label("Code uit de e-mail").fill(code)
    with page.expect_download() as info:
        page.get_by_role("button", name="Het ZIP-bestand downloaden").click()
    target = tmp_path / "package.zip"
    info.value.save_as(target)
    assert info.value.suggested_filename.endswith(".zip")
    assert verify_package(target).ok

    with zipfile.ZipFile(target) as archive:
        archive.extract("summary.html", tmp_path)
        assert "data/package.xlsx" in archive.namelist()
    page.goto((tmp_path / "summary.html").as_uri())
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Noor Bakker" in page.content()
    page.screenshot(path=str(dev_server.instance / "summary.png"), full_page=True)
    context.close()

    env = {**os.environ, "PORTAL_ENV": "development"}
    env["PORTAL_INSTANCE_PATH"] = str(dev_server.instance)
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", "package", "verify", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "every checksum matches" in result.stdout
