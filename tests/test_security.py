"""Untrusted pull requests (issue #11): every kind of path from a manuscript to a file, a request or a script."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from pipeline import build, open_project
from pipeline.cli import cli
from pipeline.errors import MakeBookError

from . import security
from .conftest import write
from .security import CANARY_TEXT, Canary, outputs_text

BIB = "@book{eco1985lector,\n  author = {Eco, Umberto},\n  title = {Lector in fabula},\n  year = {1985}\n}\n"
ESSAY = "---\ntitle: {title}\nlang: en\n---\n\nText citing [@eco1985lector].\n"


@pytest.fixture
def outside(tmp_path):
    """A folder outside the project holding canary files; every open of them is recorded."""
    folder = tmp_path / "outside"
    folder.mkdir()
    files = {
        "secret.md": f"---\ntitle: Outside\nlang: en\n---\n\n{CANARY_TEXT}\n",
        "secret.bib": f"@book{{outside2020,\n  title = {{{CANARY_TEXT}}},\n  year = {{2020}}\n}}\n",
        "secret.css": f'body::before {{ content: "{CANARY_TEXT}"; }}\n',
        "secret.ttf": CANARY_TEXT,
        "secret.csl": CANARY_TEXT,
        "secret.txt": CANARY_TEXT,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        security.watch(folder / name)
    yield folder
    security.unwatch_all()


def assert_nothing_leaked(root: Path, outside: Path, *messages: str) -> None:
    assert security.opened == [], security.opened
    dist = root / "dist"
    if dist.exists():
        assert CANARY_TEXT not in outputs_text(dist)
    for message in messages:
        assert CANARY_TEXT not in message


# -- kind 1: every file read comes from inside the project, judged by its real path


@pytest.mark.parametrize("place", ["manuscript", "bib", "book.css", "font", "styles folder", "bib folder"])
def test_symlinks_out_of_the_project_are_refused_with_their_name(project, outside, place):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    link, target = {
        "manuscript": (root / "manuscripts" / "outside.md", outside / "secret.md"),
        "bib": (root / "bibliography" / "outside.bib", outside / "secret.bib"),
        "book.css": (root / "styles" / "epub.css", outside / "secret.css"),
        "font": (root / "styles" / "fonts" / "CharisSIL-Regular.ttf", outside / "secret.ttf"),
        "styles folder": (root / "styles", outside),
        "bib folder": (root / "bibliography", outside),
    }[place]
    if place == "bib folder":
        import shutil

        shutil.rmtree(link)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    try:  # a shared input (styles/) stops the whole build; a manuscript or .bib fails the manuscripts using it
        errors = [r.error for r in build(open_project(root), formats=("epub",)) if not r.ok]
    except MakeBookError as exc:
        errors = [exc]
    assert errors, "a link out of the project must be refused"
    for error in errors:
        assert isinstance(error, MakeBookError)
        assert "outside the project" in error.message
        assert link.name in str(error.format(root))
    assert_nothing_leaked(root, outside, *(str(e) for e in errors))


def test_a_symlink_inside_the_project_is_fine(project):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    (root / "shared").mkdir()
    (root / "bibliography" / "refs.bib").rename(root / "shared" / "refs.bib")
    (root / "bibliography" / "refs.bib").symlink_to(root / "shared" / "refs.bib")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error


# -- CSL styles: nothing read or fetched through a parent link


CSL = """<?xml version="1.0" encoding="utf-8"?>
{doctype}<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>dependent style</title><id>x</id>
    <link href="{href}" rel="{rel}"/>
    <updated>2026-11-27T00:00:00+00:00</updated></info>
</style>
"""


@pytest.mark.parametrize("rel,href,doctype", [
    ("independent-parent", "file://{outside}/secret.csl", ""),
    ("independent-parent", "{canary}/parent.csl", ""),
    ("template", "{canary}/template.csl", ""),
    ("independent-parent", "../../outside/secret.csl", ""),
    ("self", "{canary}/self.csl", '<!DOCTYPE style [<!ENTITY x SYSTEM "file://{outside}/secret.txt">]>\n'),
])
def test_csl_styles_that_load_another_file_are_refused_before_pandoc(project, outside, rel, href, doctype):
    with Canary() as canary:
        root = project({"essai.md": ESSAY.format(title="Essai").replace("lang: en", "lang: en\ncsl: bad.csl")},
                       bib={"refs.bib": BIB})
        fill = {"outside": outside, "canary": canary.url}
        write(root / "styles" / "bad.csl", CSL.format(rel=rel, href=href.format(**fill),
                                                      doctype=doctype.format(**fill)))
        result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"])
        assert result.exit_code == 1
        assert "bad.csl" in result.output and "csl" in result.output.lower()
        assert "Traceback" not in result.output
        assert canary.requests == []
    assert_nothing_leaked(root, outside, result.output)
    assert "essai.md:4" in result.output  # the line of 'csl:' in the front matter


# -- kind 3: lang is a BCP 47 tag, the shelf is a tree


@pytest.mark.parametrize("lang", ['en."><script>alert(1)</script><x y="', "en US", "fr_FR", "en-", "'", "e",
                                  "en\u202e", "fr-FR-x-" + "a" * 9])
def test_lang_must_be_a_bcp47_tag(project, lang):
    from pipeline.config import Invalid, _lang

    with pytest.raises(Invalid, match="BCP 47"):
        _lang(lang)


@pytest.mark.parametrize("lang", ["fr", "fr-FR", "en-GB", "de-CH-1996", "zh-Hant-TW", "en-US-x-house"])
def test_well_formed_tags_pass(lang):
    from pipeline.config import _lang

    assert _lang(lang) == lang


def test_a_bad_lang_in_make_book_toml_is_refused_with_its_line(project):
    root = project({"essai.md": ESSAY.format(title="Essai")}, config='lang = "en\\"><script>x</script>"\n')
    with pytest.raises(MakeBookError) as info:
        open_project(root)
    assert info.value.line == 1 and "BCP 47" in info.value.message


def test_the_shelf_escapes_everything_even_from_a_forged_cache(project):
    root = project({"essai.md": ESSAY.format(title="x <script>alert(1)</script> &amp; y")}, bib={"refs.bib": BIB})
    result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"])
    assert result.exit_code == 0, result.output
    import json

    cache_file = root / "dist" / ".make-book-cache.json"
    cache = json.loads(cache_file.read_text())
    entry = cache["essai"]
    entry["meta"]["lang"] = 'en"><script>alert(2)</script>'
    entry["meta"]["author"] = ["<img src=x onerror=alert(3)>"]
    entry["meta"]["subtitle"] = "</p><script>alert(4)</script>"
    entry["meta"]["date"] = "<b>"
    cache_file.write_text(json.dumps(cache))
    from pipeline.editions.shelf import write_shelf

    page = write_shelf(root / "dist")
    tree = etree.fromstring(page.read_bytes().split(b"\n", 1)[1])
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert tree.findall(".//h:script", ns) == [] and tree.findall(".//h:b", ns) == []
    assert [img.get("src") for img in tree.iterfind(".//h:img", ns)] in ([], ["shelf/covers/essai.png"])
    assert all(not name.startswith("on") for e in tree.iter() for name in e.attrib)
    assert tree.get("lang") == "en" and tree.find(".//h:h2", ns).get("lang") == "en"
    assert "<script>alert(1)</script> &amp; y" in tree.find(".//h:h2", ns).text


def test_a_foreign_index_html_is_kept(project):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    write(root / "dist" / "index.html", "<h1>the user's own page</h1>\n")
    result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"])
    assert result.exit_code == 1 and "index.html" in result.output and "not written by make-book" in result.output
    assert (root / "dist" / "index.html").read_text() == "<h1>the user's own page</h1>\n"
    assert (root / "dist" / "essai.epub").is_file()
