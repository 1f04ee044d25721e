"""Raw HTML as blogs write it becomes valid EPUB 3 XHTML, with a warning naming the line of each change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline import build, open_project
from pipeline.config import Settings
from pipeline.document import Document
from pipeline.editions.xhtml import heading_text, make_valid
from pipeline.sources.manuscript import Manuscript

from .conftest import DATA, NS, epub_xml, run_epubcheck

FIGURE = DATA / "figure.png"  # images reach this stage as absolute paths of project files
from .epub_lint import lint_epub


def fix(fragment: str, *, base_url: str | None = None) -> tuple[lxml_html.HtmlElement, list[str]]:
    """``fragment`` made valid, and the warnings; the manuscript is the fragment itself, from line 1."""
    manuscript = Manuscript(path=Path("billet.md"), text=fragment, body=fragment, body_line=1)
    document = Document(manuscript=manuscript, settings=Settings(base_url=base_url), ast={"blocks": []},
                        bibliography=None)
    body = lxml_html.fragment_fromstring(fragment, create_parent="div")
    make_valid(body, document)
    return body, document.warnings


def markup(body) -> str:
    return "".join(lxml_html.tostring(child, encoding="unicode") for child in body)


def test_obsolete_attributes_become_classes_with_the_line():
    body, warnings = fix('<p>un</p>\n<p align="center">centré</p>\n<table border="1" cellpadding="3">'
                         '<tr><td valign="top" bgcolor="#eee">a</td></tr></table>')
    p = body[1]
    assert p.get("align") is None and p.get("class") == "align-center"
    table = body[2]
    assert table.get("class") == "bordered" and table.get("border") is None and table.get("cellpadding") is None
    cell = table.find(".//td")
    assert cell.get("class") == "valign-top" and cell.get("bgcolor") is None
    assert any(w.startswith("billet.md:2: EPUB: align=\"center\" on <p>") for w in warnings)
    assert any(w.startswith("billet.md:3:") and "cellpadding" in w for w in warnings)
    assert any(w.startswith("billet.md:3:") and "valign" in w for w in warnings)


def test_obsolete_elements_are_renamed():
    body, warnings = fix("<center>c</center>\n<p><font color=red size=+1>f</font> <tt>t</tt> <strike>s</strike> "
                         "<acronym title=x>A</acronym> <big>b</big> <blink>!</blink></p>")
    assert body[0].tag == "div" and body[0].get("class") == "align-center"
    p = body[1]
    assert [c.tag for c in p] == ["span", "code", "s", "abbr", "span", "span"]
    assert p[0].get("color") is None and p[0].get("class") == "larger"
    assert p[4].get("class") == "larger"
    assert {w.split("<")[1].split(">")[0] for w in warnings} == {"center", "font", "tt", "strike", "acronym", "big",
                                                                  "blink"}
    assert all(w.startswith(("billet.md:1:", "billet.md:2:")) for w in warnings)


def test_image_linked_to_its_full_size_file_is_the_image_alone():
    body, warnings = fix(f'<p>Avant</p>\n<p><a href="grande.jpg"><img src="{FIGURE}" alt="La scène"></a> '
                         'après</p>')
    p = body[1]
    assert p.find("a") is None and p[0].tag == "img" and p[0].tail == " après"
    assert warnings == ["billet.md:2: EPUB: the image is linked to the file 'grande.jpg', which the book does not "
                        "hold; the image is kept without its link"]


@pytest.mark.parametrize("href", ["docs/programme.pdf", "../notes.txt", "file:///home/me/x.pdf", "autre.html",
                                  "/highlights/livre/"])
def test_link_to_a_local_file_is_text(href):
    body, warnings = fix(f'<p>Voir\n<a href="{href}" target="_blank">le document</a>.</p>')
    span = body[0][0]
    assert span.tag == "span" and span.text == "le document" and span.get("href") is None
    assert span.get("target") is None
    assert len(warnings) == 1 and warnings[0].startswith("billet.md:2: EPUB: link")


def test_root_relative_link_uses_the_blog_address_when_known():
    body, warnings = fix('<p><a href="/highlights/livre/">le livre</a></p>', base_url="https://blog.example.org/")
    assert body[0][0].get("href") == "https://blog.example.org/highlights/livre/" and warnings == []


def test_remote_and_internal_links_stay():
    body, warnings = fix('<p><a href="https://example.org/a b">x</a> <a href="#note">y</a> '
                         '<a href="mailto:a@example.org">z</a></p>')
    assert [a.get("href") for a in body[0]] == ["https://example.org/a%20b", "#note", "mailto:a@example.org"]
    assert warnings == []


def test_empty_heading_dropped_and_image_heading_named():
    body, warnings = fix('<section class="level2"><h2></h2><p>texte</p></section>\n'
                         f'<h3><img src="{FIGURE}" alt="Le logo"></h3>')
    assert body[0].find("h2") is None and body[0].find("p").text == "texte"
    assert heading_text(body[1]) == "Le logo"
    assert any("billet.md:1: EPUB: empty heading dropped" in w for w in warnings)
    assert any("billet.md:2:" in w and "named it" not in w and "'Le logo'" in w for w in warnings)


def test_heading_levels_never_skip_one():
    # Blog posts often open their sections at ### under the title; a raw <h4> may follow an <h2>.
    body, warnings = fix("<h3>Début</h3>\n<p>a</p>\n<h2>Suite</h2>\n<p>b</p>\n<h4>Détail</h4>\n"
                         "<h3>Autre détail</h3>\n<h5>Fin</h5>")
    assert [h.tag for h in body.iter("h1", "h2", "h3", "h4", "h5", "h6")] == ["h2", "h2", "h3", "h3", "h4"]
    skipped = [w for w in warnings if "so that no level is skipped" in w]
    assert [w.split(":")[1] for w in skipped] == ["1", "5", "7"], warnings
    body, warnings = fix("<h2>Un</h2>\n<h3>Deux</h3>\n<h2>Trois</h2>")  # in order: left as written
    assert [h.tag for h in body.iter("h2", "h3")] == ["h2", "h3", "h2"] and not warnings


def test_names_only_where_screen_readers_read_them_and_ruby_with_its_annotation():
    body, warnings = fix('<p>un</p>\n<pre aria-label="étiquette" dir="rtl">code</pre>\n'
                         '<nav aria-label="sommaire"><p>x</p></nav> <span role="note" aria-label="n">t</span>\n'
                         '<p><ruby role="doc-tip x" color="red">kan<b>ji</b></ruby> et <ruby>漢<rt>kan</rt></ruby></p>')
    assert body[1].get("aria-label") is None and body[1].get("dir") == "rtl"  # axe: aria-prohibited-attr
    assert body[2].get("aria-label") == "sommaire" and body[3].get("aria-label") == "n"
    last = body[4]
    assert [r.text for r in last.iter("ruby")] == ["漢"] and "".join(last.itertext()) == "kanji et 漢kan"
    assert any(w.startswith("billet.md:2: EPUB: aria-label on a raw <pre>") for w in warnings)
    assert any(w.startswith("billet.md:4: EPUB: raw <ruby> without its annotation") for w in warnings)


def test_image_without_a_file_gives_way_to_its_description():
    body, warnings = fix('<p>Voir <img alt="la carte"> et <img src="/no/such/file.png"> ici.</p>')
    p = body[0]
    assert p.find("img") is None and p.find("span").text == "la carte"
    assert "".join(p.itertext()) == "Voir la carte et  ici."
    assert len(warnings) == 2 and all(w.startswith("billet.md:1: EPUB: image") for w in warnings)


def test_elements_out_of_place():
    body, warnings = fix("<figcaption>seule</figcaption>\n<p><span><div>bloc</div></span></p>\n"
                         "<li>perdu</li>\n<ul>texte<li>un</li><p>deux</p></ul>\n"
                         "<table>sale<tr><td>a</td>b<p>c</p></tr></table>")
    assert body[0].tag == "p" and body[0].get("class") == "caption"
    assert body[1].find(".//div") is None and body[1].find("span/span").text == "bloc"
    assert body[2].tag == "div"
    ul = body[3]
    assert [c.tag for c in ul] == ["li", "li", "li"] and ul.text is None
    assert [c.tag for c in ul[2]] == ["p"]
    table = body.find("table")
    assert table.text is None and [c.tag for c in table.find("tr")] == ["td", "td"]
    assert table.getprevious().tag == "div" and "sale" in table.getprevious().text_content()
    assert len(warnings) >= 5


def test_unknown_attributes_and_values():
    body, warnings = fix('<p lang="zz_bad!" dir="up" role="bogus note" aria-foo="1" data-x="1" onfoo="y" '
                         f'style="color: red">a</p>\n<img src="{FIGURE}" alt="a" width="50%" height="12" hspace="4">\n'
                         '<div id="x">1</div><div id="x">2</div>')
    p = body[0]
    assert dict(p.attrib) == {"role": "note", "data-x": "1", "style": "color: red"}
    img = body[1]
    assert img.get("width") is None and img.get("height") == "12" and "width: 50%" in img.get("style")
    assert img.get("hspace") is None
    assert [d.get("id") for d in body.findall("div")] == ["x", "x-2"]
    assert any("lang=\"zz_bad!\"" in w for w in warnings)
    assert any('id "x" is used more than once' in w and w.startswith("billet.md:3:") for w in warnings)


BLOG_POST = """---
title: Carnet de voyage
date: 2024-05-04
lang: fr
---

<p align="center"><font size="2">Photos prises en mai.</font></p>

<a href="photos/port-grand.jpg"><img src="port.png" alt="Le port au matin"></a>

<center><b>Le trajet</b></center>

Le carnet complet est <a href="files/carnet.pdf" target="_blank">ici</a>.

## <img src="port.png" alt="Au port">

<table border="1" cellspacing="0" width="100%"><tr><th align="left">Jour</th><th>Ville</th></tr>
<tr><td>1</td><td bgcolor="yellow">Sète</td></tr></table>

<figcaption>Le tableau des étapes</figcaption>

##

Un dernier mot.
"""


@pytest.fixture(scope="module")
def blog_post(tmp_path_factory):
    root = tmp_path_factory.mktemp("blog")
    (root / "manuscripts").mkdir()
    (root / "bibliography").mkdir()
    (root / "manuscripts" / "carnet.md").write_text(BLOG_POST, encoding="utf-8")
    shutil.copy(DATA / "figure.png", root / "manuscripts" / "port.png")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    return root / "dist" / "carnet.epub", result.warnings


def test_raw_html_blog_post_gives_a_valid_epub(blog_post):
    epub, warnings = blog_post
    assert run_epubcheck(epub) == []
    assert lint_epub(epub) == []
    expected = {7: "align=", 9: "photos/port-grand.jpg", 11: "<center>", 13: "files/carnet.pdf", 15: "Au port",
                17: "border=", 20: "<figcaption>", 22: "empty heading"}
    for line, words in expected.items():
        assert any(w.startswith(f"manuscripts/carnet.md:{line}: EPUB:") and words in w for w in warnings), (line, warnings)


def test_raw_html_blog_post_keeps_its_content(blog_post):
    epub, _ = blog_post
    opening = epub_xml(epub, "EPUB/ch00.xhtml")
    text = "".join(opening.itertext())
    assert "Photos prises en mai." in text and "Le carnet complet est ici." in text
    img = opening.find(".//x:img", NS)
    assert img.get("alt") == "Le port au matin" and img.getparent().tag != "{http://www.w3.org/1999/xhtml}a"
    nav = epub_xml(epub, "EPUB/nav.xhtml")
    titles = [a.text for a in nav.iterfind(".//x:nav[@id='toc']//x:a", NS)]
    assert "Au port" in titles and all(t and t.strip() for t in titles)


def test_each_attribute_warning_names_its_own_element_line():
    lines = ["<p>un</p>"] * 6 + ['<table border="1">', "<tr><td>case</td></tr>", "</table>", "<p>deux</p>",
                                 '<p><img src="photo.png" alt="Une photo" border="0"></p>',
                                 '<p><img src="photo.png" alt="Autre" border="2" width="50%"></p>']
    lines = [line.replace("photo.png", str(FIGURE)) for line in lines]
    body, warnings = fix("\n".join(lines))
    assert any(w.startswith("billet.md:7: EPUB: border=\"1\" on <table>") for w in warnings)
    borders = [w for w in warnings if "attribute border on <img>" in w]
    assert [w.split(":")[1] for w in borders] == ["11", "12"]
    assert any(w.startswith("billet.md:12:") and 'width="50%"' in w for w in warnings)


@pytest.mark.parametrize("fragment, valid", [
    ("<dl><dt>terme</dt><dd>sens</dd></dl>", True),
    ("<dl><dt>a</dt><dt>b</dt><dd>un</dd><dd>deux</dd><dt>c</dt><dd>trois</dd></dl>", True),
    ("<dl><div><dt>a</dt><dd>un</dd></div><div><dt>b</dt><dd>deux</dd></div></dl>", True),
    ("<dl>du texte seul</dl>", False),
    ("<dl><dd>un sens sans terme</dd></dl>", False),
    ("<dl><dt>un terme sans sens</dt></dl>", False),
    ("<dl><dd>sens</dd><dt>terme</dt></dl>", False),
    ('<dl hspace="4">"b &lt;c<summary size="7">cé« dà »</summary></dl>', False),  # found by the raw-HTML property
    ("<dl><div><dd>seul</dd></div></dl>", False),
])
def test_a_description_list_gives_each_description_its_term(fragment, valid):
    body, warnings = fix(fragment)
    text = lxml_html.fromstring(fragment).text_content().split()
    assert body.text_content().split() == text  # nothing lost
    if valid:
        assert body[0].tag == "dl" and not [w for w in warnings if "<dl>" in w]
    else:
        assert body.find(".//dl") is None and body.find(".//dt") is None and body.find(".//dd") is None
        assert body[0].tag == "div" and "dl" in body[0].get("class").split()
        assert any("raw <dl> does not give each description its term" in w and "billet.md:1" in w for w in warnings)
