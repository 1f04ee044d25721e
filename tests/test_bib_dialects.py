"""Real-shaped libraries, one per exporter's dialect, each built into a French and an English essay.

The .bib files under tests/data/bib_dialects/ are written in the style of
each exporter (Zotero, Better BibTeX, Mendeley, JabRef, Scopus, Google
Scholar, biblatex, DBLP), with invented works and names. For each: the build
succeeds, the bibliography of both editions prints no TeX (no braces or
backslashes), real dashes, accents and names; its links are valid; the links
of the essay match their entries; the EPUB passes EPUBCheck.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from pipeline import build, open_project
from pipeline.builder import check_project, report_references

from .conftest import pdf_pages, run_epubcheck, write

DATA = Path(__file__).parent / "data" / "bib_dialects"

# dialect: (keys cited, {link: key it must match}, words the bibliography must print)
DIALECTS = {
    "zotero": (["leclerc_lecture_2021", "oeuvre_collectif_2019", "noel_billet_2023"],
               {"https://fr.wikipedia.org/wiki/Jeu_de_go": "jeu_de_go_2024",
                "https://onlinelibrary.wiley.com/doi/full/10.1002/lect.20210": "leclerc_lecture_2021"},
               ["Leclerc, Hélène", "François Maréchal", "Collectif Lecture et Société", "Noël, Zoé", "Œuvre",
                "101–18"]),
    "betterbibtex": (["organisationRapport2020"],
                     {"https://link.springer.com/chapter/10.1007/978-3-642-03354-4_40": "ducreuxEditionPartagee2009",
                      "https://arxiv.org/abs/2306.01234v2": "hubertAgentsConversationnels2023",
                      "https://carnet.example.org/2022/05/carnet_numerique": "vasseurCarnetNumerique2022"},
                     ["Ducreux, Théo", "édition partagée", "Jürgen Müller", "Agents conversationnels – une revue",
                      "Organisation mondiale des lecteurs", "Bureau des Études and Archives",
                      "https://carnet.example.org/2022/05/carnet_numerique"]),
    "mendeley": (["Garnier2015"],
                 {"https://doi.org/10.1016/j.inventee.2018.04_002": "Perrin2018",
                  "https://link.springer.com/chapter/10.1007/978-3-642-03354-4_41": "Lambert2009"},
                 ["Perrin, Lou", "Anja Schön", "Nils Østergaard", "Les méthodes de lecture attentive",
                  "Garnier, Céline", "XIXe", "https://doi.org/10.1016/j.inventee.2018.04_002", "45–67"]),
    "jabref": (["Manguel1998"],
               {"https://arxiv.org/abs/cs/0003005": "Roux2020"},
               ["Manguelo, Alberto", "Roux, Amélie", "Éloïse Blanc", "Lire à plusieurs voix", "Cahiers de lecture", "1–20"]),
    "scopus": (["Aubry2013", "Bellec2013"],
               {"https://onlinelibrary.wiley.com/doi/10.1002/asi.24750/abstract": "Blanc2022"},
               ["Blanc, É.", "Attention et lecture numérique", "612–30", "Aubry, M.", "Bellec, A.",
                "Actes du colloque imaginaire"]),
    "scholar": (["eco1985lector"],
                {"https://arxiv.org/abs/2106.09685v2": "chen2021adapters"},
                ["Chen, Li", "María García", "Van An Nguyen", "Ecco, Umbertino", "coopération interprétative"]),
    "biblatex": (["hugo1901", "guerin2016", "noel2021"],
                 {"https://arxiv.org/abs/hep-th/9603067": "hamon1996",
                  "https://agence.example.org/rapport_2021.pdf": "agence2021"},
                 ["Hugon, Victorin", "Œuvres complètes", "Romans", "Guérin, Max",
                  "Actes du colloque imaginaire 2016", "Ferrand", "Agence du livre", "Presses inventées",
                  "Noël, Anaïs", "lentement", "Actes de la journée", "Éditions de la Lune"]),
    "dblp": (["DBLP:conf/inv/BerthierK19"],
             {"https://arxiv.org/pdf/2106.09685v1.pdf": "DBLP:journals/corr/abs-2106-09685"},
             ["Berthier, Jean-Marc", "Anna Kowalska", "Indexer des corpus & des notes en ϕ-espace", "Chen, Li",
              "https://doi.org/10.1007/978-3-030-00000-0_9"]),
}


def essay(lang: str, keys: list[str], links: dict[str, str]) -> str:
    title = "Un essai" if lang == "fr" else "An essay"
    cited = "; ".join("@" + key for key in keys)
    linked = " ".join(f"[lien {n}]({link})." for n, link in enumerate(links, 1))
    return f"---\ntitle: {title}\nlang: {lang}\ndate: 2024-05-01\n---\n\nTexte [{cited}]. {linked}\n"


def french_forms(word: str) -> list[str]:
    """The same name or page range as the French default style (ISO 690) prints it.

    The words above were written against Chicago author-date: a second author is
    "Given Family" there and "Family, Given" in ISO 690; "612–30" is "612–630";
    a DOI is "DOI 10.…" rather than its address.
    """
    forms = []
    if word.startswith("https://doi.org/"):  # ISO 690: DOI 10.…
        forms.append("DOI " + word.removeprefix("https://doi.org/"))
    if re.fullmatch(r"[A-ZÀ-ÖØ-Þ][^\s,]*(?: [A-ZÀ-ÖØ-Þ][^\s,]*)+", word):
        given, family = word.rsplit(" ", 1)
        forms.append(f"{family}, {given}")
        if given.count(" "):  # a particle or a compound family name: Nguyen, Van An
            first, rest = given.split(" ", 1)
            forms.append(f"{rest} {family}, {first}")
    match = re.fullmatch(r"(\d+)–(\d+)", word)
    if match and len(match.group(2)) < len(match.group(1)):
        start, end = match.groups()
        forms.append(f"{start}–{start[:len(start) - len(end)]}{end}")
    return forms


def bibliography_text(pages: list[str], lang: str) -> str:
    text = " ".join(pages)
    heading = "Bibliographie" if lang == "fr" else "References"
    return text[text.rindex(heading):]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    roots = {}
    for dialect in DIALECTS:
        root = corpus_project(tmp_path_factory.mktemp(dialect) / "book", dialect)
        results = build(open_project(root))
        roots[dialect] = (root, results)
    return roots


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dialect_builds_with_a_clean_bibliography(built, dialect):
    root, results = built[dialect]
    assert [r.error for r in results if not r.ok] == []
    _keys, _links, words = DIALECTS[dialect]
    for lang in ("fr", "en"):
        pdf = bibliography_text(pdf_pages(root / "dist" / f"{lang}.pdf", flat=True), lang)
        with zipfile.ZipFile(root / "dist" / f"{lang}.epub") as archive:
            page = etree.fromstring(archive.read("EPUB/bibliography.xhtml"))
        entries = page.findall(".//{*}div[@class='csl-entry']") or page.findall(".//{*}div[@role='listitem']")
        epub = " ".join(" ".join("".join(e.itertext()).split()) for e in entries)
        assert entries, f"{dialect}/{lang}: no bibliography entries in the EPUB"
        for text in (pdf, epub):
            assert not re.search(r"[{}\\$]", text), f"{dialect}/{lang}: TeX left in {text!r}"
            assert "Https://" not in text and "Http://" not in text
        # English essays title-case titles of entries with no langid (CSL's rule for English items),
        # and the fr-FR CSL locale joins page ranges with a non-breaking hyphen: compare accordingly.
        seen = epub.replace("\u2011", "–") if lang == "fr" else epub.lower()
        for word in words:
            forms = [word if lang == "fr" else word.lower()] + (french_forms(word) if lang == "fr" else [])
            assert any(form in seen for form in forms), f"{dialect}/{lang}: {word!r} missing from {epub!r}"
        if dialect == "jabref":  # no langid: the title's language is guessed, so English keeps its case
            assert "Une histoire de la lecture" in epub and "Lire à plusieurs voix" in epub
        hrefs = [a.get("href") for a in page.iter("{*}a") if (a.get("href") or "").startswith("http")]
        assert all(not re.search(r"[{}\\\s]", href) for href in hrefs), hrefs


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dialect_links_match_their_entries(built, dialect):
    root, _results = built[dialect]
    _keys, links, _words = DIALECTS[dialect]
    for report in report_references(open_project(root)):
        found = {r.target: r.key for r in report.references if r.kind == "link"}
        assert found == links, report.manuscript


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dialect_epubs_pass_epubcheck(built, dialect):
    root, _results = built[dialect]
    for lang in ("fr", "en"):
        assert run_epubcheck(root / "dist" / f"{lang}.epub") == []


def corpus_project(root: Path, dialect: str) -> Path:
    """A project with the dialect's library and its French and English essays."""
    keys, links, _words = DIALECTS[dialect]
    (root / "bibliography").mkdir(parents=True)
    shutil.copy(DATA / f"{dialect}.bib", root / "bibliography" / f"{dialect}.bib")
    for lang in ("fr", "en"):
        write(root / "manuscripts" / f"{lang}.md", essay(lang, keys, links))
    return root


def test_check_on_the_dialects_says_only_true_things(tmp_path):
    roots = {dialect: corpus_project(tmp_path / dialect, dialect) for dialect in DIALECTS}
    findings = {dialect: [f.format(root) for f in check_project(open_project(root))]
                for dialect, root in roots.items()}
    flat = "\n".join(line for lines in findings.values() for line in lines)
    assert "same work" not in flat  # Scopus's two papers share their proceedings' ISBN: not one work
    assert "has no booktitle" not in flat and "has no url" not in flat  # crossref and eprint honoured
    scholar = "\n".join(findings["scholar"])
    assert "warning: bibliography/scholar.bib:16: duplicate key 'dupe2018etudier', first defined on line 8" in scholar
    scopus = "\n".join(findings["scopus"])
    assert "field 'funding_details' given twice in 'Blanc2022'" in scopus and "error" not in scopus
    assert not [line for line in flat.splitlines() if line.startswith("error")]
