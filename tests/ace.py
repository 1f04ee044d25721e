"""DAISY Ace, the EPUB accessibility checker, run from the test suite.

Ace is the npm package ``@daisy/ace`` (installed by ``.ci/run`` with Debian's
Chromium): ``tests/tools/ace_check.js`` checks several EPUBs with one browser,
since each Chromium start costs seconds on a small machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ACE_SCRIPT = Path(__file__).resolve().parent / "tools" / "ace_check.js"
INSTALL = ("PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install -g @daisy/ace "
           "(and apt-get install chromium nodejs npm)")


def ace_package() -> Path:
    """The installed ``@daisy/ace`` folder; AssertionError saying how to install it otherwise."""
    npm = shutil.which("npm")
    assert npm, f"npm is needed to run DAISY Ace: {INSTALL}"
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=True).stdout.strip()
    package = Path(root) / "@daisy" / "ace"
    assert (package / "package.json").is_file(), f"DAISY Ace is not installed: {INSTALL}"
    return package


CACHE = "ace-cache"  # a folder of the base temporary folder: Ace's report per book, by book_identity


def run_ace(epubs: list[Path], cache: Path | None = None) -> dict[Path, dict]:
    """Ace's findings for each EPUB: ``{path: {"outcome", "violations": [...], "metadata"}}``.

    Each violation is ``{"file", "rule", "impact", "description", "html"}``; an EPUB
    Ace could not open has outcome ``"error"`` and an ``"error"`` message. With
    ``cache`` (a folder), reports are kept there under the book's identity (see
    ``readers.book_identity``) and a book already checked in the session is not
    checked again (the session-end check reuses what a test's own Ace run found).
    """
    from .readers import book_identity

    if cache is None:
        return _run_ace(epubs)
    cache.mkdir(parents=True, exist_ok=True)
    identities = {epub: book_identity(epub) for epub in epubs}
    known = {epub: cache / f"{identity}.json" for epub, identity in identities.items()}
    results = {epub: json.loads(known[epub].read_text()) for epub in epubs if known[epub].is_file()}
    missing = [epub for epub in epubs if epub not in results]
    if missing:
        for epub, report in _run_ace(missing).items():
            results[epub] = report
            if report["outcome"] != "error":
                known[epub].write_text(json.dumps(report), encoding="utf-8")
    return results


def _run_ace(epubs: list[Path]) -> dict[Path, dict]:
    import tempfile

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed for DAISY Ace: apt-get install chromium"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium, "ACE_TIMEOUT_INITIAL": "120000"}
    with tempfile.TemporaryDirectory(prefix="ace-report-") as folder:
        report = Path(folder) / "report.json"
        done = subprocess.run(["node", str(ACE_SCRIPT), str(ace_package()), str(report), *map(str, epubs)],
                              capture_output=True, text=True, env=env, timeout=120 + 90 * len(epubs))
        assert done.returncode == 0 and report.is_file(), (done.stdout + done.stderr)[-2000:]
        return {Path(name): result for name, result in json.loads(report.read_text()).items()}
