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


def run_ace(epubs: list[Path]) -> dict[Path, dict]:
    """Ace's findings for each EPUB: ``{path: {"outcome", "violations": [...], "metadata"}}``.

    Each violation is ``{"file", "rule", "impact", "description", "html"}``; an EPUB
    Ace could not open has outcome ``"error"`` and an ``"error"`` message.
    """
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed for DAISY Ace: apt-get install chromium"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium, "ACE_TIMEOUT_INITIAL": "120000"}
    done = subprocess.run(["node", str(ACE_SCRIPT), str(ace_package()), *map(str, epubs)], capture_output=True,
                          text=True, env=env, timeout=120 + 90 * len(epubs))
    assert done.returncode == 0, done.stderr[-2000:]
    return {Path(name): result for name, result in json.loads(done.stdout).items()}
