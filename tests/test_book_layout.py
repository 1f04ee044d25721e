"""A book's PDF laid out by pieces (pipeline/books/layout.py): joined pages, folios, links, outline, cache."""

from __future__ import annotations

import io
import logging
import re
import shutil
from pathlib import Path

import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from pipeline import build, open_project
from pipeline.books.layout import split_book

WORDS = ("lecture texte livre page marge auteur lecteur langue question réponse forme phrase chapitre source "
         "histoire mémoire attention réseau temps monde travail raison regard voix choix règle outil méthode").split()


def paragraph(seed: int, words: int = 110) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


def chapter(letter: str, title: str, month: int, link: str | None) -> str:
    """An essay of about four pages: two sections, two notes whose calls and texts carry marker words."""
    body = [f"---\ntitle: {title}\ndate: 2025-0{month}-01\nlang: fr\n---\n", "## Première section\n"]
    for n in range(5):
        text = paragraph(n + month)
        if n == 1:
            text += f" Appel{letter}un[^a]."
        if n == 3:
            text += f" Appel{letter}deux[^b]."
        if n == 2 and link:
            text += f" Voir [l’autre essai]({link}.md) à ce sujet."
        body.append(text + "\n")
        if n == 2:
            body.append("## Seconde section\n")
    body.append(f"[^a]: Note{letter}un, qui commente le passage.\n")
    body.append(f"[^b]: Note{letter}deux, plus brève.\n")
    return "\n".join(body)


CONFIG = """[books.quatre]
title = "Quatre essais"
author = "Anne Bé"
parts = [{ title = "Premiers", chapters = ["a", "b"] }, { title = "Derniers", chapters = ["c", "d"] }]
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """A four-chapter book in two parts, each chapter linking to another (forward and back), built once."""
    root = tmp_path_factory.mktemp("pieces")
    (root / "manuscripts").mkdir()
    for letter, title, month, link in (("A", "Alpha", 1, "d"), ("B", "Bêta", 2, "a"), ("C", "Gamma", 3, None),
                                       ("D", "Delta", 4, "b")):
        (root / "manuscripts" / f"{letter.lower()}.md").write_text(chapter(letter, title, month, link),
                                                                  encoding="utf-8")
    (root / "make-book.toml").write_text(CONFIG, encoding="utf-8")
    (result,) = build(open_project(root), ["quatre"], formats=("pdf",))
    assert result.ok, result.error
    assert not [w for w in result.warnings if "note" in w], result.warnings
    return root


def page_texts(pdf: Path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(str(pdf)).pages]


def first_page_with(pages: list[str], text: str) -> int:
    return next(i for i, page in enumerate(pages) if text in page)


def opening(pages: list[str], title: str) -> int:
    """The index of the page a chapter (or part) opens: the first page that starts with its title."""
    return next(i for i, page in enumerate(pages) if page.lstrip().startswith(title))


def folio_of(page) -> str | None:
    """The number printed in the bottom margin (below 20 mm from the foot), if any."""
    found = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: found.append((text.strip(), tm[5] * cm[3] + cm[5])))
    foot = [text for text, y in found if text and 0 < y < 60]
    return foot[0] if foot else None


def test_chapters_open_on_right_hand_pages_with_folios_through_the_book(book):
    pdf = book / "dist" / "quatre.pdf"
    reader = PdfReader(str(pdf))
    pages = page_texts(pdf)
    openings = [opening(pages, title) for title in ("Premiers", "Alpha", "Bêta", "Derniers", "Gamma", "Delta")]
    assert all(index % 2 == 0 for index in openings), openings  # index 0 is page 1, a right-hand page
    assert openings == sorted(openings)
    first = openings[0]
    assert first % 2 == 0
    numbered = {index: folio_of(page) for index, page in enumerate(reader.pages) if index >= first}
    printed = {index: folio for index, folio in numbered.items() if folio is not None}
    assert printed and all(folio == str(index + 1) for index, folio in printed.items()), printed
    # Every page of text has its number; only blank versos, part title pages and the colophon have none.
    unnumbered = [pages[index].strip() for index, folio in numbered.items() if folio is None]
    assert all(text == "" or text in ("Premiers", "Derniers") or text.startswith("Colophon")
               for text in unnumbered), unnumbered


def test_contents_and_page_references_name_the_pages_where_chapters_open(book):
    pages = page_texts(book / "dist" / "quatre.pdf")
    contents = first_page_with(pages, "Table des matières")
    for title, letter in (("Alpha", "A"), ("Bêta", "B"), ("Gamma", "C"), ("Delta", "D")):
        number = int(re.search(rf"{title}[ .]+(\d+)", pages[contents]).group(1))
        assert number == opening(pages, title) + 1, (title, number)
    # Alpha links forward to Delta, Bêta back to Alpha, Delta back to Bêta: "(p. N)" where each opens.
    for source, following, target in (("Alpha", "Bêta", "Delta"), ("Bêta", "Derniers", "Alpha"),
                                      ("Delta", None, "Bêta")):
        text = " ".join(pages[opening(pages, source):opening(pages, following) if following else None])
        number = int(re.search(r"l’autre essai\s*\(p\.\s*(\d+)\)", text).group(1))
        assert number == opening(pages, target) + 1, (source, target, number)


def test_links_and_outline_point_to_the_right_pages(book):
    pdf = book / "dist" / "quatre.pdf"
    reader = PdfReader(str(pdf))
    pages = page_texts(pdf)

    def flatten(items, parent=None):
        previous = None
        for item in items:
            if isinstance(item, list):
                yield from flatten(item, previous)
            else:
                previous = item.title
                yield parent, item.title, reader.get_destination_page_number(item)

    outline = list(flatten(reader.outline))
    for title in ("Alpha", "Bêta", "Gamma", "Delta", "Première section", "Seconde section"):
        entries = [page for _, name, page in outline if name == title]
        assert entries, title
        for page in entries:
            assert title in pages[page], (title, page + 1)
    # Parts head the outline with their chapters under them, though each chapter is laid out apart.
    parent = {name: above for above, name, _ in outline}
    assert [name for above, name, _ in outline if above is None][:3] == ["Quatre essais", "Premiers", "Derniers"]
    assert (parent["Alpha"], parent["Bêta"], parent["Gamma"], parent["Delta"]) == (
        "Premiers", "Premiers", "Derniers", "Derniers")
    links = []
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                links.append((index, reader.get_page_number(annotation["/Dest"][0])))
    contents = first_page_with(pages, "Table des matières")
    openings = {title: opening(pages, title) for title in ("Alpha", "Bêta", "Gamma", "Delta")}
    assert {target for source, target in links if source == contents} >= set(openings.values())
    from_alpha = {target for source, target in links if openings["Alpha"] <= source < openings["Bêta"]}
    assert openings["Delta"] in from_alpha
    assert {"chapter-a", "chapter-d"} <= {name for name in reader.named_destinations}


def test_each_note_is_on_its_calls_page(book):
    pages = page_texts(book / "dist" / "quatre.pdf")
    for letter in "ABCD":
        for which in ("un", "deux"):
            call = first_page_with(pages, f"Appel{letter}{which}")
            assert f"Note{letter}{which}" in pages[call], (letter, which, call + 1)


def test_same_inputs_same_bytes_and_one_edit_lays_out_one_chapter(book, tmp_path, caplog):
    copy = tmp_path / "copy"
    shutil.copytree(book, copy, ignore=shutil.ignore_patterns("dist"))
    caplog.set_level(logging.INFO, logger="pipeline.books.layout")
    (result,) = build(open_project(copy), ["quatre"], formats=("pdf",))
    assert result.ok, result.error
    assert (copy / "dist" / "quatre.pdf").read_bytes() == (book / "dist" / "quatre.pdf").read_bytes()
    cold = [r.layout_stats for r in caplog.records if hasattr(r, "layout_stats")][-1]
    assert len(cold["laid_out"]) >= 5  # front, four chapters (and the front again with its page numbers)

    essay = copy / "manuscripts" / "c.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace("NoteCdeux, plus brève", "NoteCdeux, plus courte"),
                     encoding="utf-8")
    caplog.clear()
    (result,) = build(open_project(copy), ["quatre"], formats=("pdf",))
    assert result.ok, result.error
    edit = [r.layout_stats for r in caplog.records if hasattr(r, "layout_stats")][-1]
    assert edit["laid_out"] == ["chapter-c"], edit
    pages = page_texts(copy / "dist" / "quatre.pdf")
    assert "NoteCdeux, plus courte" in " ".join(pages)

    # Laid out again from nothing, the edited book gives the same bytes as the one joined from the cache.
    joined = (copy / "dist" / "quatre.pdf").read_bytes()
    shutil.rmtree(copy / "dist")
    (result,) = build(open_project(copy), ["quatre"], formats=("pdf",))
    assert (copy / "dist" / "quatre.pdf").read_bytes() == joined


def test_a_heading_edited_lays_out_its_chapter_then_the_front_once_with_known_numbers(book, tmp_path, caplog):
    copy = tmp_path / "copy"
    shutil.copytree(book, copy, ignore=shutil.ignore_patterns("dist"))
    (result,) = build(open_project(copy), ["quatre"], formats=("pdf",))  # its pieces and state.json
    essay = copy / "manuscripts" / "c.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace("## Seconde section", "## Seconde partie du texte"),
                     encoding="utf-8")
    caplog.set_level(logging.INFO, logger="pipeline.books.layout")
    caplog.clear()
    (result,) = build(open_project(copy), ["quatre"], formats=("pdf",))
    assert result.ok, result.error
    stats = [r.layout_stats for r in caplog.records if hasattr(r, "layout_stats")][-1]
    # The contents changed: the front is laid out, once, after the chapter (its length known from state.json).
    assert stats["laid_out"] == ["chapter-c", "front"], stats
    pages = page_texts(copy / "dist" / "quatre.pdf")
    contents = first_page_with(pages, "Table des matières")
    number = int(re.search(r"Seconde partie du texte[ .]+(\d+)", pages[contents]).group(1))
    assert "Seconde partie du texte" in pages[number - 1] and number - 1 > contents


def test_the_book_is_cut_into_front_chapters_with_their_part_and_back_matter():
    tree = lxml_html.document_fromstring(
        "<html><head><title>T</title></head><body class='book'><section class='titlepage'><h1>T</h1></section>"
        "<nav class='toc'><a href='#chapter-a'>A</a></nav><main>"
        "<section class='part' id='part-1'><h2>P</h2></section>"
        "<section class='chapter' id='chapter-a'><h2>A</h2><p>x<span class='footnote' id='fn7'>n</span></p></section>"
        "<section class='chapter' id='chapter-b'><h2>B</h2><p>y<span class='footnote' id='fn8'>m</span></p></section>"
        "<section id='bibliography'><h2>Bibliographie</h2></section><section class='colophon'>C</section>"
        "</main></body></html>")
    pieces = split_book(tree)
    assert [p.name for p in pieces] == ["front", "chapter-a", "chapter-b", "back"]
    assert [len(p.refs) for p in pieces] == [1, 0, 0, 0]
    assert pieces[1].tree.xpath("//main/section/@id") == ["part-1", "chapter-a"]
    assert pieces[3].tree.xpath("//main/section/@id") == ["bibliography"] and pieces[3].tree.xpath("//main/section[2]")
    # Notes are named by chapter and number, so one chapter's new note changes no other chapter's HTML.
    assert pieces[1].tree.xpath("//span/@id") == ["chapter-a-fn1"]
    assert pieces[2].tree.xpath("//span/@id") == ["chapter-b-fn1"]


def test_a_piece_laid_out_gives_its_folios_anchors_links_and_outline_apart(tmp_path):
    from pipeline.books.layout import PieceJob, Workers

    css = tmp_path / "page.css"
    css.write_text("@page { size: A6; @bottom-right { content: counter(page); } @top-left { content: 'T'; } }\n"
                   "@page plain { @bottom-right { content: none; } }\n"
                   "h2 { bookmark-level: 2; } .plain { page: plain; break-before: page; }", encoding="utf-8")
    html = ("<html><body><h2 id='one'>Un</h2><p><a href='#elsewhere'>ailleurs</a> <a href='#two'>plus loin</a></p>"
            "<h2 id='two' style='break-before: page'>Deux</h2><div class='plain'>Sans folio</div></body></html>")
    job = PieceJob(name="chapter-x", html=html, base_url=str(tmp_path), stylesheets=(str(css),), css=(),
                   allowed=(str(tmp_path),), identifier=b"0" * 32)
    workers = Workers(count=1)  # in this process: the path of a one-core machine
    laid = workers.submit(job).result()
    workers.close()
    assert laid.pages == 3 and laid.first_side == "right"
    assert laid.folios == ["", "", None]  # the third page's named page shows no number
    assert {name: page for name, (page, _, _) in laid.anchors.items()} == {"one": 0, "two": 1}
    assert sorted((page, target) for page, target, _ in laid.links) == [(0, "elsewhere"), (0, "two")]
    assert [(level, label, page) for level, label, page, *_ in laid.bookmarks] == [(2, "Un", 0), (2, "Deux", 1)]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(laid.pdf)).pages)
    assert "T" in text and not re.search(r"\b[123]\b", text)  # running heads kept, page numbers taken out


def test_two_books_keep_their_own_pieces(tmp_path, caplog):
    root = tmp_path / "deux"
    (root / "manuscripts").mkdir(parents=True)
    for letter, title, month in (("a", "Alpha", 1), ("b", "Bêta", 2)):
        (root / "manuscripts" / f"{letter}.md").write_text(
            f"---\ntitle: {title}\ndate: 2025-0{month}-01\nlang: fr\n---\n\n{paragraph(month, 60)}\n", encoding="utf-8")
    (root / "make-book.toml").write_text('[books.un]\ntitle = "Un"\nchapters = ["a"]\n\n'
                                         '[books.deux]\ntitle = "Deux"\nchapters = ["b"]\n', encoding="utf-8")
    results = build(open_project(root), formats=("pdf",))
    assert all(r.ok for r in results), [str(r.error) for r in results]
    caplog.set_level(logging.INFO, logger="pipeline.books.layout")
    (result,) = build(open_project(root), ["un"], formats=("pdf",), force=True)
    assert result.ok, result.error
    stats = [r.layout_stats for r in caplog.records if hasattr(r, "layout_stats")][-1]
    assert stats["laid_out"] == [], stats  # building the other book removed none of this one's pieces


FOLIO_CSS = ("@page { size: A6; margin: 15mm; }\n"
             "@page :left { @bottom-left { content: counter(page); font-size: 9pt; } }\n"
             "@page :right { @bottom-right { content: counter(page); font-size: 9pt; } }\n"
             "@page opening { @bottom-right { content: none; } @bottom-left { content: none; }"
             " @bottom-center { content: counter(page); font-style: italic; } }\n"
             "@page plain { @bottom-right { content: none; } @bottom-left { content: none; } }\n")


def folio_stamps(tmp_path, css: str, names: list[str | None], *, sheet: bool = False):
    """The folios of a book whose pages have these named pages (None: no folio), from a one-core layout;
    ``sheet``: from one folio page per book page, whatever the samples would give."""
    from pipeline.books.layout import (LaidPiece, PieceStore, Workers, _folio_document, stamp_layout,
                                       stamps_from_sheet)

    style = tmp_path / "page.css"
    style.write_text(css, encoding="utf-8")
    base = dict(base_url=str(tmp_path), stylesheets=(str(style),), css=("",), allowed=(str(tmp_path),),
                identifier=b"0" * 32)
    pieces = [LaidPiece(pdf=b"", pages=len(names), size=(298.0, 420.0), anchors={}, links=[], bookmarks=[],
                        folios=names)]
    workers = Workers(count=1)
    try:
        if sheet:
            laid, _ = _folio_document([(name or "", None) for name in names], base, workers, PieceStore(None), "")
            return stamps_from_sheet(laid, names)[0], laid
        return stamp_layout(pieces, base, workers, PieceStore(tmp_path / "store"), "styles")
    finally:
        workers.close()


def drawn(content: bytes) -> list:
    """The operators of a content stream, as pypdf reads them (strings by their bytes)."""
    from pypdf.generic import ContentStream, DecodedStreamObject, TextStringObject

    stream = DecodedStreamObject()
    stream.set_data(content)
    return [([[i.original_bytes if isinstance(i, TextStringObject) else i for i in o]
              if isinstance(o, list) else o for o in operands], operator)
            for operands, operator in ContentStream(stream, None).operations]


def test_folios_drawn_from_a_few_sample_pages_as_one_folio_page_per_book_page_draws_them(tmp_path):
    # 130 pages (numbers of one, two and three figures), folios on both sides, centred on openings, none on some.
    names = [None, None] + [("opening" if n % 17 == 0 else None if n % 11 == 0 else "") for n in range(128)]
    stamps = folio_stamps(tmp_path, FOLIO_CSS, names)
    assert stamps.source == "samples" and stamps.laid.pages < 40  # not one page per book page
    full, sheet = folio_stamps(tmp_path, FOLIO_CSS, names, sheet=True)
    assert sheet.pages == len(names)
    assert [c is None for c in stamps.contents] == [name is None for name in names]
    for number, (mine, theirs) in enumerate(zip(stamps.contents, full)):
        if mine is not None:  # the same operators: font, size, position (flush right or centred), glyphs
            ours = [(o, op) for o, op in drawn(mine) if op != b"Tf"]
            assert ours == [(o, op) for o, op in drawn(theirs) if op != b"Tf"], number + 1


@pytest.mark.parametrize("folio", ["'p. ' counter(page)", "counter(page, lower-roman)", "counter(page) ' / ' counter(pages)"])
def test_folios_that_are_not_plain_figures_come_from_one_page_per_book_page(tmp_path, folio):
    names = [None] + [""] * 14
    stamps = folio_stamps(tmp_path, FOLIO_CSS.replace("counter(page)", folio), names)
    assert stamps.source == "sheet" and stamps.laid.pages == len(names)
