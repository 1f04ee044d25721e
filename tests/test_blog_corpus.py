"""A corpus of drafts in each generator's dialect (tests/data/blog/, our own text), built to both editions.

What a reader sees must hold no template syntax outside code, titles and dates
come from each generator's front matter, and every EPUB passes EPUBCheck.
"""

from __future__ import annotations

import shutil
import zipfile

import pytest

from .conftest import DATA, SAMPLE_BIB, pdf_pages, run_epubcheck, write

CORPUS = DATA / "blog"
# (file, title, date as printed on the title page)
DRAFTS = [
    ("hugo", "Au marché de Hugo", "14 juin 2023"),
    ("jekyll", "Le port de Jekyll", "3 septembre 2022"),
    ("eleventy", "Le jardin d’Eleventy", "11 avril 2021"),
    ("zola", "La forêt de Zola", "2 octobre 2020"),
    ("pelican", "La cuisine de Pelican", "4 mai 2021"),
    ("quarto", "Mesures de Quarto", "15 mars 2024"),
    ("obsidian", "Notes d’Obsidian", "20 janvier 2024"),
    ("mkdocs", "Guide de MkDocs", "10 février 2024"),
]
SOURCE_SYNTAX = ("{{", "{%", "{:", "[[", "+++", "!!!", "$$", "\\frac", "%%", ":::", "<!--", "[!")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from pipeline import build, open_project

    root = tmp_path_factory.mktemp("blog")
    shutil.copytree(CORPUS, root / "manuscripts")
    shutil.copy(DATA / "figure.png", root / "manuscripts" / "figure.png")
    write(root / "bibliography" / "refs.bib", SAMPLE_BIB)
    results = build(open_project(root), jobs=2)
    failures = [str(r.error) for r in results if not r.ok]
    assert not failures, failures
    return root / "dist", {r.manuscript.stem: r for r in results}


def code_lines(name: str) -> set[str]:
    """The lines of the draft's code (blocks and spans): they may show template syntax as written."""
    import re

    text = (CORPUS / f"{name}.md").read_text(encoding="utf-8")
    lines = set()
    for block in re.findall(r"^(```|~~~).*?\n(.*?)^\1", text, re.M | re.S):
        lines |= {line.strip() for line in block[1].splitlines() if line.strip()}
    for span in re.findall(r"`([^`\n]+)`", text):
        lines.add(span.strip())
    for body in re.findall(r"(?:\{\{< highlight.*?>\}\}|\{% (?:highlight|raw).*?%\})(.*?)"
                           r"(?:\{\{< /highlight >\}\}|\{% end(?:highlight|raw) %\})", text, re.S):
        lines |= {line.strip() for line in body.splitlines() if line.strip()}
    return lines


@pytest.mark.parametrize("name, title, date", DRAFTS)
def test_pdf_shows_no_source_syntax(corpus, name, title, date):
    dist, _ = corpus
    pages = pdf_pages(dist / f"{name}.pdf")
    assert title in pages[0] and date in pages[0]
    code = code_lines(name)
    for line in "\n".join(pages[1:]).splitlines():
        if any(c in line for c in code):
            continue
        leaked = [s for s in SOURCE_SYNTAX if s in line]
        assert not leaked, f"{name}.pdf prints {leaked} in {line!r}"


@pytest.mark.parametrize("name", [d[0] for d in DRAFTS])
def test_epub_is_valid(corpus, name):
    dist, _ = corpus
    assert run_epubcheck(dist / f"{name}.epub") == []


def test_what_each_dialect_became(corpus):
    dist, results = corpus
    text = {name: " ".join(pdf_pages(dist / f"{name}.pdf", flat=True)).replace("\u00a0", " ").replace("\u202f", " ")
            for name, _, _ in DRAFTS}
    assert "l’humeur est joyeuse" in text["hugo"]  # {{< param >}} from [params]
    assert 'prix = {"tomate": 3} # {{< pas-un-shortcode >}}' in text["hugo"]  # code as written, no typography
    assert "Dans un gabarit on écrirait {{ page.title }}" in text["jekyll"]  # {% raw %}
    assert "Les étals sous la halle" in text["hugo"] and "Prudence" in text["hugo"]
    assert "Vidéo YouTube" in text["hugo"] and "Vidéo YouTube" in text["zola"]
    assert "« Le port de Jekyll »" in text["jekyll"]  # {{ page.title }}
    assert "Anne Exemple et Paul Exemple" in text["pelican"]
    assert "voir Figure 1 et la Méthode" in text["quarto"] and "Figure 1 : Les passants" in text["quarto"]
    assert "@marie_dupont" in text["quarto"] and "LeCun" in text["quarto"]
    assert "(Eco 1985)" in text["obsidian"] and "mes autres lectures" in text["obsidian"]
    assert "Note Une note sans titre" in text["mkdocs"] and "Attention Vérifiez la version" in text["mkdocs"]
    warnings = {name: "\n".join(r.warnings) for name, r in results.items()}
    assert "hugo.md:31: Hugo shortcode {{< marque-inconnue" in warnings["hugo"]
    assert "jekyll.md:23: template tag {% include newsletter.html %}" in warnings["jekyll"]
    assert "quarto.md:18: code chunk {r}" in warnings["quarto"]
    assert "zola.md:20: template expression {{ inconnu(x=1) }}" in warnings["zola"]
    with zipfile.ZipFile(dist / "quarto.epub") as epub:
        chapter = next(epub.read(n).decode() for n in epub.namelist() if "Méthode" in epub.read(n).decode("utf-8", "ignore")
                       and n.endswith(".xhtml") and "nav" not in n)
        opf = epub.read(next(n for n in epub.namelist() if n.endswith(".opf"))).decode()
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML"' in chapter and 'alttext="E = mc^2"' in chapter
    assert 'properties="mathml"' in opf
    assert 'class="admonition tip"' in chapter and "Astuce de terrain" in chapter
