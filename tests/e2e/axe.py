"""axe-core (npm, pinned in package.json) run inside pages driven by Playwright, and a watch
on console errors and CSP violations of every page a test visits.

axe is evaluated through the DevTools protocol (``page.evaluate``), which the page's strict
Content-Security-Policy does not govern, so the policy stays on and its violations are seen
(an init script listens for ``securitypolicyviolation``). README, "How we test"."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def axe_source() -> str:
    """The axe-core script; installs it with ``npm ci`` when missing. Skips only when node
    and npm are absent (and fails in CI, which has them)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            if os.environ.get("CI") == "true":
                pytest.fail("node and npm are required in CI for axe-core (make browser-deps)")
            pytest.skip("node/npm are not installed: no axe-core")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=ROOT, check=True, timeout=300,
        )  # fmt: skip
    return AXE.read_text(encoding="utf-8")


@dataclass
class Watch:
    """Console errors and page errors of one browser context."""

    errors: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        context.add_init_script(_LISTEN)

        def on_page(page: Any) -> None:
            page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
            page.on("pageerror", lambda e: self.errors.append(str(e)))

        context.on("page", on_page)


def check_page(page: Any, source: str, watch: Watch, where: str) -> None:
    """No axe violation (WCAG 2.1 A and AA rules), no console error, no CSP violation."""
    page.wait_for_load_state()  # a click's navigation may have committed, not loaded
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});"
        " return r.violations.map(v => v.id + ': ' + v.help + ' ' +"
        " v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')); }",
        WCAG,
    )
    assert result == [], f"axe on {where} ({page.url}): {result}"
    csp = page.evaluate("window.__csp || []")
    assert csp == [], f"CSP violations on {where}: {csp}"
    assert watch.errors == [], f"console errors up to {where}: {watch.errors}"
