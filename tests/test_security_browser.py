"""Issue #11 in a real browser: the shelf page and an EPUB chapter, opened in headless Chromium, run no
script and fetch nothing, however hostile the manuscript."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

from .conftest import write
from .security import Canary

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--allow-file-access-from-files",
         "--virtual-time-budget=4000"]


def open_in_chromium(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after Chromium has loaded it and run whatever it would run."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed for this test: apt-get install chromium"
    proc = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=180)
    return proc.stdout


def hostile(base: str) -> str:
    attack = f'<script>fetch("{base}/script")</script>'
    import yaml

    front = {"title": f'T {attack} <img src="{base}/title.png" onerror="fetch(1)">', "subtitle": f"</p>{attack}",
             "author": [f"<svg onload=\"fetch('{base}/author')\">"], "lang": "en"}
    return "---\n" + yaml.safe_dump(front, allow_unicode=True) + f"""---

## Chapter {attack}

Text {attack} <img src="{base}/img.png" onerror="fetch('{base}/onerror')"> <a href="javascript:fetch('{base}/js')">a</a>

<svg onload="fetch('{base}/svg')"><script>fetch('{base}/svgscript')</script></svg>

<iframe src="{base}/iframe"></iframe><object data="{base}/object"></object><embed src="{base}/embed">

<meta http-equiv="refresh" content="0;url={base}/refresh"><link rel="prefetch" href="{base}/prefetch">

<p style="background: u\\72l({base}/css)">styled</p><base href="{base}/base/">

<form action="{base}/form"><input type="image" src="{base}/input"></form>

<details open ontoggle="fetch('{base}/toggle')"><summary>s</summary>d</details>

<section id='x"><script>fetch("{base}/id")</script>'><h3>Sub</h3><p>Body.</p></section>
"""


def test_the_shelf_and_an_epub_chapter_run_no_script_and_fetch_nothing(project, tmp_path):
    with Canary() as canary:
        root = project({"hostile.md": hostile(canary.url)})
        result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"])
        assert result.exit_code == 0, result.output
        chapters = tmp_path / "chapters"
        with zipfile.ZipFile(root / "dist" / "hostile.epub") as archive:
            archive.extractall(chapters)
        pages = [root / "dist" / "index.html", *sorted((chapters / "EPUB").glob("*.xhtml"))]
        assert len(pages) >= 4  # shelf, cover, title page, chapter(s), navigation
        for index, page in enumerate(pages):
            dom = open_in_chromium(page, tmp_path / f"profile{index}")
            assert "<html" in dom, page  # Chromium did load it
            assert "<script" not in dom.lower(), page
        assert canary.requests == []

        # The same browser and flags do run a script and fetch: the check above can fail.
        control = write(tmp_path / "control.html", f'<p>x</p><script>fetch("{canary.url}/control")</script>\n')
        open_in_chromium(control, tmp_path / "profile-control")
        assert canary.requests == ["/control"]
