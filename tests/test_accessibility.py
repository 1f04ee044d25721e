"""The EPUB as readers meet it: DAISY Ace finds nothing, on a corpus of real-shaped books.

The corpus is built once: the repository's samples, the test essay with every
element, an English essay, a book in a language make-book writes no summary for,
and raw HTML as blogs write it.
"""

from __future__ import annotations

import shutil

import pytest

from pipeline import build, open_project

from .ace import run_ace
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

### A subsection

> A quotation long enough to run over two lines on a phone screen, and then some more words.
>
> A second paragraph of the same quotation.

Text after the quotation, citing @lecun2015deep.
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
def ace_reports(corpus):
    return run_ace(corpus)


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


def test_no_conformance_claimed_for_an_image_without_description(project):
    root = project({"essai.md": "---\ntitle: Essai\nlang: fr\n---\n\nTexte.\n\n![](figure.png)\n"})
    shutil.copy(DATA / "figure.png", root / "manuscripts")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    _, meta = package(root / "dist" / "essai.epub")
    assert "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta
    assert meta["schema:accessModeSufficient"].text == "textual,visual"
