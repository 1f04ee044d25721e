"""EPUB pages laid out by headless Chromium at phone and tablet sizes, measured in the page.

One Chromium run measures every page at every size: a harness page holds one
iframe per (page, size), each iframe being the viewport, and
``tests/tools/measure.js`` reports what a reader would see wrong (see its comments).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from html import escape
from pathlib import Path

from lxml import html as lxml_html

MEASURE = Path(__file__).resolve().parent / "tools" / "measure.js"
PHONE = (360, 640)
TABLET = (768, 1024)


def unpack(epub: Path, folder: Path) -> list[Path]:
    """Extract ``epub`` into ``folder``; its text pages (the spine less the cover), in reading order."""
    from lxml import etree

    with zipfile.ZipFile(epub) as archive:
        archive.extractall(folder)
    opf_path = folder / "EPUB" / "content.opf"
    opf = etree.parse(str(opf_path))
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    items = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", ns)}
    spine = [items[ref.get("idref")] for ref in opf.iterfind(".//opf:itemref", ns)]
    return [opf_path.parent / href for href in spine if href != "cover.xhtml"]


def measure_pages(pages: list[Path], folder: Path, sizes=(PHONE, TABLET)) -> list[dict]:
    """One report per (page, size), as written by ``measure.js``; AssertionError if Chromium fails."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed for this test: apt-get install chromium"
    frames = "".join(
        f'<iframe data-page="{escape(str(page))} {w}x{h}" src="{escape(page.as_uri())}" '
        f'style="width:{w}px;height:{h}px;border:0;display:block"></iframe>'
        for page in pages for w, h in sizes)
    harness = folder / "harness.html"
    harness.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><script>{MEASURE.read_text()}</script>'
                       f'</head><body><pre id="report"></pre>{frames}</body></html>', encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
             "--virtual-time-budget=60000", "--window-size=800,600", f"--user-data-dir={folder / 'profile'}"]
    done = subprocess.run([chromium, *flags, "--dump-dom", harness.as_uri()], capture_output=True, text=True,
                          timeout=600)
    tree = lxml_html.fromstring(done.stdout or "<html/>")
    found = tree.xpath("//pre[@id='report']/text()")
    assert found, f"Chromium gave no report: {done.stderr[-1500:]}"
    return json.loads(found[0])


def screenshot(page: Path, target: Path, size=PHONE, folder: Path | None = None) -> Path:
    """A PNG of ``page`` at ``size``, for a person (or the closing note) to look at."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    profile = (folder or target.parent) / "profile-shot"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}", f"--screenshot={target}",
                    page.as_uri()], capture_output=True, timeout=120)
    return target
