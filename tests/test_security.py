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
    assert "set another 'output' folder in make-book.toml" in result.output


def test_a_foreign_index_html_hint_names_the_out_option_when_it_chose_the_folder(project):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    write(root / "elsewhere" / "index.html", "<h1>the user's own page</h1>\n")
    for args in (["--format", "epub", "--out", str(root / "elsewhere")], ["shelf", "--out", str(root / "elsewhere")]):
        result = CliRunner().invoke(cli, ["--root", str(root), *args] if args[0] != "shelf"
                                    else ["shelf", "--root", str(root), *args[1:]])
        assert result.exit_code == 1 and "not written by make-book" in result.output, result.output
        assert "--out" in result.output and "make-book.toml" not in result.output, result.output


# -- kind 2: nothing from the network, in either edition


def network_vectors(base: str) -> str:
    """Raw HTML that, left alone, makes a PDF renderer or an e-book reader load ``base``."""
    return f"""
<base href="{base}/base/">

<p style="background: u\\72l({base}/escape.png)">escaped url</p>

<p style='background-image: image-set("{base}/set.png" 1x)'>image-set</p>

<p style="background: \\75rl({base}/escape2.png)">escape at the start</p>

<picture><source srcset="{base}/source.png"><img src="{base}/picture.png" alt="in a picture"></picture>

<img src="figure.png" srcset="{base}/srcset.png 2x" alt="srcset">

<a href="#top" ping="{base}/ping">ping</a> <a rel="attachment" href="{base}/attachment.pdf">attachment</a>

<audio src="{base}/a.mp3"></audio><video><track src="{base}/t.vtt"></video>

<svg><image href="{base}/svg.png"/></svg>

<img src="drawing.svg" alt="an SVG that loads">

<div style="behavior: url(x.htc); -moz-binding: url({base}/b.xml)">binding</div>

<math><mi href="{base}/math">x</mi></math>

<noscript><img src="{base}/noscript.png"></noscript><template><img src="{base}/template.png"></template>

<object data="{base}/o.swf"></object><embed src="{base}/e.swf"><iframe srcdoc="<img src={base}/srcdoc.png>"></iframe>

<p background="{base}/bg.png" id='x"><script>fetch("{base}/id")</script>'>attributes</p>
"""


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001649444154789c633c2127c7"
                    "c0c0c0c4c0c0c0c0c000000d0401087d71ca660000000049454e44ae426082")  # 2 × 2 pixels, red


def test_no_edition_fetches_anything(project, outside):
    with Canary() as canary:
        text = "---\ntitle: Hostile\nlang: en\n---\n\nText [@eco1985lector].\n" + network_vectors(canary.url)
        root = project({"hostile.md": text}, bib={"refs.bib": BIB})
        (root / "manuscripts" / "figure.png").write_bytes(PNG)
        write(root / "manuscripts" / "drawing.svg",
              f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" '
              f'height="10"><image xlink:href="{canary.url}/inside-svg.png" width="10" height="10"/></svg>\n')
        [result] = build(open_project(root))
        assert result.ok, result.error
        assert canary.requests == []
    pages = outputs_text(root / "dist", published_only=True)
    for leftover in ("/escape", "/set.png", "/source.png", "/srcset.png", "/ping", "attachment\"", "/a.mp3",
                     "/t.vtt", "/svg.png", "/b.xml", "/noscript.png", "/template.png", "/o.swf", "/e.swf",
                     "/srcdoc.png", "/bg.png", "<script", "/base/", "/inside-svg.png", "/math"):
        assert leftover not in pages, leftover
    warnings = "\n".join(result.warnings)
    assert "drawing.svg" in warnings and "escape.png" in warnings
    from .conftest import run_epubcheck

    assert run_epubcheck(root / "dist" / "hostile.epub") == []
    assert_nothing_leaked(root, outside)


@pytest.mark.parametrize("css", [
    'body {{ background: u\\72l("{base}/x.png"); }}',
    '@import "{base}/x.css";',
    '@font-face {{ font-family: X; src: url({base}/x.ttf); }}',
    'p {{ background-image: image-set("{base}/x.png" 1x); }}',
    'p {{ background: url("../../outside/secret.txt"); }}',
    'p {{ background: url("/etc/passwd"); }}',
])
def test_an_epub_stylesheet_that_loads_anything_from_outside_is_refused(project, css):
    with Canary() as canary:
        root = project({"a.md": ESSAY.format(title="A")}, bib={"refs.bib": BIB})
        write(root / "styles" / "epub.css", css.format(base=canary.url) + "\n")
        [result] = build(open_project(root), formats=("epub",))
        assert not result.ok and "epub.css" in result.error.message
        assert canary.requests == []


def test_css_references_reads_escapes_and_every_loading_function():
    from pipeline.sanitize import css_references

    assert css_references("color: red; font: 12px serif") == []
    assert css_references("background: u\\72l(http://x/a)") == ["http://x/a"]
    assert css_references("background: \\75\\72\\6c(http://x/b)") == ["http://x/b"]
    assert css_references('background: image-set("a.png" 1x, "b.png" 2x)') == ["a.png", "b.png"]
    assert css_references('@import "x.css"; @import url(y.css);') == ["x.css", "y.css"]
    assert css_references("behavior: url(a.htc)") == ["<binding>", "a.htc"]
    assert css_references("width: expression(alert(1))") == ["expression()"]


# -- kind 3: nav and ids


HOSTILE_IDS = ['x">a</a><script>fetch("{base}/nav")</script><a href="#x', 'x" onclick="alert(document.domain)" data-x="',
               "a&lt;b", "a b", "#x", "é\u202eevil"]  # control characters: refused for the whole file, see below


def test_hostile_ids_never_reach_the_navigation(project):
    with Canary() as canary:
        sections = "".join(f"<section id='{identifier.format(base=canary.url)}'>\n<h3>Sub {n}</h3>\n<p>Body.</p>\n"
                           "</section>\n\n" for n, identifier in enumerate(HOSTILE_IDS))
        text = f"---\ntitle: Nav\nlang: en\n---\n\n## Chapter one\n\nText.\n\n{sections}"
        root = project({"essai.md": text}, bib={"refs.bib": BIB})
        [result] = build(open_project(root), formats=("epub",))
        assert result.ok, result.error
        assert sum("id" in w and "removed" in w for w in result.warnings) == len(HOSTILE_IDS)
        from .conftest import epub_xml, run_epubcheck

        nav = epub_xml(root / "dist" / "essai.epub", "EPUB/nav.xhtml")
        assert nav.xpath("//*[local-name()='script']") == []
        assert all(not name.startswith("on") for e in nav.iter() for name in e.attrib)
        assert run_epubcheck(root / "dist" / "essai.epub") == []
        assert canary.requests == []


def test_the_navigation_is_a_tree_whatever_the_titles():
    from pipeline.editions.epub import Page, nav_page
    from lxml.html import builder as E

    title = '</a><script>alert(1)</script>"&'
    page = Page("ch01.xhtml", title, E.SECTION(), toc=[(title, "a&b:c", [(title, "d/e?f", [])])])
    tree = etree.fromstring(nav_page("Book", [page], "en"))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    links = tree.findall(".//x:nav[@id='toc']//x:a", ns)
    assert [a.text for a in links] == [title] * 3
    assert [a.get("href") for a in links] == ["ch01.xhtml", "ch01.xhtml#a&b:c", "ch01.xhtml#d/e?f"]
    assert tree.findall(".//x:script", ns) == []


# -- kind 4: dist/ is untrusted


def test_a_forged_cache_is_ignored_with_a_warning_and_never_read_outside(project, outside, caplog):
    import json

    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    dist = root / "dist"
    dist.mkdir()
    forged = {"essai": {"key": "x", "outputs": {"epub": {"file": "../../outside/secret.txt", "sha256": "0" * 64,
                                                          "size": len(CANARY_TEXT), "pages": None}},
                        "meta": {"title": "Forged", "lang": "en"}}}
    (dist / ".make-book-cache.json").write_text(json.dumps(forged))
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok and not result.up_to_date
    assert "build cache is not valid" in caplog.text
    assert_nothing_leaked(root, outside)


def test_links_planted_in_dist_are_never_followed(project, outside):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    dist = root / "dist"
    dist.mkdir()
    victim = outside / "victim"
    victim.mkdir()
    (dist / ".make-book.lock").symlink_to(victim / "lock")
    (dist / ".make-book-cache.json.part").symlink_to(victim / "cache")
    (dist / ".index.html.part").symlink_to(victim / "index")
    (dist / "essai.epub").symlink_to(outside / "secret.txt")
    (dist / "shelf").symlink_to(victim)
    result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"])
    assert result.exit_code == 0, result.output
    assert list(victim.iterdir()) == []
    assert not (dist / "essai.epub").is_symlink() and (dist / "essai.epub").stat().st_size > 1000
    assert_nothing_leaked(root, outside)
    assert (outside / "secret.txt").read_text() == CANARY_TEXT  # not overwritten through the link


# -- kind 5: one bad manuscript never stops the others


BAD_MANUSCRIPTS = {
    "date.md": ("---\ntitle: D\nlang: en\ndate: 2024-02-30\n---\n\nText.\n", 4, "2024-02-30"),
    "year0.md": ("---\ntitle: Y\nlang: en\ndate: 0000-01-01\n---\n\nText.\n", 4, "0000-01-01"),
    "deep.md": ("---\ntitle: N\ntags: " + "[" * 3000 + "]" * 3000 + "\n---\n\nText.\n", None, "nested too deeply"),
    "cover.md": ("---\ntitle: C\nlang: en\ncover: manuscripts/bomb.png\n---\n\nText.\n", 4, "pixels"),
    "fake.md": ("---\ntitle: F\nlang: en\ncover: manuscripts/fake.png\n---\n\nText.\n", 4, "not a readable"),
    "jpeg.md": ("---\ntitle: J\nlang: en\ncover: manuscripts/named.jpg\n---\n\nText.\n", 4, "holds a PNG image"),
}


def test_each_bad_manuscript_fails_alone_with_its_file_and_line(project):
    from PIL import Image

    manuscripts = {name: text for name, (text, _, _) in BAD_MANUSCRIPTS.items()}
    manuscripts["good.md"] = ESSAY.format(title="Good")
    root = project(manuscripts, bib={"refs.bib": BIB})
    Image.new("1", (20000, 20000)).save(root / "manuscripts" / "bomb.png")  # 400 Mpx in a few KB
    (root / "manuscripts" / "fake.png").write_text("not an image")
    (root / "manuscripts" / "named.jpg").write_bytes(PNG)
    result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub", "-j", "1"])
    assert result.exit_code == 1
    assert "internal error" not in result.output and "Traceback" not in result.output
    for name, (_, line, words) in BAD_MANUSCRIPTS.items():
        where = f"manuscripts/{name}:{line}:" if line else f"manuscripts/{name}:"
        assert any(l.startswith("error: ") and where in l and words in l for l in result.output.splitlines()), name
    assert (root / "dist" / "good.epub").is_file() and (root / "dist" / "index.html").is_file()
    assert "1 built" in result.output and f"{len(BAD_MANUSCRIPTS)} failed" in result.output


def test_an_unexpected_exception_fails_its_manuscript_only(project, monkeypatch):
    from pipeline.editions import epub

    original = epub.write_epub

    def broken(rendered, *args, **kwargs):
        if rendered.document.manuscript.path.name == "a.md":
            raise ZeroDivisionError("simulated bug")
        return original(rendered, *args, **kwargs)

    monkeypatch.setattr(epub, "write_epub", broken)
    root = project({"a.md": ESSAY.format(title="A"), "b.md": ESSAY.format(title="B")}, bib={"refs.bib": BIB})
    results = {r.manuscript.name: r for r in build(open_project(root), formats=("epub",), jobs=1)}
    assert not results["a.md"].ok and results["a.md"].error.path.name == "a.md"
    assert "ZeroDivisionError" in results["a.md"].error.message
    assert results["b.md"].ok


def test_refs_and_check_go_on_past_a_bad_manuscript(project):
    root = project({"deep.md": BAD_MANUSCRIPTS["deep.md"][0], "good.md": ESSAY.format(title="Good")},
                   bib={"refs.bib": BIB})
    refs = CliRunner().invoke(cli, ["refs", "--root", str(root)])
    assert refs.exit_code == 1 and "nested too deeply" in refs.output and "good.md" in refs.output
    assert "@eco1985lector" in refs.output  # good.md's report is there
    check = CliRunner().invoke(cli, ["check", "--root", str(root)])
    assert "internal error" not in check.output and "deep.md" in check.output
    assert "cited by no manuscript" not in check.output  # good.md's citation was counted


# -- kind 6: names


def test_manuscripts_whose_slugs_collide_are_both_refused_and_nothing_is_overwritten(project):
    root = project({"Été.md": ESSAY.format(title="Accented")}, bib={"refs.bib": BIB})
    first = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"])
    assert first.exit_code == 0, first.output
    published = (root / "dist" / "ete.epub").read_bytes()
    write(root / "manuscripts" / "ete.md", ESSAY.format(title="Replacement"))
    second = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub", "--force"])
    assert second.exit_code == 1
    errors = [line for line in second.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and all("'Été.md'" in e and "'ete.md'" in e for e in errors)
    assert (root / "dist" / "ete.epub").read_bytes() == published
    assert "Accented" in (root / "dist" / "index.html").read_text()


@pytest.mark.parametrize("name", ["bad\nname.md", "evil\u202egpj.md", "bell\u0007.md", "zero\u200bwidth.md"])
def test_file_names_with_control_characters_are_refused(project, name):
    root = project({"good.md": ESSAY.format(title="Good")}, bib={"refs.bib": BIB})
    write(root / "manuscripts" / name, ESSAY.format(title="Odd"))
    result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"])
    assert result.exit_code == 1 and "control or formatting character" in result.output
    assert "1 built" in result.output and (root / "dist" / "good.epub").is_file()
    for line in result.output.splitlines():  # the name is shown escaped: it forges no line
        assert not line.startswith(("name.md", "::"))


def test_no_output_line_can_be_a_ci_command_or_close_a_code_block():
    import io

    from pipeline.safe_output import LineGuard, neutralise

    stream = io.StringIO()
    guard = LineGuard(stream)
    for piece in ["ok\n", ":", ":error file=x::owned\n", "  ```\n", "~~~ x\nfine\n", "a\r::set-output\n", "``", "`\n"]:
        guard.write(piece)
    guard.close()
    lines = stream.getvalue().split("\n")
    assert not any(line.lstrip().startswith(("::", "```", "~~~")) for line in lines), lines
    assert "ok" in lines and "fine" in lines and "> ::error file=x::owned" in lines
    assert neutralise("x\n::stop-commands::t") == "x\n> ::stop-commands::t"


def test_the_cli_guards_its_streams(project, monkeypatch):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    from pipeline import builder

    def forged(*args, **kwargs):
        raise MakeBookError("nothing\n::error file=a::forged\n```\nafter the fence")

    monkeypatch.setattr(builder, "build", forged)
    result = CliRunner().invoke(cli, ["--root", str(root)])
    assert result.exit_code == 1
    assert not any(line.lstrip().startswith(("::", "```")) for line in result.output.splitlines()), result.output


# -- kind 7: the output folder


@pytest.mark.parametrize("out", [".", "manuscripts", "bibliography", "styles", "..", "manuscripts/dist"])
def test_an_output_folder_that_would_hold_inputs_is_refused(project, out):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    (root / "styles").mkdir()
    before = sorted(p.relative_to(root.parent) for p in root.parent.rglob("*"))
    result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub", "--out", str(root / out)])
    assert result.exit_code == 1 and "output folder" in result.output
    assert sorted(p.relative_to(root.parent) for p in root.parent.rglob("*")) == before


def test_only_make_book_temporary_files_are_removed(project):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    out = root.parent / "site"
    out.mkdir()
    for name in (".movie.mkv.part", ".notes.part", ".essai.pdf.part"):
        (out / name).write_text("the user's")
    (out / ".essai.epub.k2j4_x.part").write_text("left by a killed build")
    result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub", "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {".movie.mkv.part", ".notes.part", ".essai.pdf.part"} <= names
    assert ".essai.epub.k2j4_x.part" not in names


def test_a_make_book_toml_linked_from_outside_is_not_read(project, outside):
    root = project({"essai.md": ESSAY.format(title="Essai")}, bib={"refs.bib": BIB})
    (root / "make-book.toml").symlink_to(outside / "secret.txt")
    with pytest.raises(MakeBookError) as info:
        open_project(root)
    assert "outside the project" in info.value.message
    assert_nothing_leaked(root, outside, str(info.value))


def test_a_control_character_in_the_text_is_refused_with_its_line(project):
    root = project({"essai.md": ESSAY.format(title="Essai") + "\nA bell \x07 here.\n"}, bib={"refs.bib": BIB})
    [result] = build(open_project(root), formats=("epub",))
    assert not result.ok and "U+0007" in result.error.message and result.error.line == 8
