"""Untrusted manuscripts: nothing read outside the project, nothing fetched, nothing injected."""

from __future__ import annotations

import http.server
import threading
import zipfile

import pytest

from pipeline import build, open_project

from .conftest import run_epubcheck, write

GOOD_BIB = "@book{eco1985lector,\n  author = {Eco, Umberto},\n  title = {Lector in fabula},\n  year = {1985}\n}\n"


@pytest.fixture
def canary():
    """A server on loopback that records every request; a build must send it none."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


def hostile_manuscript(base: str) -> str:
    return f"""---
title: Hostile
lang: en
---

An image ![remote]({base}/md.png) and raw HTML:

<img src="{base}/raw.png" alt="raw image"> <img srcset="{base}/set.png 2x" src="{base}/s.png" alt="set">

<script>document.write("x")</script><script src="{base}/s.js"></script>

<iframe src="{base}/frame"></iframe><form action="{base}/f"><input name="q"></form>

<p onclick="alert(1)" style="background: url({base}/bg.png)">Click <a href="javascript:alert(2)">me</a>.</p>

<link rel="stylesheet" href="{base}/x.css"><video src="{base}/v.mp4" poster="{base}/p.png"></video>

<object data="{base}/o.swf"></object><svg><image href="{base}/svg.png"/></svg>

A [normal link]({base}/page) stays a link.
"""


def test_no_request_reaches_the_network_and_nothing_is_injected(project, canary):
    base, requests = canary
    root = project({"hostile.md": hostile_manuscript(base)}, bib={"refs.bib": GOOD_BIB})
    write(root / "styles" / "book.css", f"""
        @import url("{base}/import.css");
        @font-face {{ font-family: Remote; src: url("{base}/font.ttf"); }}
        body {{ font-family: Remote, serif; background: url("{base}/page.png"); }}
    """)
    [result] = build(open_project(root))
    assert result.ok, result.error
    assert requests == []
    warnings = "\n".join(result.warnings)
    assert "md.png" in warnings and "raw.png" in warnings and "was not fetched" in warnings
    epub = root / "dist" / "hostile.epub"
    with zipfile.ZipFile(epub) as archive:
        pages = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml"))
    for forbidden in ("<script", "<iframe", "<form", "<input", "<object", "<video", "<svg", "<link rel=\"stylesheet\" href=\"http",
                      "onclick", "javascript:", "url(", "srcset", f'src="{base}'):
        assert forbidden not in pages, forbidden
    assert f'href="{base}/page"' in pages
    assert run_epubcheck(epub) == []


def test_remote_resources_can_be_made_errors(project, canary):
    base, requests = canary
    root = project({"a.md": "---\ntitle: A\nlang: en\n---\n\nText.\n"}, bib={"refs.bib": GOOD_BIB},
                   config='remote_resources = "error"\n')
    write(root / "styles" / "book.css", f'body {{ background: url("{base}/page.png"); }}\n')
    [result] = build(open_project(root), formats=("pdf",))
    assert not result.ok and result.error.hint and "remote_resources" in result.error.hint
    assert "on the network" in result.error.message
    assert requests == []


def test_stylesheet_cannot_read_files_outside_the_project(project):
    root = project({"a.md": "---\ntitle: A\nlang: en\n---\n\nText.\n"}, bib={"refs.bib": GOOD_BIB})
    write(root / "styles" / "book.css", 'body { background: url("file:///etc/hostname"); }\n'
                                        'p { background: url("../../../../../../../etc/passwd"); }\n')
    [result] = build(open_project(root), formats=("pdf",))
    assert not result.ok
    assert "outside the project folder" in result.error.message


def test_symlink_pointing_outside_is_refused(project, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    root = project({"a.md": "---\ntitle: A\nlang: en\n---\n\n![A figure](figure.png)\n"}, bib={"refs.bib": GOOD_BIB})
    (root / "manuscripts" / "figure.png").symlink_to(secret)
    [result] = build(open_project(root))
    assert not result.ok
    assert "outside the project" in result.error.message and result.error.line == 6


def test_epub_stylesheet_loading_from_the_network_is_refused(project):
    root = project({"a.md": "---\ntitle: A\nlang: en\n---\n\nText.\n"}, bib={"refs.bib": GOOD_BIB})
    write(root / "styles" / "epub.css", '@import url("https://fonts.example.org/f.css");\n')
    [result] = build(open_project(root), formats=("epub",))
    assert not result.ok and "loads something from the network" in result.error.message


def test_a_failure_inside_one_manuscript_spares_the_others(project, monkeypatch):
    from pipeline.editions import pdf
    from pipeline.errors import RenderError

    root = project({"a.md": "---\ntitle: A\nlang: en\n---\n\nText.\n", "b.md": "---\ntitle: B\nlang: en\n---\n\nText.\n"},
                   bib={"refs.bib": GOOD_BIB})
    original = pdf.write_pdf

    def failing(rendered, *args, **kwargs):
        if rendered.document.manuscript.path.name == "a.md":
            raise RenderError("WeasyPrint could not lay out the PDF: simulated", path=rendered.document.manuscript.path)
        return original(rendered, *args, **kwargs)

    monkeypatch.setattr(pdf, "write_pdf", failing)
    results = {r.manuscript.name: r for r in build(open_project(root))}
    assert not results["a.md"].ok and "a.md" in str(results["a.md"].error)
    assert results["b.md"].ok and (root / "dist" / "b.pdf").exists()
