"""From a linked draft to a documented text: link→citation, refs, stubs, check, draft editions."""

import json

import bibtexparser
import pytest
from click.testing import CliRunner

from pipeline import build, open_project
from pipeline.builder import report_references
from pipeline.cli import cli

from .conftest import NS, epub_names, epub_xml, pdf_pages, run_epubcheck

BIB = r"""
@article{vaswani2017attention,
  author = {Vaswani, Ashish and Shazeer, Noam},
  title = {Attention Is All You Need},
  journal = {Advances in Neural Information Processing Systems},
  year = {2017},
  eprint = {1706.03762},
  archivePrefix = {arXiv}
}
@article{lecun2015deep,
  author = {LeCun, Yann and Bengio, Yoshua},
  title = {Deep Learning},
  journal = {Nature},
  year = {2015},
  doi = {10.1038/nature14539}
}
@book{bringhurst2004elements,
  author = {Bringhurst, Robert},
  title = {The Elements of Typographic Style},
  publisher = {Hartley \& Marks},
  year = {2004},
  isbn = {0-88179-206-3}
}
@online{mistral2023model,
  author = {{Mistral AI}},
  title = {Mistral-7B-v0.1},
  year = {2023},
  url = {https://huggingface.co/mistralai/Mistral-7B-v0.1}
}
@book{debord1967societe,
  author = {Debord, Guy},
  title = {La Société du spectacle},
  publisher = {Buchet-Chastel},
  year = {1967}
}
@book{eco1985lector,
  author = {Eco, Umberto},
  title = {Lector in fabula},
  publisher = {Grasset},
  year = {1985}
}
"""

DRAFT = """---
title: Brouillon de liens
date: 2024-05-01
lang: fr
---

## Liens

Le [texte fondateur](https://arxiv.org/pdf/1706.03762v5) et une [synthèse](http://dx.doi.org/10.1038/NATURE14539).

Un [livre](https://www.worldcat.org/isbn/0881792063), un [modèle](https://www.huggingface.co/mistralai/Mistral-7B-v0.1/?utm_source=blog).

Une [note de lecture](/highlights/la-societe-du-spectacle/) et [une autre](/highlights/inconnue/).

Un [article de presse](https://www.lemonde.fr/article/2025/ia.html?utm_medium=email) et [un papier](https://arxiv.org/abs/2310.06825).

Comme le dit @eco1985lector, et [voir @eco1985lector, p. 12].
"""

CONFIG = """
[url_map]
"/highlights/la-societe-du-spectacle/" = "debord1967societe"
"""


@pytest.fixture
def linked(project):
    return project({"liens.md": DRAFT}, bib={"refs.bib": BIB}, config=CONFIG)


def test_every_link_kind_is_classified(linked):
    [report] = report_references(open_project(linked))
    rows = [(r.line, r.status, r.key, r.how) for r in report.references]
    assert rows == [
        (9, "matched", "vaswani2017attention", "arxiv"),
        (9, "matched", "lecun2015deep", "doi"),
        (11, "matched", "bringhurst2004elements", "isbn"),
        (11, "matched", "mistral2023model", "url"),
        (13, "matched", "debord1967societe", "mapping"),
        (13, "unresolved", None, None),
        (15, "no entry", None, None),
        (15, "no entry", None, None),
        (17, "cited", "eco1985lector", "key"),
        (17, "cited", "eco1985lector", "key"),
    ]
    assert report.uncited == []
    assert len(report.unresolved) == 3


def test_final_edition_cites_the_linked_works(linked):
    [result] = build(open_project(linked))
    assert result.ok, result.error
    text = " ".join(pdf_pages(linked / "dist" / "liens.pdf", flat=True))
    assert "texte fondateur (Vaswani et Shazeer 2017)" in text
    assert "synthèse (LeCun et Bengio 2015)" in text
    assert "Debord, Guy, 1967. La Société du spectacle" in text
    assert "Bringhurst, Robert, 2004" in text
    assert "BROUILLON" not in text and "compléter" not in text
    assert sum("has no entry in the bibliography" in w for w in result.warnings) == 2
    epub = linked / "dist" / "liens.epub"
    assert run_epubcheck(epub) == []
    chapter = epub_xml(epub, "EPUB/ch01.xhtml")
    citations = chapter.findall(".//x:a[@role='doc-biblioref']", NS)
    assert {a.get("href") for a in citations} >= {"bibliography.xhtml#ref-vaswani2017attention",
                                                 "bibliography.xhtml#ref-debord1967societe"}
    assert not chapter.findall(".//x:span[@class='unresolved']", NS)


def test_draft_edition_marks_what_is_missing(linked):
    [result] = build(open_project(linked), draft=True)
    assert result.ok, result.error
    pages = pdf_pages(linked / "dist" / "liens.draft.pdf", flat=True)  # a draft has its own files
    assert all("BROUILLON" in page for page in pages)
    assert "Références à compléter" in " ".join(pages)
    assert "lemonde.fr" in pages[-1] and "/highlights/inconnue/" in pages[-1]
    epub = linked / "dist" / "liens.draft.epub"
    assert run_epubcheck(epub) == []
    chapter = epub_xml(epub, "EPUB/ch01.xhtml")
    marked = chapter.findall(".//x:span[@class='unresolved']", NS)
    assert len(marked) == 3
    assert {m.findtext("x:span[@class='draft-note']", namespaces=NS) for m in marked} == {
        "/highlights/inconnue/", "https://www.lemonde.fr/article/2025/ia.html?utm_medium=email",
        "https://arxiv.org/abs/2310.06825"}


def test_unknown_key_fails_the_final_build_but_is_marked_in_a_draft(project):
    root = project({"a.md": "---\ntitle: A\nlang: fr\n---\n\nVoir [@inconnu2020].\n"}, bib={"refs.bib": BIB})
    [final] = build(open_project(root), formats=("epub",))
    assert not final.ok and "@inconnu2020" in final.error.message
    [draft] = build(open_project(root), formats=("epub",), draft=True)
    assert draft.ok
    chapter = epub_xml(root / "dist" / "a.draft.epub", "EPUB/ch00.xhtml")
    assert chapter.findtext(".//x:span[@class='draft-note']", namespaces=NS) == "@inconnu2020"


@pytest.mark.parametrize("mode", ["footnote", "keep"])
def test_link_modes(project, mode):
    text = f"---\ntitle: A\nlang: en\nlinks: {mode}\n---\n\nThe [paper](https://arxiv.org/abs/1706.03762) says so.\n"
    root = project({"a.md": text}, bib={"refs.bib": BIB})
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    epub = root / "dist" / "a.epub"
    chapter = epub_xml(epub, "EPUB/ch00.xhtml")
    notes = chapter.findall(".//x:aside[@epub:type='footnote']", NS)
    has_bibliography = "EPUB/bibliography.xhtml" in epub_names(epub)
    if mode == "footnote":
        assert len(notes) == 1 and "Vaswani and Shazeer (2017)" in "".join(notes[0].itertext())
        assert has_bibliography
    else:
        assert not notes and not has_bibliography
        assert chapter.find(".//x:a[@href='https://arxiv.org/abs/1706.03762']", NS) is not None
    assert run_epubcheck(epub) == []


def test_refs_command_text_json_and_strict(linked):
    runner = CliRunner()
    result = runner.invoke(cli, ["refs", "--root", str(linked)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "@vaswani2017attention (arxiv)" in result.output
    assert "@debord1967societe (mapping)" in result.output
    assert "10 reference(s), 3 unresolved" in result.output
    result = runner.invoke(cli, ["refs", "--root", str(linked), "--format", "json"], catch_exceptions=False)
    [data] = json.loads(result.output)
    assert data["unresolved"] == 3
    assert data["references"][0] == {"line": 9, "kind": "link", "target": "https://arxiv.org/pdf/1706.03762v5",
                                     "status": "matched", "key": "vaswani2017attention", "how": "arxiv",
                                     "text": "texte fondateur", "stub": False}
    result = runner.invoke(cli, ["refs", "--root", str(linked), "--strict"], catch_exceptions=False)
    assert result.exit_code == 1


def test_stubs_are_valid_bibtex_added_once(linked):
    runner = CliRunner()
    # A path on the command line is relative to the current folder, like --root.
    first = runner.invoke(cli, ["refs", "--root", str(linked), "--stubs", str(linked / "bibliography" / "todo.bib")],
                          catch_exceptions=False)
    assert "2 stub(s) added" in first.output
    todo = linked / "bibliography" / "todo.bib"
    written = todo.read_text(encoding="utf-8")
    library = bibtexparser.parse_string(written)
    assert not library.failed_blocks
    entries = {e.key: e for e in library.entries}
    assert set(entries) == {"lemonde-presse", "arxiv-papier"}
    assert entries["arxiv-papier"].entry_type == "misc"
    assert entries["arxiv-papier"]["eprint"] == "2310.06825"
    assert entries["arxiv-papier"]["archiveprefix"] == "arXiv"
    assert entries["lemonde-presse"].entry_type == "online"
    assert entries["lemonde-presse"]["url"] == "https://www.lemonde.fr/article/2025/ia.html"
    assert all("todo" in e.fields_dict for e in entries.values())
    second = runner.invoke(cli, ["refs", "--root", str(linked), "--stubs", str(linked / "bibliography" / "todo.bib")],
                           catch_exceptions=False)
    assert "0 stub(s) added" in second.output
    assert todo.read_text(encoding="utf-8") == written
    assert "no entry" not in second.output  # both links now cite their stub, still marked to complete
    assert second.output.count("[stub]") == 2
    [draft] = build(open_project(linked), draft=True, formats=("epub",))
    assert draft.ok
    chapter = epub_xml(linked / "dist" / "liens.draft.epub", "EPUB/ch01.xhtml")
    notes = {s.text for s in chapter.iterfind(".//x:span[@class='draft-note']", NS)}
    assert {"@lemonde-presse", "@arxiv-papier"} <= notes


def test_check_reports_with_file_and_line(project):
    bib = BIB + r"""
@misc{attention-again,
  title = {Attention, again},
  url = {https://arxiv.org/abs/1706.03762v2}
}
@article{incomplete,
  title = {No author, no journal},
  year = {2020}
}
@online{stub,
  title = {A stub},
  url = {https://example.org/s},
  urldate = {2024-01-01},
  todo = {to be completed}
}
"""
    root = project({"a.md": "---\ntitle: A\nlang: en\n---\n\nSee @eco1985lector.\n"}, bib={"refs.bib": bib})
    result = CliRunner().invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    out = result.output.replace(f"{root}/", "")  # paths are shown under --root as typed
    assert result.exit_code == 0
    assert "warning: bibliography/refs.bib:42: 'attention-again' is the same work as 'vaswani2017attention'" in out
    assert "warning: bibliography/refs.bib:46: 'incomplete' (article) has no author" in out
    assert "has no journal or journaltitle" in out
    assert "warning: bibliography/refs.bib:54: 'stub' is a stub still to be completed" in out
    assert "info: bibliography/refs.bib: 8 of 9 entries are cited by no manuscript" in out
    assert CliRunner().invoke(cli, ["check", "--root", str(root), "--strict"]).exit_code == 1
    (root / "bibliography" / "bad.bib").write_text("@book{x,\n  title = {Open\n}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0  # x is cited by no manuscript: a warning
    assert "warning: bibliography/bad.bib:2: the brace opened here in field 'title' of entry 'x'" in \
        result.output.replace(f"{root}/", "")
    (root / "manuscripts" / "b.md").write_text("---\ntitle: B\nlang: en\n---\n\nSee @x.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "error: bibliography/bad.bib:2: the brace opened here" in result.output.replace(f"{root}/", "")


def test_the_authors_citation_style(project):
    from .conftest import DATA

    root = project({"a.md": "---\ntitle: A\nlang: fr\ncsl: numeric.csl\n---\n\nVoir [@eco1985lector] et "
                            "[@lecun2015deep].\n"}, bib={"refs.bib": BIB})
    (root / "styles").mkdir()
    (root / "styles" / "numeric.csl").write_bytes((DATA / "numeric.csl").read_bytes())
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    epub = root / "dist" / "a.epub"
    text = "".join(epub_xml(epub, "EPUB/ch00.xhtml").itertext())
    assert "Voir [1] et [2]." in text
    entries = ["".join(e.itertext()).strip() for e in epub_xml(epub, "EPUB/bibliography.xhtml").iterfind(
        ".//x:div[@class='csl-entry']", NS)]
    assert entries[0].startswith("[1]") and "Eco" in entries[0]
    assert run_epubcheck(epub) == []
