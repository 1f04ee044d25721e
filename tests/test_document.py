"""Parsing a manuscript into a document; citations, links and images on its tree."""

import re

import pytest

from pipeline.references.bibliography import load_bibliography
from pipeline.config import Settings
from pipeline.document import parse_document
from pipeline.errors import CitationError, ManuscriptError
from pipeline.sources.manuscript import read_manuscript
from pipeline.pandoc import stringify, walk
from pipeline.references.citations import resolve_references

from .conftest import SAMPLE_BIB, write


def make_document(tmp_path, body, front="title: Essai\ndate: 2024-05-01", config=Settings()):
    path = write(tmp_path / "manuscripts" / "essai.md", f"---\n{front}\n---\n\n{body}\n")
    bib = write(tmp_path / "bibliography" / "refs.bib", SAMPLE_BIB)
    return parse_document(read_manuscript(path), config, load_bibliography([bib]))


def nodes(document, kind):
    found = []
    walk(document.ast["blocks"], lambda k, v, f, m: found.append(v) if k == kind else None, "", {})
    return found


def test_title_from_front_matter_else_heading_else_file_name(tmp_path):
    assert make_document(tmp_path, "Texte.").title == "Essai"
    document = make_document(tmp_path, "# Le vrai titre\n\n## Partie\n\nTexte.", front="date: 2024-05-01")
    assert document.title == "Le vrai titre"
    assert [h[0] for h in nodes(document, "Header")] == [2]  # the title left the body
    document = make_document(tmp_path, "Juste du texte, sans titre.", front="date: 2024-05-01")
    assert document.title == "Essai"  # from essai.md


def test_headings_start_at_level_two(tmp_path):
    document = make_document(tmp_path, "# Un\n\n## Deux\n\n# Trois\n")
    assert [h[0] for h in nodes(document, "Header")] == [2, 3, 2]
    document = make_document(tmp_path, "### Un\n\n#### Deux\n")
    assert [h[0] for h in nodes(document, "Header")] == [2, 3]


@pytest.mark.parametrize("body, expected", [
    ("Il était une fois un lecteur qui ne savait pas encore ce qu'il cherchait dans les livres "
     "de la bibliothèque municipale, et qui revenait chaque semaine.", "fr"),
    ("Once upon a time there was a reader who did not yet know what she was looking for in the "
     "books of the town library, and who came back every week.", "en"),
])
def test_language_is_detected_when_not_given(tmp_path, body, expected, caplog):
    caplog.set_level("WARNING")
    document = make_document(tmp_path, body, front="title: T")
    assert document.lang == expected
    # Logged as a warning, so it shows without -v.
    assert f"lang not set: detected {expected} " in caplog.text


def test_language_from_front_matter_wins(tmp_path):
    document = make_document(tmp_path, "Once upon a time, in English.", front="title: T\nlang: fr")
    assert document.lang == "fr"


def test_unknown_citation_names_key_line_and_close_keys(tmp_path):
    document = make_document(tmp_path, "Premier [@eco1985lector].\n\nPuis [@eco1958lector, p. 3].")
    with pytest.raises(CitationError) as info:
        resolve_references(document, project_root=tmp_path)
    error = info.value
    assert "@eco1958lector" in error.message
    assert error.line == 8
    assert error.path.name == "essai.md"
    assert "@eco1985lector" in error.hint


def test_known_citations_get_a_bibliography_section(tmp_path):
    document = make_document(tmp_path, "Voir @lecun2015deep et [voir @eco1985lector, p. 12].", front="title: T\nlang: fr")
    resolve_references(document, project_root=tmp_path)
    headers = nodes(document, "Header")
    assert stringify(headers[-1][2]) == "Bibliographie"
    assert document.ast["blocks"][-1]["c"][0][0] == "refs"


def test_no_citation_no_bibliography(tmp_path):
    document = make_document(tmp_path, "Rien à citer.")
    resolve_references(document, project_root=tmp_path)
    assert not nodes(document, "Header")


def test_root_relative_links_use_base_url(tmp_path):
    document = make_document(tmp_path, "[x](/highlights/livre/) et [y](https://example.org/a)",
                             front="title: T\nbase_url: https://blog.example.org/")
    resolve_references(document, project_root=tmp_path)
    targets = [link[2][0] for link in nodes(document, "Link")]
    assert targets == ["https://blog.example.org/highlights/livre/", "https://example.org/a"]


def test_links_that_point_nowhere_become_text_with_a_warning(tmp_path):
    document = make_document(tmp_path, "[blog](/highlights/livre/), [autre](autre-essai.md), [ici](#nulle-part)\n\n"
                                       "## Partie\n\n[là](#partie)")
    resolve_references(document, project_root=tmp_path)
    assert [link[2][0] for link in nodes(document, "Link")] == ["#partie"]
    text = stringify(document.ast["blocks"][0])
    assert "blog" in text and "autre" in text and "ici" in text
    assert len(document.warnings) == 3
    assert "essai.md:6" in document.warnings[0] and "base_url" in document.warnings[0]


def test_missing_image_is_an_error_with_line(tmp_path):
    from pipeline.sources.images import report_missing_images

    document = make_document(tmp_path, "Texte.\n\n![Un schéma](schema.png)")
    resolve_references(document, project_root=tmp_path)  # every missing image is gathered, then reported once
    with pytest.raises(ManuscriptError) as info:
        report_missing_images(document)
    assert "schema.png" in info.value.message and info.value.line == 8


def test_image_outside_the_project_is_refused(tmp_path):
    outside = tmp_path.parent / "outside.png"
    outside.write_bytes(b"\x89PNG")
    document = make_document(tmp_path, f"![x](../../{outside.name})")
    with pytest.raises(ManuscriptError, match="outside the project"):
        resolve_references(document, project_root=tmp_path)


def test_remote_image_is_not_fetched(tmp_path):
    document = make_document(tmp_path, "![Un graphique](https://example.org/g.png)")
    resolve_references(document, project_root=tmp_path)
    assert not nodes(document, "Image")
    assert "not downloaded" in document.warnings[0]


def test_heading_ids_come_from_the_label_without_notes(tmp_path):
    body = ("## Intro[^1]\n\nVoir [Intro] et [plus haut](#intro1).\n\n## L'été 2024[^longue-note]\n\n"
            "## Déjà vu {#vu}\n\n## Notes[^2] {#notes-2}\n\n## Été 2024\n\n## 3 façons de lire[^x]\n\n"
            "[^1]: Une note.\n[^longue-note]: Une autre.\n[^2]: Encore.\n[^x]: Dernière.\n")
    document = make_document(tmp_path, body)
    ids = [h[1][0] for h in nodes(document, "Header")]
    # pandoc gives intro1, lete-2024longue-note, …: the note's label is not part of the heading
    assert ids == ["intro", "lete-2024", "vu", "notes-2", "ete-2024", "facons-de-lire"]
    assert [link[2][0] for link in nodes(document, "Link")] == ["#intro"]  # [Intro] is text: the heading has a note


def test_heading_ids_without_notes_in_the_epub(project):
    import zipfile

    from pipeline import build, open_project

    root = project({"essai.md": "---\ntitle: Essai\nlang: fr\ndate: 2024-05-01\n---\n\n## Introduction[^1]\n\n"
                                "Texte.\n\n## Méthode[^m] et fin\n\nTexte.\n\n### Détail[^d]\n\nTexte.\n\n"
                                "[^1]: Note.\n[^m]: Autre.\n[^d]: Encore.\n"}, bib={})
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    with zipfile.ZipFile(root / "dist" / "essai.epub") as archive:
        text = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml"))
    assert 'id="introduction"' in text and 'id="methode-et-fin"' in text and 'id="detail"' in text
    assert "#detail" in text  # the navigation follows
    assert not re.search(r'(id="|#)(introduction1|methodem-et-fin|detaild)', text)
