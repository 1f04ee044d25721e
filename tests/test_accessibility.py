"""The EPUB as readers meet it: DAISY Ace finds nothing, on a corpus of real-shaped books.

The corpus is built once: the repository's samples, the test essay with every
element, an English essay, a book in a language make-book writes no summary for,
and raw HTML as blogs write it.
"""

from __future__ import annotations

import shutil

import pytest

from pipeline import build, open_project

from .ace import CACHE, run_ace
from .conftest import DATA, NS, SAMPLE_BIB, epub_xml, write
from .test_xhtml import BLOG_POST

ENGLISH = """---
title: Reading with Machines
author: Ann Example
lang: en-GB
---

An opening paragraph that cites a work [@eco1985lector, p. 3] and calls a note.[^1]

[^1]: The note, with [a link](https://example.org/a/very/long/address/that/goes/on/and/on/without/any/break).

## A section with a table

| Model | Year | Score |
|-------|-----:|------:|
| one   | 2019 |  71.2 |
| two   | 2021 |  80.4 |

: Scores by year.

Some addresses are long: <https://example.org/a/very/long/address/that/never/ends/in/any/way/at/all/and/goes/on>,
and so are some words: Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen, or
`a_very_long_identifier_name_that_has_no_break_in_it_at_all`. A call[^2] in a line of its own
paragraph, long enough to run over several lines on a phone, so that the spacing of the lines can be
compared with and without the call that sits in the second of them.

[^2]: A second note.

| Year | Model name | Parameters | Training data | Licence | Evaluation | Remarks |
|------|------------|-----------:|---------------|---------|------------|---------|
| 2019 | Transformerish-Extralarge-Variant | 1,500,000,000 | Webtextcorpusofverylongname | Apache-2.0 | Superbenchmarkaggregate | none |

![A figure drawn for the test](figure.png)

### A subsection

> A quotation long enough to run over two lines on a phone screen, and then some more words.
>
> A second paragraph of the same quotation.

Text after the quotation, citing @lecun2015deep.

#### A fourth-level heading

A paragraph under it.

##### A fifth-level heading

Another paragraph.
"""

DUTCH = """---
title: Lezen met machines
lang: nl
---

Een korte tekst in het Nederlands, met een voetnoot.[^1]

[^1]: De voetnoot.

## Een hoofdstuk

Nog een alinea.
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, samples):
    root = tmp_path_factory.mktemp("corpus")
    write(root / "manuscripts" / "english.md", ENGLISH)
    shutil.copy(DATA / "figure.png", root / "manuscripts")
    write(root / "manuscripts" / "dutch.md", DUTCH)
    write(root / "manuscripts" / "carnet.md", BLOG_POST)
    shutil.copy(DATA / "figure.png", root / "manuscripts" / "port.png")
    shutil.copy(DATA / "everything.md", root / "manuscripts")
    shutil.copy(DATA / "figure.png", root / "manuscripts")
    write(root / "bibliography" / "refs.bib", SAMPLE_BIB)
    results = build(open_project(root), formats=("epub",))
    assert all(r.ok for r in results), [str(r.error) for r in results]
    return sorted((root / "dist").glob("*.epub")) + sorted(samples.glob("*.epub"))


@pytest.fixture(scope="module")
def ace_reports(corpus, tmp_path_factory):
    return run_ace(corpus, cache=tmp_path_factory.getbasetemp() / CACHE)  # the session-end check reuses them


def test_ace_finds_no_violation(corpus, ace_reports):
    assert set(ace_reports) == set(corpus)
    problems = {path.name: report.get("error") or report["violations"]
                for path, report in ace_reports.items() if report["outcome"] != "pass" or report["violations"]}
    assert problems == {}


def test_ace_finds_the_accessibility_metadata_complete(ace_reports):
    for path, report in ace_reports.items():
        present = set(report["metadata"]["present"])
        assert {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
                "schema:accessibilitySummary", "schema:accessModeSufficient", "dcterms:conformsTo",
                "a11y:certifiedBy"} <= present, path.name
        assert report["metadata"]["empty"] == [], path.name


def package(epub):
    opf = epub_xml(epub, "EPUB/content.opf")
    return opf, {m.get("property"): m for m in opf.iterfind("opf:metadata/opf:meta[@property]", NS)}


def test_package_language_and_conformance(corpus):
    by_name = {path.stem: path for path in corpus}
    opf, meta = package(by_name["english"])
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    assert meta["dcterms:conformsTo"].text == "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    assert meta["a11y:certifiedBy"].text == "make-book"
    assert meta["schema:accessibilitySummary"].text.startswith("Text structured by headings")
    _, meta = package(by_name["everything"])
    assert meta["schema:accessibilitySummary"].text.startswith("Texte structuré par titres")
    assert "Chaque image a une description textuelle" in meta["schema:accessibilitySummary"].text
    opf, meta = package(by_name["dutch"])
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    summary = meta["schema:accessibilitySummary"]
    assert summary.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"  # no Dutch text: English, marked


def test_chapters_carry_their_role(corpus):
    by_name = {path.stem: path for path in corpus}
    for name in ("EPUB/ch00.xhtml", "EPUB/ch01.xhtml"):
        section = epub_xml(by_name["everything"], name).find(".//x:body/x:section", NS)
        assert section.get("role") == "doc-chapter"
        assert "chapter" in section.get("{http://www.idpf.org/2007/ops}type").split()


IMAGES = """---
title: Essai
lang: {lang}
---

Texte.

![](figure.png)

![Une légende qui décrit](figure.png)

![Une légende, sans alt](figure.png){{alt=""}}

Dans le texte ![](figure.png) une image.

<figure><img src="figure.png"><figcaption>Légende brute</figcaption></figure>

<img src="figure.png">

<img src="figure.png" alt="">

![Portrait par [Anne Exemple](https://example.org/anne)](figure.png)
"""


def build_one(project, text):
    root = project({"essai.md": text})
    shutil.copy(DATA / "figure.png", root / "manuscripts")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    return root / "dist" / "essai.epub", result.warnings


def test_an_image_without_description_gets_an_honest_alternative_and_no_conformance(project):
    epub, warnings = build_one(project, IMAGES.format(lang="fr"))
    chapter = epub_xml(epub, "EPUB/ch00.xhtml")
    alts = [img.get("alt") for img in chapter.iter("{http://www.w3.org/1999/xhtml}img")]
    # A figure's caption is its description (and is not read twice); the rest say honestly what they are.
    assert alts == ["Image sans description", "Une légende qui décrit", "Une légende, sans alt",
                    "Image sans description", "Légende brute", "Image sans description", "",
                    "Portrait par Anne Exemple"]
    captions = chapter.findall(".//x:figcaption", NS)
    # A caption holding a link stays readable: aria-hidden must never hide focusable content (Ace aria-hidden-focus).
    assert [c.get("aria-hidden") for c in captions] == ["true", "true", "true", None]
    undescribed = sorted(int(w.split(":")[1]) for w in warnings if "has no description (alt text)" in w)
    assert undescribed == [8, 14, 18]  # the two Markdown images and the raw <img>; not the captioned or decorative ones
    _, meta = package(epub)
    assert "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta
    assert meta["schema:accessModeSufficient"].text == "textual,visual"
    assert "alternativeText" not in [m.text for m in package(epub)[0].iterfind(
        "opf:metadata/opf:meta[@property='schema:accessibilityFeature']", NS)]


def test_the_alternative_is_marked_english_when_make_book_has_no_words_for_the_language(project):
    epub, _ = build_one(project, "---\ntitle: Uppsats\nlang: sv\n---\n\nText.\n\n![](figure.png)\n")
    [img] = epub_xml(epub, "EPUB/ch00.xhtml").iter("{http://www.w3.org/1999/xhtml}img")
    assert (img.get("alt"), img.get("lang")) == ("Image without description", "en")


def test_captions_and_decoration_count_as_described(project):
    text = IMAGES.format(lang="en").split("![](figure.png)")[0] + (
        "![A caption, no alt](figure.png){alt=\"\"}\n\n"
        "<figure><img src=\"figure.png\"><figcaption>Raw caption</figcaption></figure>\n\n"
        "<img src=\"figure.png\" alt=\"\">\n")
    epub, warnings = build_one(project, text)
    assert not [w for w in warnings if "description" in w]
    _, meta = package(epub)
    assert meta["dcterms:conformsTo"].text == "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    assert meta["schema:accessModeSufficient"].text == "textual"


# -- phone and tablet ------------------------------------------------------------------


@pytest.fixture(scope="module")
def layouts(corpus, tmp_path_factory):
    from .phone import measure_pages, unpack

    folder = tmp_path_factory.mktemp("layout")
    pages = []
    for epub in corpus:
        pages += unpack(epub, folder / f"{epub.parent.parent.name}-{epub.stem}")
    return measure_pages(pages, folder)


def failures(layouts, key):
    return {report["page"].split("/", 3)[-1]: report[key] for report in layouts if report.get(key)}


def test_layout_reports_every_page_at_both_sizes(corpus, layouts):
    assert not [r for r in layouts if "error" in r]
    assert {r["width"] for r in layouts} == {360, 768}
    assert len(layouts) >= 2 * 4 * len(corpus)


def test_no_element_is_wider_than_the_screen(layouts):
    assert failures(layouts, "overflow") == {}
    assert {r["page"].rsplit(" ", 1)[-1]: r["scrollWidth"] <= r["width"] for r in layouts} == {"360x640": True,
                                                                                               "768x1024": True}


def test_superscripts_keep_the_line_spacing(layouts):
    assert failures(layouts, "lineGaps") == {}


def test_notes_carry_their_number_and_a_way_back(layouts):
    assert failures(layouts, "notes") == {}


def test_tables_have_rules_spacing_and_captions_at_a_distance(layouts):
    assert failures(layouts, "tables") == {}
    assert failures(layouts, "captions") == {}


def test_headings_sit_closer_to_their_text(layouts):
    assert failures(layouts, "headings") == {}


def test_quotation_paragraphs_are_separated(layouts):
    assert failures(layouts, "quotes") == {}


def test_text_is_ragged_on_phones_and_justified_on_wider_screens(layouts):
    """Headless Chromium, like Chromium-based reading apps, has no hyphenation dictionary:
    justified phone lines would gape (2 to 4 times a space before; see styles/epub.css)."""
    aligned = {(r["page"].rsplit("/", 1)[-1], r["width"]): r["textAlign"] for r in layouts
               if r.get("textAlign") in ("start", "left", "justify")}
    assert {align for (_, width), align in aligned.items() if width == 360} == {"start"}
    assert {align for (_, width), align in aligned.items() if width == 768} == {"justify"}
    assert failures(layouts, "wordGaps") == {}
    assert max(r["widestSpace"] for r in layouts if r["width"] == 360) < 1.5


def test_hyphenation_declared_in_the_book_language(corpus, layouts):
    langs = {}
    for epub in corpus:
        langs[epub.stem] = epub_xml(epub, "EPUB/content.opf").findtext(".//dc:language", namespaces=NS)
    for report in layouts:
        if report["hyphens"] is not None:
            assert report["hyphens"] == "auto", report["page"]
        assert report["lang"] in langs.values(), report["page"]


BAD_PAGE = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en"><head><title>Bad</title>
<style>p {{ line-height: 1.4; text-align: justify; }} sup {{ font-size: 2em; }} h2 {{ margin: 0.2em 0 3em 0; }}
blockquote p {{ margin: 0; }} caption {{ padding: 0; }} td {{ padding: 0; border: 0; }}</style></head>
<body><h1>Title</h1><p>Text before.</p><h2>Heading far from its text</h2><p>{words} with a call<sup>1</sup>
{words}</p><pre style="white-space: pre">{wide}</pre><blockquote><p>One.</p><p>Two.</p></blockquote>
<table><caption>Caption</caption><tr><td>a</td><td>b</td></tr></table>
<p>A line that a long word leaves stretched: Pneumonoultramicroscopicsilicovolcanoconiosis.</p>
<aside class="footnote" id="fn1"><p>A note with neither number nor way back.</p></aside></body></html>
"""


def test_the_measurement_sees_what_is_wrong(tmp_path):
    """The same measurement on a page made badly on purpose finds each fault."""
    from .phone import measure_pages

    page = tmp_path / "bad.xhtml"
    page.write_text(BAD_PAGE.format(words="many words in a row " * 12, wide="x" * 200), encoding="utf-8")
    [phone] = measure_pages([page], tmp_path, sizes=[(360, 640)])
    assert any(o.startswith("pre") for o in phone["overflow"]) and phone["scrollWidth"] > 360
    assert phone["lineGaps"] and phone["notes"] and phone["tables"] and phone["captions"]
    assert phone["headings"] and phone["quotes"] and phone["wordGaps"]
