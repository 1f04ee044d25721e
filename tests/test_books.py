"""Books of essays: the [books.NAME] tables, the book's structure in both editions, links between essays."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from pipeline import build, open_project
from pipeline.cli import cli
from pipeline.config import BookPart
from pipeline.errors import ConfigError

from .conftest import NS, REPO, epub_names, epub_xml, pdf_pages, run_epubcheck, write

HEAD = "---\ntitle: {title}\ndate: 2025-0{month}-01\nlang: {lang}\n---\n\n"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory) -> Path:
    """The repository's sample project, book included, built once."""
    root = tmp_path_factory.mktemp("book")
    for folder in ("manuscripts", "bibliography"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "make-book.toml", root / "make-book.toml")
    results = build(open_project(root))
    assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok]
    assert [r.book for r in results if r.book] == ["carnets"]
    return root / "dist"


def test_books_are_read_from_the_project_file(project):
    root = project({"a.md": HEAD.format(title="A", month=1, lang="fr") + "Texte.\n"}, config="""
        [books.recueil]
        title = "Recueil"
        author = ["Anne Bé", "Paul Dé"]
        parts = [{ title = "Un", chapters = ["a"] }, { title = "Deux", chapters = ["b.md", "c"] }]
        """)
    (book,) = open_project(root).config.books
    assert (book.name, book.title, book.author) == ("recueil", "Recueil", ("Anne Bé", "Paul Dé"))
    assert book.parts == (BookPart("Un", ("a",)), BookPart("Deux", ("b", "c")))
    assert book.chapters == ("a", "b", "c")


@pytest.mark.parametrize("table, message", [
    ('[books.x]\nchapters = ["a"]\n', "has no title"),
    ('[books.x]\ntitle = "X"\n', "needs chapters"),
    ('[books.x]\ntitle = "X"\nchapters = ["a"]\nparts = []\n', "one of the two"),
    ('[books.x]\ntitle = "X"\nchapters = ["a", "a.md"]\n', "listed twice"),
    ('[books.x]\ntitle = "X"\nchapters = ["a"]\nsommaire = true\n', "unknown key 'sommaire' in [books.x]"),
    ('[books.x]\ntitle = "X"\nchapters = ["a"]\nbibliography = "part"\n', "expected one of book, chapter"),
    ('[books.x]\ntitle = "X"\nchapters = ["a"]\nnocite = "@a b!"\n', "'b!' is not a citation key"),
    ('[books."a b"]\ntitle = "X"\nchapters = ["a"]\n', "letters, digits"),
])
def test_a_wrong_book_table_is_an_error_naming_it_that_does_not_stop_the_others(project, table, message):
    root = project({"a.md": HEAD.format(title="A", month=1, lang="fr") + "Texte.\n"},
                   config=table + '\n[books.bon]\ntitle = "Bon"\nchapters = ["a"]\n')
    books = open_project(root).config.books  # the project opens: only that book is refused
    assert [(b.name, b.error is None) for b in books] == [(books[0].name, False), ("bon", True)]
    assert message in str(books[0].config_error(root))
    check = run("check", "--root", str(root))  # check lists it with its line, among its other findings
    assert check.exit_code == 1
    assert re.search(r"error: \S*make-book\.toml:[1-5]: books\.[^:]+: .*" + re.escape(message), check.output), check.output
    assert "1 error(s)" in check.output.splitlines()[-1]


def test_a_bad_book_date_fails_that_book_with_its_line_and_the_essays_still_build(project):
    root = project({"a.md": HEAD.format(title="A", month=1, lang="fr") + "Texte.\n"},
                   config='# livres\n[books.livre]\ntitle = "Livre"\ndate = "2024-02-30"\nchapters = ["a"]\n')
    result = run("--format", "epub", "--root", str(root))
    assert result.exit_code == 1
    assert "make-book.toml:4: books.livre: date: the date '2024-02-30' does not exist" in result.output
    assert "How to fix: correct the value in the table [books.livre]" in result.output
    assert (root / "dist" / "a.epub").is_file() and not (root / "dist" / "livre.epub").exists()
    refs = run("refs", "livre", "--root", str(root))
    assert refs.exit_code == 1 and "make-book.toml:4: books.livre: date:" in refs.output


def test_a_book_named_as_an_essay_is_refused_and_overwrites_nothing(project):
    root = project({"essai.md": HEAD.format(title="Essai", month=1, lang="fr") + "Texte.\n",
                    "autre.md": HEAD.format(title="Autre", month=1, lang="fr") + "Autre.\n"},
                   config='[books.essai]\ntitle = "Livre"\nchapters = ["autre"]\n')
    (root / "dist").mkdir()
    (root / "dist" / "essai.epub").write_bytes(b"the edition already published")
    result = run("--format", "epub", "--root", str(root))
    assert result.exit_code == 1
    assert re.search(r"error: \S*make-book\.toml:1: books\.essai: this book and manuscripts/essai\.md would both be "
                     r"published as essai\.pdf/\.epub\n  How to fix: rename the book", result.output), result.output
    assert "manuscripts/essai.md: 'essai.md' and the book [books.essai] (make-book.toml:1)" in result.output
    assert (root / "dist" / "essai.epub").read_bytes() == b"the edition already published"
    (root / "dist" / "essai.epub").unlink()  # a stand-in, not an EPUB: the session's EPUB checks must not read it
    assert (root / "dist" / "autre.epub").is_file()  # the rest still builds
    check = run("check", "--root", str(root))
    assert check.exit_code == 1 and "make-book.toml:1: books.essai: this book and manuscripts/essai.md" in check.output


def test_two_books_whose_names_differ_only_by_case_or_accents_are_both_refused(project):
    root = project({"a.md": HEAD.format(title="A", month=1, lang="fr") + "Texte.\n"},
                   config='[books.Ete]\ntitle = "Un"\nchapters = ["a"]\n\n[books."été"]\ntitle = "Deux"\n'
                          'chapters = ["a"]\n')
    check = run("check", "--root", str(root))
    assert check.exit_code == 1
    assert "make-book.toml:1: books.Ete: this book and [books.été] would both be published as ete.pdf" in check.output
    assert "make-book.toml:5: books.été: this book and [books.Ete]" in check.output


def test_a_chapter_that_is_not_a_manuscript_fails_the_book_only(project):
    root = project({"a.md": HEAD.format(title="A", month=1, lang="fr") + "Texte.\n"},
                   config='[books.x]\ntitle = "X"\nchapters = ["a", "abent"]\n')
    result = run("--root", str(root))
    assert result.exit_code == 1
    assert ("make-book.toml:3: books.x: chapters: the chapter 'abent' is not in manuscripts/"
            in result.output)
    assert (root / "dist" / "a.pdf").is_file()  # the essay was built all the same
    check = run("check", "--root", str(root))  # check names it too, once
    assert check.exit_code == 1 and check.output.count("the chapter 'abent' is not in manuscripts/") == 1


def test_the_sample_book_opens_each_chapter_on_a_right_hand_page(sample_book):
    pages = pdf_pages(sample_book / "carnets.pdf", flat=True)
    contents = next(i for i, text in enumerate(pages) if "Table des matières" in text)
    listed = re.findall(r"(Éloge de la lecture lente|Lire avec les machines|Bibliographie)[ .]+(\d+)",
                        pages[contents])
    assert [title for title, _ in listed] == ["Éloge de la lecture lente", "Lire avec les machines", "Bibliographie"]
    for title, number in listed:
        page = pages[int(number) - 1]
        assert title in page.split(" ")[0:8] or page.lstrip("0123456789 ").startswith(title) or title in page[:80], \
            (title, number)
    for title, number in listed[:2]:
        assert int(number) % 2 == 1, f"{title} opens on page {number}, a left-hand page"
    assert "20 janvier 2026" in pages[int(listed[0][1]) - 1].replace("\xa0", " ")  # the date under the title


def test_running_heads_book_title_left_chapter_title_right(sample_book):
    pages = pdf_pages(sample_book / "carnets.pdf", flat=True)
    contents = next(i for i, text in enumerate(pages) if "Table des matières" in text)
    opening = int(re.search(r"Lire avec les machines[ .]+(\d+)", pages[contents]).group(1))
    left, right = pages[opening], pages[opening + 1]  # pages opening+1 (even) and opening+2 (odd)
    assert "Carnets de lecture" in left and "Lire avec les machines" not in left, left
    assert "Lire avec les machines" in right and "Carnets de lecture" not in right, right


def test_one_bibliography_and_notes_numbered_in_each_chapter(sample_book):
    text = " ".join(pdf_pages(sample_book / "carnets.pdf", flat=True))
    assert text.count("Eco, Umberto") == 1  # cited by both essays, listed once
    with zipfile.ZipFile(sample_book / "carnets.epub") as archive:
        names = archive.namelist()
        chapters = [archive.read(n).decode() for n in sorted(names) if re.search(r"ch\d+\.xhtml$", n)]
    assert sum("doc-bibliography" in page for page in chapters) == 0
    assert "EPUB/bibliography.xhtml" in names
    firsts = [re.search(r'role="doc-noteref"[^>]*><sup>(\d+)</sup>', page) for page in chapters]
    assert [m.group(1) for m in firsts if m] == ["1", "1"]


def test_links_between_essays_lead_to_their_chapter(sample_book):
    with zipfile.ZipFile(sample_book / "carnets.epub") as archive:
        first, second = (archive.read(f"EPUB/ch0{i}.xhtml").decode() for i in (1, 2))
    # By file name (lire-avec-les-machines.md) and by the blog address an alias names.
    assert 'href="ch02.xhtml#chapter-lire-avec-les-machines"' in first
    assert 'href="ch01.xhtml#chapter-eloge-de-la-lecture-lente"' in second
    text = " ".join(pdf_pages(sample_book / "carnets.pdf", flat=True))
    assert re.search(r"la lecture avec les machines\s\(p\.\s\d+\)", text)


def test_the_book_epub_has_one_nav_of_chapters_and_sections(sample_book):
    nav = epub_xml(sample_book / "carnets.epub", "EPUB/nav.xhtml")
    top = [a.text for a in nav.xpath("//x:nav[@id='toc']/x:ol/x:li/x:a", namespaces=NS)]
    assert top == ["Éloge de la lecture lente", "Lire avec les machines", "Bibliographie"]
    sections = nav.xpath("//x:nav[@id='toc']/x:ol/x:li[1]/x:ol/x:li/x:a", namespaces=NS)
    assert [a.text for a in sections][0] == "Un texte se mérite"
    assert run_epubcheck(sample_book / "carnets.epub") == []


def test_the_book_is_on_the_shelf_and_rebuilt_only_when_a_chapter_changes(project):
    root = project({
        "a.md": HEAD.format(title="Premier", month=1, lang="fr") + "## Début\n\nTexte [@eco1985lector].\n",
        "b.md": HEAD.format(title="Second", month=2, lang="fr") + "## Suite\n\nVoir [le premier](a.md).\n",
    }, config='[books.duo]\ntitle = "Duo"\nparts = [{ title = "Seule partie", chapters = ["a", "b"] }]\n')
    assert run("--root", str(root)).exit_code == 0
    assert "Duo" in (root / "dist" / "index.html").read_text(encoding="utf-8")
    again = run("--root", str(root))
    assert "up to date book duo" in again.output
    write(root / "manuscripts" / "b.md", HEAD.format(title="Second", month=2, lang="fr") + "Autre texte.\n")
    changed = run("build", "duo", "--root", str(root))
    assert "built book duo" in changed.output and "b.md" not in changed.output
    text = " ".join(pdf_pages(root / "dist" / "duo.pdf", flat=True))
    assert "Seule partie" in text and "Autre texte" in text


# -- the pages around the chapters: half-title, title page, contents, colophon (issue #19) -----------------

def test_half_title_title_page_and_contents_each_open_a_recto(sample_book):
    pages = pdf_pages(sample_book / "carnets.pdf", flat=True)
    assert pages[0] == "Carnets de lecture"  # the half-title: the title alone, no folio
    assert pages[1] == ""  # its verso
    assert pages[2].startswith("Carnets de lecture Essais sur la lecture Anne Bé")  # the title page, a recto
    contents = next(i for i, text in enumerate(pages) if text.startswith("Table des matières"))
    assert contents % 2 == 0, f"the contents open on page {contents + 1}, a verso"


def test_the_colophon_closes_the_book_on_a_verso(sample_book):
    from pipeline import __version__

    pages = pdf_pages(sample_book / "carnets.pdf", flat=True)
    last = pages[-1].replace("\u202f", " ").replace("\xa0", " ")
    assert len(pages) % 2 == 0  # the last page is a verso
    assert last.startswith("Colophon Carnets de lecture. Essais sur la lecture Anne Bé Édition du ")
    # The typefaces the text is set in (no code in these essays: the code face is not named); no folio.
    assert last.endswith(f"Composé en Charis SIL avec make-book {__version__}.")
    assert "Colophon" not in next(p for p in pages if p.startswith("Table des matières"))
    # The EPUB: a back-matter page of its own, in the spine and the landmarks, not in the contents.
    page = epub_xml(sample_book / "carnets.epub", "EPUB/colophon.xhtml")
    section = page.find(".//x:body/x:section", NS)
    assert section.get(f"{{{EPUB}}}type") == "colophon" and section.get("role") == "doc-colophon"
    assert f"make-book {__version__}" in "".join(section.itertext())
    nav = epub_xml(sample_book / "carnets.epub", "EPUB/nav.xhtml")
    assert nav.xpath("//x:nav[@id='landmarks']//x:a[@epub:type='colophon']/@href", namespaces=NSE) == ["colophon.xhtml"]
    assert not nav.xpath("//x:nav[@id='toc']//x:a[@href='colophon.xhtml']", namespaces=NSE)
    opf = epub_xml(sample_book / "carnets.epub", "EPUB/content.opf")
    spine = [opf.find(f".//opf:item[@id='{ref}']", NS).get("href")
             for ref in opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]
    assert spine[-1] == "colophon.xhtml"


def test_the_epub_of_a_book_opens_with_title_page_contents_and_half_title(sample_book):
    """As the PDF: title page, contents, half-title, then the text; each named in the landmarks (EPUB 3
    Structural Semantics: titlepage, toc, halftitlepage), none of them in the contents; an essay keeps its own."""
    epub = sample_book / "carnets.epub"
    opf = epub_xml(epub, "EPUB/content.opf")
    spine = [opf.find(f".//opf:item[@id='{ref}']", NS).get("href")
             for ref in opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]
    assert spine[:5] == ["cover.xhtml", "titlepage.xhtml", "nav.xhtml", "halftitle.xhtml", "ch01.xhtml"], spine
    title = epub_xml(epub, "EPUB/titlepage.xhtml").find(".//x:body/x:section", NS)
    assert title.get(f"{{{EPUB}}}type") == "titlepage"
    assert [" ".join("".join(e.itertext()).split()) for e in title] == [
        "Carnets de lecture", "Essais sur la lecture", "Anne Bé", title[-1].text]
    half = epub_xml(epub, "EPUB/halftitle.xhtml").find(".//x:body/x:section", NS)
    assert half.get(f"{{{EPUB}}}type") == "halftitlepage"
    assert ["".join(e.itertext()) for e in half] == ["Carnets de lecture", "Essais sur la lecture"]
    nav = epub_xml(epub, "EPUB/nav.xhtml")
    marks = nav.xpath("//x:nav[@id='landmarks']//x:a", namespaces=NSE)
    assert [(a.get(f"{{{EPUB}}}type"), a.get("href")) for a in marks][:4] == [
        ("cover", "cover.xhtml"), ("titlepage", "titlepage.xhtml"), ("toc", "nav.xhtml#toc"),
        ("bodymatter", "ch01.xhtml")]
    assert not nav.xpath("//x:nav[@id='toc']//x:a[starts-with(@href, 'halftitle') or starts-with(@href, 'title')]",
                         namespaces=NSE)
    assert not run_epubcheck(epub)
    # An essay of the same project has no half-title, and no contents page in its spine.
    essay = epub_xml(sample_book / "lire-avec-les-machines.epub", "EPUB/content.opf")
    assert "halftitle.xhtml" not in essay.xpath("//opf:item/@href", namespaces=NS)
    assert "nav" not in essay.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)


def test_a_chapter_opening_has_no_running_head_only_its_folio(sample_book):
    pages = pdf_pages(sample_book / "carnets.pdf", flat=True)
    contents = next(p for p in pages if p.startswith("Table des matières"))
    for title in ("Éloge de la lecture lente", "Lire avec les machines", "Bibliographie"):
        number = int(re.search(re.escape(title) + r"[ .]+(\d+)", contents).group(1))
        opening = pages[number - 1]
        assert opening.startswith(title), opening[:80]  # the title first: no running head above it
        assert opening.endswith(f" {number}"), opening[-40:]  # the folio at the foot
        assert "Carnets de lecture" not in opening
    # The blank versos before a chapter carry nothing, not even a folio.
    assert all(text == "" for text in pages if not text.strip())
    blanks = [i for i, text in enumerate(pages) if text == ""]
    assert blanks and all(i % 2 == 1 for i in blanks)


EPUB = "http://www.idpf.org/2007/ops"
NSE = {**NS, "epub": EPUB}
ESSAY = "---\ntitle: {title}\ndate: 2026-0{month}-01\nlang: en\n---\n\n"


@pytest.fixture(scope="module")
def parts_book(tmp_path_factory) -> Path:
    """An English book in two parts, a bibliography per chapter, built once: three short essays citing works."""
    from .conftest import SAMPLE_BIB

    root = tmp_path_factory.mktemp("parts")
    write(root / "bibliography" / "refs.bib", SAMPLE_BIB)
    write(root / "manuscripts" / "tools.md", ESSAY.format(title="Tools of reading", month=1)
          + "## First tools\n\nA reader's machine [@eco1985lector, p. 27], or `grep -r reader`.\n\n"
            "## Second thoughts\n\nNot a tool at all, as [the next chapter](models.md) says.\n")
    write(root / "manuscripts" / "models.md", ESSAY.format(title="Models", month=2)
          + "## Networks\n\nDeep networks [@lecun2015deep] and readers [@eco1985lector].\n")
    write(root / "manuscripts" / "hours.md", ESSAY.format(title="Hours of work", month=3)
          + "## Counting hours\n\nAgain [@lecun2015deep].\n")
    write(root / "make-book.toml", """
        [books.field-notes]
        title = "Field Notes"
        author = "Anne Bé"
        lang = "en"
        date = 2026-03-01
        parts = [{ title = "Machines", chapters = ["tools", "models"] }, { title = "Work", chapters = ["hours"] }]
        bibliography = "chapter"
        """)
    results = build(open_project(root), ["field-notes"])
    assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok]
    return root / "dist"


def test_a_part_opens_on_a_recto_of_its_own_and_the_contents_nest_chapters_under_parts(parts_book):
    pages = pdf_pages(parts_book / "field-notes.pdf", flat=True)
    contents = next(p for p in pages if p.startswith("Contents"))
    listed = re.findall(r"([A-Z][A-Za-z ]+?)[ .]+(\d+)(?= |$)", contents.removeprefix("Contents "))
    titles = [title for title, _ in listed]
    assert titles[:2] == ["Machines", "Tools of reading"] and titles.index("Work") < titles.index("Hours of work")
    for title, number in listed:
        if title in ("Machines", "Work"):
            assert int(number) % 2 == 1, f"part {title} on page {number}, a verso"
            assert pages[int(number) - 1] == title  # the part's title alone: no running head, no folio
    # The PDF outline: each part holds its chapters, each chapter its sections.
    outline = PdfReader(str(parts_book / "field-notes.pdf")).outline
    tops = [item.title for item in outline if not isinstance(item, list)]
    assert "Machines" in tops and "Work" in tops and "Tools of reading" not in tops
    under_machines = outline[[i for i, item in enumerate(outline) if not isinstance(item, list)
                              and item.title == "Machines"][0] + 1]
    assert [item.title for item in under_machines if not isinstance(item, list)] == ["Tools of reading", "Models"]


def test_the_epub_nav_and_ncx_nest_chapters_under_their_part(parts_book):
    nav = epub_xml(parts_book / "field-notes.epub", "EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@id='toc']/x:ol", NS)
    parts = toc.findall("x:li", NS)
    assert [li.find("x:a", NS).text for li in parts] == ["Machines", "Work"]  # no bibliography of the book
    assert [a.text for a in parts[0].findall("x:ol/x:li/x:a", NS)] == ["Tools of reading", "Models"]
    assert [a.text for a in parts[1].findall("x:ol/x:li/x:a", NS)] == ["Hours of work"]
    assert [a.text for a in parts[0].findall("x:ol/x:li[1]/x:ol/x:li/x:a", NS)] == ["First tools", "Second thoughts",
                                                                                     "References"]
    part_page = epub_xml(parts_book / "field-notes.epub", "EPUB/" + parts[0].find("x:a", NS).get("href"))
    assert part_page.find(".//x:body/x:section", NS).get(f"{{{EPUB}}}type") == "part"
    ncx = epub_xml(parts_book / "field-notes.epub", "EPUB/toc.ncx")
    ncx_ns = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
    machines = ncx.xpath("/n:ncx/n:navMap/n:navPoint[1]", namespaces=ncx_ns)[0]
    assert machines.xpath("n:navLabel/n:text/text()", namespaces=ncx_ns) == ["Machines"]
    assert machines.xpath("n:navPoint/n:navLabel/n:text/text()", namespaces=ncx_ns) == ["Tools of reading", "Models"]
    assert run_epubcheck(parts_book / "field-notes.epub") == []


def test_an_english_book_has_an_english_colophon(parts_book):
    from pipeline import __version__

    last = pdf_pages(parts_book / "field-notes.pdf", flat=True)[-1]
    assert last == ("Colophon Field Notes Anne Bé This edition: March 1, 2026. "
                    f"Set in Charis SIL and DejaVu Sans Mono with make-book {__version__}.")


def test_each_chapter_ends_with_its_own_bibliography(parts_book):
    pages = pdf_pages(parts_book / "field-notes.pdf", flat=True)
    text = " ".join(pages)
    assert text.count("Eco, Umberto. 1985") == 2 and text.count("LeCun, Yann") == 2  # tools + models, models + hours
    contents = next(p for p in pages if p.startswith("Contents"))
    assert re.findall(r"(Tools of reading|Models|Hours of work|References)[ .]+\d+", contents) == [
        "Tools of reading", "References", "Models", "References", "Hours of work", "References"]
    # The EPUB: each chapter's entries have ids of their own; its citations link to them.
    for page, slug, keys in (("ch01", "tools", ["eco1985lector"]), ("ch02", "models", ["eco1985lector", "lecun2015deep"]),
                             ("ch03", "hours", ["lecun2015deep"])):
        xhtml = epub_xml(parts_book / "field-notes.epub", f"EPUB/{page}.xhtml")
        entries = xhtml.xpath("//x:div[@id=$refs]/x:div/@id", namespaces=NS, refs=f"{slug}-refs")
        assert entries == [f"{slug}-ref-{key}" for key in keys]
        links = set(xhtml.xpath("//x:a[starts-with(@href, '#')]/@href", namespaces=NS))
        assert {f"#{slug}-ref-{key}" for key in keys} <= links, links
        assert all(not href.startswith("#ref-") for href in links)
        heading = xhtml.xpath("//x:section[@id=$id]/x:h3/text()", namespaces=NS, id=f"{slug}-bibliography")
        assert heading == ["References"]


NOCITE_BIB = """
@book{barthes1973plaisir, author = {Barthes, Roland}, title = {Le Plaisir du texte}, publisher = {Seuil}, year = {1973}}
@book{perec1974especes, author = {Perec, Georges}, title = {Espèces d'espaces}, publisher = {Galilée}, year = {1974}}
@book{sontag1966against, author = {Sontag, Susan}, title = {Against Interpretation}, publisher = {Farrar}, year = {1966}}
"""


def entry_ids(epub: Path) -> dict[str, list[str]]:
    """Each page of the EPUB → the ids of the bibliography entries on it."""
    with zipfile.ZipFile(epub) as archive:
        pages = [n for n in archive.namelist() if n.endswith(".xhtml")]
    found = {}
    for name in pages:
        ids = epub_xml(epub, name).xpath("//x:div[starts-with(@id, 'ref-') or contains(@id, '-ref-')]/@id",
                                         namespaces=NS)
        if ids:
            found[name.removeprefix("EPUB/")] = ids
    return found


def test_nocite_in_a_book_goes_where_it_is_written(project):
    """A chapter's own nocite: its bibliography; the book's (make-book.toml, or the book table): a last
    section of the works no chapter cites, "Bibliographie complémentaire"; one bibliography: all of them."""
    from .conftest import SAMPLE_BIB

    root = project({
        "a.md": HEAD.format(title="Premier", month=1, lang="fr") + "Un lecteur [@eco1985lector].\n",
        "b.md": HEAD.format(title="Second", month=2, lang="fr").replace("lang: fr", "lang: fr\nnocite: '@perec1974especes'")
        + "Un réseau [@lecun2015deep].\n",
    }, bib={"refs.bib": SAMPLE_BIB + NOCITE_BIB})
    toml = root / "make-book.toml"
    book = '[books.duo]\ntitle = "Duo"\nchapters = ["a", "b"]\nbibliography = "{mode}"\n'
    write(toml, 'nocite = "@barthes1973plaisir"\n\n' + book.format(mode="chapter"))
    dist = root / "dist"
    assert run("build", "duo", "--format", "epub", "--root", str(root)).exit_code == 0
    assert entry_ids(dist / "duo.epub") == {"ch01.xhtml": ["a-ref-eco1985lector"],
                                            "ch02.xhtml": ["b-ref-lecun2015deep", "b-ref-perec1974especes"],
                                            "bibliography.xhtml": ["ref-barthes1973plaisir"]}
    nav = epub_xml(dist / "duo.epub", "EPUB/nav.xhtml")
    assert nav.xpath("//x:nav[@epub:type='toc']//x:a[@href='bibliography.xhtml']/text()", namespaces=NS) == [
        "Bibliographie complémentaire"]
    assert not run_epubcheck(dist / "duo.epub")
    # The book table's nocite wins over make-book.toml's; '@*' is every entry that no chapter lists.
    write(toml, 'nocite = "@barthes1973plaisir"\n\n' + book.format(mode="chapter") + 'nocite = "@*"\n')
    assert run("build", "duo", "--format", "epub", "--root", str(root)).exit_code == 0
    assert entry_ids(dist / "duo.epub")["bibliography.xhtml"] == ["ref-barthes1973plaisir", "ref-sontag1966against"]
    # A book-wide nocite that the chapters already cite adds no section.
    write(toml, book.format(mode="chapter") + 'nocite = ["@eco1985lector", "@perec1974especes"]\n')
    assert run("build", "duo", "--format", "epub", "--root", str(root)).exit_code == 0
    assert "bibliography.xhtml" not in entry_ids(dist / "duo.epub")
    # One bibliography for the book: every nocite, the book's and each chapter's, goes into it.
    write(toml, 'nocite = "@barthes1973plaisir"\n\n' + book.format(mode="book"))
    assert run("build", "duo", "--format", "epub", "--root", str(root)).exit_code == 0
    assert entry_ids(dist / "duo.epub") == {"bibliography.xhtml": [
        "ref-barthes1973plaisir", "ref-eco1985lector", "ref-lecun2015deep", "ref-perec1974especes"]}


def test_a_chapter_bibliography_speaks_its_chapters_language(project):
    """One style for the book, but each chapter's citations and entries in its own language's terms."""
    root = project({
        "a.md": HEAD.format(title="Premier", month=1, lang="fr") + "Un réseau [@lecun2015deep].\n",
        "b.md": HEAD.format(title="Second", month=2, lang="en") + "A network [@lecun2015deep].\n",
    }, config='[books.duo]\ntitle = "Duo"\nlang = "fr"\nchapters = ["a", "b"]\nbibliography = "chapter"\n')
    (result,) = build(open_project(root), ["duo"], formats=("epub",))
    assert result.ok, result.error
    texts = {page: " ".join("".join(epub_xml(root / "dist" / "duo.epub", f"EPUB/{page}.xhtml").itertext()).split())
             for page in ("ch01", "ch02")}
    assert "(LeCun, Bengio et Hinton 2015)" in texts["ch01"] and "Bibliographie" in texts["ch01"], texts["ch01"]
    assert "(LeCun, Bengio and Hinton 2015)" in texts["ch02"] and "References" in texts["ch02"], texts["ch02"]
    assert "Bengio, Yoshua and Hinton" in texts["ch02"] and "Bengio, Yoshua et Hinton" in texts["ch01"]


def test_what_the_epub_changes_in_a_chapter_is_warned_with_its_essays_line(project):
    root = project({
        "a.md": HEAD.format(title="Premier", month=1, lang="fr") + "Texte.\n",
        "b.md": HEAD.format(title="Second", month=2, lang="fr")
        + "Un paragraphe.\n\n<p align=\"center\">centré</p>\n\n<center>au milieu</center>\n\n"
        "## Partie\n\nTexte.\n\n#### Trop bas\n\nTexte.\n",
    }, config='[books.duo]\ntitle = "Duo"\nchapters = ["a", "b"]\n')
    (result,) = build(open_project(root), ["duo"], formats=("epub",))
    assert result.ok, result.error
    epub_warnings = [w for w in result.warnings if "EPUB:" in w]
    assert any(w.startswith("manuscripts/b.md:9: EPUB: align=\"center\" on <p>") for w in epub_warnings), epub_warnings
    assert any(w.startswith("manuscripts/b.md:11: EPUB: raw <center>") for w in epub_warnings), epub_warnings
    # A heading that skips a level, in the essay's own levels (its #### is the chapter's <h5>).
    assert any(w.startswith("manuscripts/b.md:17: EPUB: heading of level 4 ('Trop bas') under a level 2: "
                            "set as level 3") and "write it with ### " in w for w in epub_warnings), epub_warnings
    assert not [w for w in epub_warnings if "make-book.toml" in w], epub_warnings
    assert len(epub_warnings) == 3, epub_warnings  # each once: the book's own pass finds them fixed
    assert not run_epubcheck(root / "dist" / "duo.epub")


def test_both_books_pass_ace(sample_book, parts_book):
    """DAISY Ace on the two books (colophon, part pages, a bibliography per chapter): no violation."""
    from .ace import run_ace

    epubs = [sample_book / "carnets.epub", parts_book / "field-notes.epub"]
    reports = run_ace(epubs)
    problems = {path.name: report.get("error") or report["violations"]
                for path, report in reports.items() if report["outcome"] != "pass" or report["violations"]}
    assert set(reports) == set(epubs) and problems == {}


# -- refs NAME and check NAME (issue #19) ---------------------------------------------------------------------

@pytest.fixture
def duo(project) -> Path:
    """Two chapters citing one work each and one together, a link to the other chapter, one to an essay outside."""
    return project({
        "a.md": HEAD.format(title="Premier", month=1, lang="fr")
        + "Un lecteur [@eco1985lector].\n\nVoir [le second](b.md) et [mes marges](/c/).\n",
        "b.md": HEAD.format(title="Second", month=2, lang="fr")
        + "Encore [@eco1985lector] et [@lecun2015deep].\n\nPuis [@absent2020].\n",
        "c.md": HEAD.format(title="Marges", month=3, lang="fr") + "Hors du livre.\n",
    }, config='[books.duo]\ntitle = "Duo"\nchapters = ["a", "b"]\n')


def test_refs_of_a_book_reports_each_chapter_then_the_book(duo):
    result = run("refs", "duo", "--root", str(duo))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("book duo (2 chapters, bibliography = 'book')")
    assert out.index("a.md\n") < out.index("b.md\n")  # each chapter's table, in the book's order
    assert re.search(r"\n\s+9\s+link\s+chapter\s+b\.md\s+→ Second\n", out)  # made internal: no problem
    assert re.search(r"warning: \S*a\.md:9: the link '/c/' names the essay c\.md, which is not in the book 'duo': "
                     r"it is printed as text .*add 'c' to the book's chapters", out)
    assert re.search(r"info: \S*make-book\.toml:1: @eco1985lector is cited in 2 chapters \(a\.md, b\.md\): "
                     r"listed once, in the book's bibliography", out)
    assert "c.md\n" not in out  # the essay outside the book is not reported
    data = __import__("json").loads(run("refs", "duo", "--format", "json", "--root", str(duo)).output)
    assert [Path(c["manuscript"]).name for c in data[0]["chapters"]] == ["a.md", "b.md"]
    assert data[0]["book"] == "duo" and {f["level"] for f in data[0]["findings"]} == {"warning", "info"}


def test_check_of_a_book_gives_each_finding_with_its_chapter_file_and_line(duo):
    result = run("check", "duo", "--root", str(duo))
    assert result.exit_code == 1  # @absent2020 cited and in no bibliography: an error, as in the build
    lines = result.output.splitlines()
    assert any(re.fullmatch(r"error: \S*b\.md:9: citation @absent2020: unknown key; .*", line) for line in lines), lines
    assert any(re.match(r"warning: \S*a\.md:9: the link '/c/' names the essay c\.md", line) for line in lines)
    assert not any("link /c/: unresolved" in line for line in lines)  # said once, by the book's own finding
    assert not any("b.md: " in line and "unresolved" in line for line in lines)  # the chapter link is fine
    assert lines[-1] == "1 error(s), 1 warning(s), 1 note(s)"
    # An essay by name: its own references, no book findings.
    essay = run("check", "a", "--root", str(duo))
    assert essay.exit_code == 0 and "names the essay" not in essay.output
    assert "link /c/: unresolved" in essay.output


def test_refs_and_check_of_a_book_with_a_chapter_bibliography_say_where_a_shared_work_goes(duo):
    config = duo / "make-book.toml"
    config.write_text(config.read_text() + 'bibliography = "chapter"\n', encoding="utf-8")
    out = run("refs", "duo", "--root", str(duo)).output
    assert "@eco1985lector is cited in 2 chapters (a.md, b.md): listed in the bibliography of each" in out


def test_refs_of_a_book_calls_uncited_what_no_chapter_cites_and_sums_up_shared_works(project):
    """K3: a work another chapter cites is not "never cited here"; works shared by chapters make one line."""
    root = project({
        "a.md": HEAD.format(title="Premier", month=1, lang="fr") + "Un [@eco1985lector] et [@lecun2015deep].\n",
        "b.md": HEAD.format(title="Second", month=2, lang="fr") + "Deux [@eco1985lector] et [@lecun2015deep].\n",
    }, config='[books.duo]\ntitle = "Duo"\nchapters = ["a", "b"]\n')
    out = run("refs", "duo", "--root", str(root)).output
    assert "never cited here" not in out, out
    assert "eco1985lector is cited in" not in out and "lecun2015deep is cited in" not in out
    shared = [line for line in out.splitlines() if "more than one chapter" in line]
    assert len(shared) == 1 and "2 works are cited in more than one chapter (@eco1985lector, @lecun2015deep)" \
        in shared[0], out
    check = run("check", "duo", "--root", str(root)).output
    assert sum("more than one chapter" in line for line in check.splitlines()) == 1, check
    assert "is cited in 2 chapters" not in check
    data = __import__("json").loads(run("refs", "duo", "--format", "json", "--root", str(root)).output)
    cited = {"eco1985lector", "lecun2015deep"}
    assert not cited & set(data[0]["uncited"]) and all(not cited & set(c["uncited"]) for c in data[0]["chapters"])
    assert set(data[0]["uncited"]) == set(data[0]["chapters"][0]["uncited"])  # what no chapter cites
    if data[0]["uncited"]:
        assert "never cited in the book: " in out


def test_a_chapter_bibliography_goes_where_its_essay_places_it(project):
    root = project({
        "a.md": HEAD.format(title="Premier", month=1, lang="fr")
        + "## Lire\n\nUn lecteur [@eco1985lector].\n\n## Ouvrages cités\n\n::: {#refs}\n:::\n\n## Après\n\nFin.\n",
        "b.md": HEAD.format(title="Second", month=2, lang="en") + "## Reading\n\nAgain [@eco1985lector].\n",
    }, config='[books.duo]\ntitle = "Duo"\nlang = "fr"\nchapters = ["a", "b"]\nbibliography = "chapter"\n')
    results = build(open_project(root), ["duo"], formats=("epub",))
    assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok]
    epub = root / "dist" / "duo.epub"
    first = epub_xml(epub, "EPUB/ch01.xhtml")
    headings = first.xpath("//x:section/x:h3/text()", namespaces=NS)
    assert headings == ["Lire", "Ouvrages cités", "Après"]  # the author's place, under the author's heading
    assert first.xpath("//x:section[x:h3='Ouvrages cités']//x:div[@id='a-refs']/x:div/@id",
                       namespaces=NS) == ["a-ref-eco1985lector"]
    second = epub_xml(epub, "EPUB/ch02.xhtml")  # an English chapter: its entry, the book's style and language
    assert second.xpath("//x:div[@id='b-refs']/x:div/@id", namespaces=NS) == ["b-ref-eco1985lector"]
    assert not [n for n in epub_names(epub) if n.endswith("bibliography.xhtml")]  # none at the end of the book
    assert run_epubcheck(epub) == []


def test_check_of_a_book_leaves_out_findings_about_entries_it_does_not_cite(duo):
    write(duo / "bibliography" / "autres.bib", "@book{orphelin,\n  title = {Sans auteur ni date}\n}\n")
    book = run("check", "duo", "--root", str(duo)).output
    assert "autres.bib:1" not in book
    assert re.search(r"info: \S*bibliography: \d+ finding\(s\) about entries not cited in the book 'duo' left out",
                     book)
    assert "b.md:9: citation @absent2020" in book  # the book's own findings stay
    library = run("check", "--root", str(duo)).output
    assert re.search(r"warning: \S*autres\.bib:1: ", library)  # the whole library's check still lists it


def test_a_mistyped_name_suggests_the_close_book_and_lists_the_books(project):
    root = project({"un.md": HEAD.format(title="Un", month=1, lang="fr") + "Texte.\n",
                    "recit.md": HEAD.format(title="Récit", month=1, lang="fr") + "Texte.\n"},
                   config='[books.recueil]\ntitle = "Recueil"\nchapters = ["un"]\n')
    for command in (["check"], ["build"], ["refs"]):
        result = run(*command, "recuiel", "--root", str(root))
        assert result.exit_code == 1
        assert "no manuscript or book called 'recuiel': did you mean the book 'recueil'?" in result.output
        assert "books of make-book.toml: recueil" in result.output
    assert "did you mean 'recit'?" in run("check", "reci", "--root", str(root)).output


def test_a_book_build_names_bibliography_files_relative_to_the_project(project):
    """As check and an essay's build do (errors.where): bibliography/refs.bib:9, not /tmp/…/refs.bib:9."""
    bib = ("@book{beta2010,\n  author = {Bé, Ta},\n  title = {Beta},\n  publisher = {P},\n  year = {2010}\n}\n"
           "@misc{broken2020,\n  author = {Nul, Personne},\n  title = {Titre cassé,\n  year = {2020}\n}\n")
    root = project({"un.md": HEAD.format(title="Un", month=1, lang="fr") + "Beta [@beta2010].\n"},
                   bib={"refs.bib": bib}, config='[books.livre]\ntitle = "L"\nchapters = ["un"]\n')
    result = run("--format", "epub", "livre", "--root", str(root))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "refs.bib" in line]
    assert warnings and all(line.startswith("warning: bibliography/refs.bib:9: ") for line in warnings), warnings


PARSED_BIB = """@book{lune,
  author = {Verne, Jules}, title = {De la Terre à la Lune}, publisher = {Hetzel}, year = {1865}
}
@book{iles,
  author = {Verne, Jules}, title = {L'Île mystérieuse}, publisher = {Hetzel}, year = {1875}
}
"""


def test_an_unchanged_chapter_is_read_back_and_the_book_equals_a_cold_build(project, tmp_path, caplog,
                                                                             monkeypatch):
    """Only the edited chapter is parsed again (pipeline.document.ParsedStore); what is book-wide —
    citations, the bibliography, links between chapters, note numbers — is made again over the whole
    book, so the edition's bytes are those of a build from nothing; a new key in the .bib or another
    book table parses every chapter again, a cited entry's new title reaches the book."""
    import logging

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    texts = {f"{name}.md": HEAD.format(title=title, month=month, lang="fr")
             + f"Texte de {title} citant [@{key}], voir [l’autre]({other}.md)[^n].\n\n[^n]: Note de {title}.\n"
             for name, title, month, key, other in (("a", "Alpha", 1, "lune", "c"), ("b", "Bêta", 2, "iles", "a"),
                                                    ("c", "Gamma", 3, "lune", "b"))}
    root = project(texts, bib={"refs.bib": PARSED_BIB},
                   config='[books.trois]\ntitle = "Trois"\nauthor = "Anne Bé"\nchapters = ["a", "b", "c"]\n')
    caplog.set_level(logging.INFO, logger="pipeline.books.assemble")

    def parsed_in_build(folder: Path = root) -> tuple[int, bytes]:
        caplog.clear()
        (result,) = build(open_project(folder), ["trois"], formats=("epub",))
        assert result.ok, result.error
        (count,) = [r.chapters_parsed for r in caplog.records if hasattr(r, "chapters_parsed")]
        return count, (folder / "dist" / "trois.epub").read_bytes()

    def cold() -> bytes:
        copy = tmp_path / f"cold{len(list(tmp_path.iterdir()))}"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("dist"))
        count, data = parsed_in_build(copy)
        assert count == 3
        return data

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    assert parsed_in_build()[0] == 3
    edit(root / "manuscripts" / "b.md", "Note de Bêta", "Note changée de Bêta")
    count, edited = parsed_in_build()
    assert count == 1
    assert edited == cold()
    assert "Note changée de Bêta" in epub_text(root / "dist" / "trois.epub")

    # A cited entry changed: no chapter is parsed again, the book shows the new title.
    edit(root / "bibliography" / "refs.bib", "De la Terre à la Lune", "Autour de la Lune")
    count, edited = parsed_in_build()
    assert count == 0 and edited == cold()
    assert "Autour de la Lune" in epub_text(root / "dist" / "trois.epub")

    # A new key in the .bib (a bare @key in a chapter may now name it), the book's table: all again.
    edit(root / "bibliography" / "refs.bib", "@book{iles", "@book{nautilus,\n  author = {Verne, Jules}, "
         "title = {Vingt mille lieues}, publisher = {Hetzel}, year = {1870}\n}\n@book{iles")
    assert parsed_in_build()[0] == 3
    edit(root / "make-book.toml", 'title = "Trois"', 'title = "Trois essais"')
    count, edited = parsed_in_build()
    assert count == 3 and edited == cold()
    # Only the chapters' current texts are kept.
    assert len(list((root / "dist" / ".make-book-parsed" / "trois").glob("*.json"))) == 3


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return " ".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                        if name.endswith(".xhtml"))
