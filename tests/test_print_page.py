"""The printed page: nothing lost or clipped, lines that break where a typographer allows."""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from lxml import html as lxml_html

from pipeline import build, open_project
from pipeline.editions import pdf as pdf_edition
from pipeline.errors import RenderError

from .conftest import pdf_pages

WORDS = ("lecture note page livre texte marge appel pied citation auteur source passage idée forme "
         "réseau modèle question réponse").split()
XHTML = "{http://www.w3.org/1999/xhtml}"
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\u00ad"))


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.translate(INVISIBLE)


def pdf_lines(path: Path) -> list[list[str]]:
    """The words of each line of the PDF, in reading order (pdftotext -bbox-layout)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout
    return [[(w.text or "").translate(INVISIBLE) for w in line.iter(f"{XHTML}word")]
            for line in ElementTree.fromstring(xml).iter(f"{XHTML}line")]


def running_heads(path: Path) -> list[str]:
    """The text above the text block (the top 15 mm) of each page."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout
    return [" ".join(w.text or "" for w in page.iter(f"{XHTML}word") if float(w.get("yMax")) < 15 * 72 / 25.4)
            for page in ElementTree.fromstring(xml).iter(f"{XHTML}page")]


def folios(path: Path) -> list[str]:
    """The text below the text block (the bottom 22 mm) of each page."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout
    return [" ".join(w.text or "" for w in page.iter(f"{XHTML}word")
                     if float(w.get("yMin")) > float(page.get("height")) - 22 * 72 / 25.4)
            for page in ElementTree.fromstring(xml).iter(f"{XHTML}page")]


def build_pdf(project, text: str, name: str = "essai.md", formats=("pdf",)):
    root = project({name: text})
    [result] = build(open_project(root), formats=formats)
    return root, result


# Never lose text -------------------------------------------------------------------------------

@pytest.mark.parametrize("length", [420, 900])
def test_a_note_longer_than_the_page_continues_on_the_next(project, length):
    rng = random.Random(length)
    note = f"DEBUTNOTE {words(rng, length // 2)}. {words(rng, length // 2)} FINNOTE."
    text = (f"---\ntitle: Note fleuve\nlang: fr\n---\n\n## Texte\n\n{words(rng, 180)} zzappel.[^long] "
            f"{words(rng, 30)}\n\n[^long]: {note}\n\n" + "\n\n".join(words(rng, 90) for _ in range(8)) + "\n")
    root, result = build_pdf(project, text)
    assert result.ok, result.error
    assert not [w for w in result.warnings if "note" in w], result.warnings
    pages = pdf_pages(root / "dist" / "essai.pdf", flat=True)
    call_page = next(n for n, page in enumerate(pages) if "zzappel." in page)
    start = next(n for n, page in enumerate(pages) if "DEBUTNOTE" in page)
    end = next(n for n, page in enumerate(pages) if "FINNOTE" in page)
    assert start == call_page and end > start
    # every word of the note is printed, once
    printed = pdf_text(root / "dist" / "essai.pdf")
    assert printed.count("DEBUTNOTE") == 1 and printed.count("FINNOTE") == 1
    note_words = note.split()
    assert len(re.findall(r"\w+", " ".join(note_words))) <= len(re.findall(r"\w+", printed))


def test_the_pages_a_long_note_continues_on_keep_their_folio_and_fill_the_text_block(project):
    # The text ends on the first pages; WeasyPrint adds pages for the rest of the note (":blank" pages
    # once, with no folio, the note in the bottom half only).
    rng = random.Random(11)
    paragraphs = "\n\n".join(words(rng, 75) for _ in range(3))
    note = "DEBUTNOTE " + " ".join(["attention"] * 700) + " FINNOTE."
    root, result = build_pdf(project, f"---\ntitle: Note\nlang: fr\n---\n\nUn paragraphe avec une note.[^a]\n\n"
                                      f"{paragraphs}\n\n[^a]: {note}\n")
    assert result.ok, result.error
    path = root / "dist" / "essai.pdf"
    pages = pdf_pages(path, flat=True)
    assert "".join(pages).count("FINNOTE") == 1
    assert [f.split()[-1:] for f in folios(path)] == [[str(n + 1)] for n in range(len(pages))]
    per_page = [page.count("attention") for page in pages]
    only_note = [n for n, page in enumerate(pages) if "lecture" not in page and "FINNOTE" not in page
                 and not any(w in page for w in WORDS)]
    assert only_note, per_page  # the text ends before the note does
    for n in only_note:  # a page with no text left is filled by the note, not its foot only
        assert per_page[n] >= 1.6 * per_page[0], per_page


def test_lines_calling_notes_stay_on_their_page_while_a_long_note_continues(project):
    # Each line calling a note was pushed to the next page while the long note's next part
    # waited there (footnote-policy: line): one line of text per page.
    rng = random.Random(12)
    note = "DEBUTNOTE " + " ".join(["attention"] * 700) + " FINNOTE."
    items = "\n\n".join(f"Phrase{k} {words(rng, 12)}.[^n{k}]" for k in range(2, 6))
    notes = "\n\n".join(f"[^n{k}]: Note{k} courte." for k in range(2, 6))
    root, result = build_pdf(project, f"---\ntitle: Note\nlang: fr\n---\n\nUn paragraphe avec une note.[^a]\n\n"
                                      f"{items}\n\n[^a]: {note}\n\n{notes}\n")
    assert result.ok, result.error
    path = root / "dist" / "essai.pdf"
    pages = pdf_pages(path, flat=True)
    # the text is short: all of it stays on the first page
    assert all(f"Phrase{k}" in pages[0] for k in range(2, 6)), pages[0]
    text = "".join(pages)
    assert text.count("FINNOTE") == 1 and all(text.count(f"Note{k}") == 1 for k in range(2, 6))
    assert all(text.index("FINNOTE") < text.index(f"Note{k}") for k in range(2, 6))  # notes in order
    assert [f.split()[-1:] for f in folios(path)] == [[str(n + 1)] for n in range(len(pages))]


def test_a_long_note_called_early_never_leaves_the_page_before_it_empty(project):
    # The paragraph's second line called a note that no longer fitted: orphans took its first line (and the
    # long note called there) to the next page, and the first page held the title alone.
    long_note = "DEBUTNOTE " + " ".join(["attention"] * 150) + " FINNOTE."
    root, result = build_pdf(project, "---\ntitle: Note\nlang: fr\n---\n\n"
                             "Un paragraphe avec une note courte.[^a] Et une autre plus longue.[^b] Et une troisième "
                             "qui appelle encore une note de quelques lignes.[^c]\n\n"
                             "[^a]: Une note courte qui tient sur une ligne.\n"
                             f"[^b]: {long_note}\n"
                             "[^c]: Une note de plusieurs lignes, qui parle de lecture lente et de carnets, assez "
                             "longue pour tenir sur trois lignes au moins dans la note de bas de page.\n")
    assert result.ok, result.error
    pages = pdf_pages(root / "dist" / "essai.pdf", flat=True)
    assert "Un paragraphe" in pages[0] and "DEBUTNOTE" in pages[0], pages[0]
    text = "".join(pages)
    assert text.count("FINNOTE") == 1 and text.count("trois lignes") == 1
    assert not [w for w in result.warnings if "note" in w], result.warnings


def test_starved_pages_name_the_notes_of_the_paragraph_after_a_page_left_empty():
    from weasyprint import HTML
    # A page that ends a third of the way down, then a paragraph calling notes: named; a page full of text: not.
    page = "<style>@page { size: A5; margin: 20mm } .footnote { float: footnote }</style>"
    document = HTML(string=page + "<p>Titre</p><p style='break-before: page'>Texte<span class='footnote' "
                    "id='fn1'>note</span> suite.</p>").render()
    assert pdf_edition.starved_pages(document) == ["fn1"]
    full = HTML(string=page + "<p>" + "Texte plein. " * 400 + "</p><p>Suite<span class='footnote' id='fn2'>n</span>"
                ".</p>").render()
    assert pdf_edition.starved_pages(full) == []


def test_continue_notes_cuts_at_sentence_ends_and_keeps_markup():
    body = lxml_html.fragment_fromstring(
        '<p>Texte<span class="footnote" id="fn1">Une <em>première phrase</em> assez longue pour compter. '
        'Une deuxième phrase qui suit, avec un <a href="#x">lien</a>. Une troisième et dernière phrase.</span>'
        ' suite.</p>', create_parent="div")
    pdf_edition.continue_notes(body, {"fn1": 1.5})
    notes = body.xpath(".//span[contains(@class, 'footnote')]")
    assert [n.get("id") for n in notes] == ["fn1", "fn1-continued1"]
    assert "continued" in notes[1].get("class")
    joined = " ".join(n.text_content().strip() for n in notes)
    assert joined == ("Une première phrase assez longue pour compter. Une deuxième phrase qui suit, avec un lien. "
                      "Une troisième et dernière phrase.")
    assert notes[0].text_content().rstrip().endswith(".")
    assert body.find(".//em").text == "première phrase"
    assert notes[-1].tail == " suite."


@pytest.mark.parametrize("markdown", [
    "![Portrait par [Anne Exemple](https://example.org/artiste)](figure.png)",
    '<figure>\n<img alt="Portrait" src="figure.png">\n<figcaption>Portrait par '
    '<a href="https://example.org/artiste">Anne Exemple</a></figcaption>\n</figure>',
])
def test_a_link_in_a_caption_builds_both_editions_and_prints_its_address(project, markdown):
    rng = random.Random(7)
    items = "\n\n".join(f"- {words(rng, 60)}" for _ in range(6))
    root = project({"seance.md": f"---\ntitle: Essai\nlang: fr\n---\n\n## Séance\n\n{markdown}\n\n{items}\n"})
    (root / "manuscripts" / "figure.png").write_bytes((Path(__file__).parent / "data" / "figure.png").read_bytes())
    [result] = build(open_project(root))
    assert result.ok, result.error
    assert {e.format for e in result.editions} == {"pdf", "epub"}
    assert "example.org/artiste" in pdf_text(root / "dist" / "seance.pdf")


def test_misplaced_link_notes_are_named_by_address(project):
    body = lxml_html.fragment_fromstring('<p>Voir <span class="footnote url-note" id="url1"><span class="url">'
                                         'https://example.org/a</span></span></p>', create_parent="div")
    root, _ = build_pdf(project, "---\ntitle: T\n---\n\nUn [lien](https://example.org/a).\n", formats=("epub",))
    from pipeline.builder import prepare
    from pipeline.render import Rendered

    document = prepare(open_project(root), root / "manuscripts" / "essai.md")
    pdf_edition.report_misplaced(Rendered(document=document, body=body), body, {"url1", "fn2"})
    assert any("https://example.org/a" in w and "essai.md:5" in w for w in document.warnings), document.warnings
    assert any(w.startswith("manuscripts/essai.md") and "note(s) 2" in w for w in document.warnings)


def test_the_epub_is_written_when_the_pdf_fails(project, monkeypatch):
    def fail(rendered, *args, **kwargs):
        raise RenderError("layout failed", path=rendered.document.manuscript.path)

    monkeypatch.setattr(pdf_edition, "write_pdf", fail)
    root, result = build_pdf(project, "---\ntitle: T\n---\n\nTexte.\n", formats=("pdf", "epub"))
    assert not result.ok and "layout failed" in str(result.error)
    assert (root / "dist" / "essai.epub").exists() and not (root / "dist" / "essai.pdf").exists()


# Line breaks ------------------------------------------------------------------------------------

def test_a_note_call_never_starts_a_line(project):
    """Calls after words of every length, with and without a space before them: never at a line's start."""
    rng = random.Random(3)
    paragraphs, notes = [], []
    count = 0
    for _ in range(25):
        sentence = []
        for _ in range(5):
            space = " " if count % 2 else ""
            punct = rng.choice(["", ".", ",", " ;", " »"])
            sentence.append(f"{words(rng, rng.randint(2, 14))} m{count:03d}x{punct}{space}[^n{count}]")
            notes.append(f"[^n{count}]: N.")
            count += 1
        paragraphs.append(" ".join(sentence) + " fin.")
    root, result = build_pdf(project, "---\ntitle: Appels\nlang: fr\n---\n\n" + "\n\n".join(paragraphs) + "\n\n"
                             + "\n".join(notes) + "\n")
    assert result.ok, result.error
    lines = pdf_lines(root / "dist" / "essai.pdf")
    for i in range(count):
        [line] = [line for line in lines if any(f"m{i:03d}x" in w for w in line)]
        assert re.search(rf"m{i:03d}x\W*{i + 1}(?!\d)", "".join(line)), (i, line)


def test_link_addresses_go_in_brackets_after_digits_captions_and_headings():
    body = lxml_html.fragment_fromstring(
        '<section id="s"><h2>Titre <a href="https://example.org/h">lien</a></h2>'
        '<p>Le <a href="https://example.org/c">chapitre 10</a> et <a href="https://example.org/t">ce texte</a>.</p>'
        '<figure><img src="x.png"/><figcaption>Par <a href="https://example.org/f">Anne</a></figcaption></figure>'
        '</section>', create_parent="div")
    pdf_edition.print_addresses(body, "note")
    notes = [n.text_content() for n in body.xpath(".//span[contains(@class, 'url-note')]")]
    after = [n.text_content() for n in body.xpath(".//span[@class='url-after']")]
    assert notes == ["https://example.org/t"]
    assert sorted(after) == ["(https://example.org/c)", "(https://example.org/f)", "(https://example.org/h)"]


ADDRESSES = [
    "https://pictoriaxyz.hypotheses.org/carnets/documentation/4707",
    "https://example.org/photographies/anciennes/transformation_interpretation?id=12&lang=fr",
    "https://www.bibliotheque-numerique.example/collections/manuscrits-enlumines/catalogue",
    "redaction.collective@bibliotheque-numerique.example.org",
    "10.1093/bibliographie/representations.2019.012345",
]


def test_addresses_and_code_are_never_hyphenated_in_text_notes_and_bibliography(project):
    rng = random.Random(5)
    paragraphs = []
    for i, address in enumerate(ADDRESSES * 3):
        shown = f"<{address}>" if "@" in address or address.startswith("http") else f"doi:{address}"
        paragraphs.append(f"{words(rng, rng.randint(3, 25))} {shown} {words(rng, 6)} "
                          f"`transformation_de_la_representation.interpretation()` {words(rng, rng.randint(1, 9))}"
                          f"[^a{i}]\n\n[^a{i}]: {words(rng, rng.randint(1, 8))} {shown}.")
    bib = "\n".join(f"@online{{site{i},\n  author = {{Lebrun, Odile}},\n  title = {{Tutoriel {i} pour annoter}},\n"
                    f"  year = {{20{i:02d}}},\n  url = {{{ADDRESSES[i % 3]}/{'documentation' * (i % 2 + 1)}}}\n}}"
                    for i in range(6))
    cites = "; ".join(f"@site{i}" for i in range(6))
    root = project({"essai.md": "---\ntitle: Adresses\nlang: fr\n---\n\n" + "\n\n".join(paragraphs)
                    + f"\n\nVoir [{cites}].\n"}, bib={"refs.bib": bib})
    [result] = build(open_project(root), formats=("pdf",))
    assert result.ok, result.error
    text = pdf_text(root / "dist" / "essai.pdf")
    joined = text.replace("\n", "")
    # each address reads whole once the line ends are joined (a page break may come between its pieces)
    for address in ADDRESSES:
        assert joined.count(address) >= 2, address
    assert joined.count("transformation_de_la_representation.interpretation()") >= 12
    for i in range(6):
        assert f"{ADDRESSES[i % 3]}/{'documentation' * (i % 2 + 1)}" in joined
    # a hyphen added at a line's end is only ever inside a plain word
    for line in pdf_lines(root / "dist" / "essai.pdf"):
        if line and line[-1].endswith("\u2010"):
            assert re.fullmatch(r"[^\W\d_]+\u2010", line[-1]), line
    assert "\u2010" not in "".join(w for line in pdf_lines(root / "dist" / "essai.pdf") for w in line
                                    if re.search(r"[/@_.]\w", w))


def test_ligatures_after_an_address_keep_their_text(project):
    # An address may break inside a long segment (zero-width spaces between its letters): a
    # ligature formed across them gave the "fi" glyph the wrong text for the whole PDF.
    text = ("---\ntitle: Ligatures\ndate: 2026-03-20\nlang: fr\n---\n\n"
            "Une adresse : <https://example.org/a/identifiant-officiel?fichier=affiche>.\n\n"
            "Un guillemet \"fin\" ici, afin de voir les officiers, les affiches et le flot.\n")
    root, result = build_pdf(project, text)
    assert result.ok, result.error
    printed = " ".join(pdf_text(root / "dist" / "essai.pdf").split())
    for word in ("« fin »", "afin", "officiers,", "affiches", "flot."):
        assert word in printed, (word, printed)
    assert "identifiant-officiel?fichier=affiche" in printed.replace(" ", ""), printed  # it may break on a line end


def test_breakable_adds_break_points_after_separators_and_inside_long_segments():
    from pipeline.editions.lines import ZERO_WIDTH_SPACE as Z, breakable

    assert breakable("https://a.org/b_c?x=1&y=2") == f"https://a.{Z}org/{Z}b_{Z}c?{Z}x={Z}1&{Z}y=2"
    assert breakable("https://a.org/b_c?x=1&y=2").replace(Z, "") == "https://a.org/b_c?x=1&y=2"
    # a long path segment may break anywhere, keeping 3 characters on each side; never inside "://"
    long = breakable("https://x.org/representation?q=1")
    assert long.startswith("https://x.") and f"/{Z}rep{Z}r{Z}" in long and f"t{Z}ion?{Z}" in long
    pieces = long.split(Z)
    assert "".join(pieces) == "https://x.org/representation?q=1"
    assert all(len(piece.strip("/.-_?&=")) >= 1 for piece in pieces) and "rep" in pieces and "ion?" in pieces
    # short segments keep only the separator breaks, and so does ragged text (a bibliography entry)
    assert breakable("https://a.org/page/note") == f"https://a.{Z}org/{Z}page/{Z}note"
    assert breakable("https://x.org/representation?q=1", inside_segments=False) == f"https://x.{Z}org/{Z}representation?{Z}q=1"
    from pipeline.editions.lines import break_addresses

    body = lxml_html.fragment_fromstring('<div><p>Lire https://x.org/representation ici.</p>'
                                         '<div class="csl-entry">Voir https://x.org/representation</div></div>')
    break_addresses(body)
    justified, ragged = (e.text for e in body.xpath(".//span[@class='address']"))
    assert f"rep{Z}r" in justified and ragged == f"https://x.{Z}org/{Z}representation"


def test_addresses_in_plain_text_are_wrapped_and_names_kept_whole():
    from pipeline.editions.lines import break_addresses, keep_names_whole

    body = lxml_html.fragment_fromstring(
        '<p>Écrire à <em>anne@example.org</em>, lire doi:10.1038/nature14539. Puis Montesquieu et '
        '<a href="https://x.org/a">https://x.org/a</a> et <code>a.b_c</code>.</p><pre><code>keep/this</code></pre>'
        '<h2>Montesquieu</h2>', create_parent="div")
    break_addresses(body)
    keep_names_whole(body)
    addresses = [e.text_content().replace("\u200b", "") for e in body.xpath(".//*[contains(@class, 'address')]")]
    assert sorted(addresses) == ["10.1038/nature14539", "a.b_c", "anne@example.org", "https://x.org/a"]
    names = [e.text for e in body.xpath(".//span[@class='name']")]
    assert names == ["Écrire", "Montesquieu"]
    assert body.xpath("string(.//pre)") == "keep/this" and body.xpath("string(.//h2)") == "Montesquieu"
    assert body.find(".//a").get("href") == "https://x.org/a"
    assert body.text_content().replace("\u200b", "").startswith("Écrire à anne@example.org, lire doi:10.1038/nature14539. Puis")


def test_a_compound_proper_name_is_marked_and_never_cut_at_its_hyphens(project):
    from pipeline.editions.lines import keep_names_whole

    body = lxml_html.fragment_fromstring("<p>Il vit à Saint-Rémy-de-Provence avec Montesquieu.</p>",
                                         create_parent="div")
    keep_names_whole(body)
    assert [(e.text, e.get("class")) for e in body.xpath(".//span[contains(@class, 'name')]")] == [
        ("Saint-Rémy-de-Provence", "name compound"), ("Montesquieu", "name")]
    # the name at every place of a line: none ends in "Saint-" or "Saint-Rémy-"
    rng = random.Random(31)
    paragraphs = "\n\n".join(f"{words(rng, 3 + k)} Saint-Rémy-de-Provence {words(rng, 12)}." for k in range(14))
    root, result = build_pdf(project, f"---\ntitle: Noms\nlang: fr\n---\n\n{paragraphs}\n")
    assert result.ok, result.error
    lines = pdf_lines(root / "dist" / "essai.pdf")
    assert sum(" ".join(line).count("Saint-Rémy-de-Provence") for line in lines) == 14
    assert not [line for line in lines if line and line[-1] in ("Saint-", "Saint-Rémy-", "Saint-Rémy-de-")]


# Headings ---------------------------------------------------------------------------------------

def test_a_note_or_link_in_a_heading_stays_in_the_text(project):
    """Contents, running heads, bookmarks, EPUB navigation and titles show the heading without its notes."""
    import zipfile

    import pypdf

    rng = random.Random(11)
    sections = [
        "## Un titre qui porte une note[^t1]",
        "## Une partie [liée](https://example.org/source) et annotée^[Une note en ligne.]",
        "## Une troisième partie",
        "### Un sous-titre annoté[^t2]",
        "## Une quatrième partie",
    ]
    text = "---\ntitle: Titres annotés\nlang: fr\n---\n\n" + "\n\n".join(
        f"{heading}\n\n" + "\n\n".join(words(rng, 120) for _ in range(4)) for heading in sections)
    text += "\n\n[^t1]: Cette note explique le titre.\n\n[^t2]: Une autre explication.\n"
    root, result = build_pdf(project, text, formats=("pdf", "epub"))
    assert result.ok, result.error
    expected = ["Un titre qui porte une note", "Une partie liée et annotée", "Une troisième partie"]
    reader = pypdf.PdfReader(root / "dist" / "essai.pdf")

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    assert [t for t in titles(reader.outline) if t in expected or t.startswith("Un")] == [
        *expected[:3], "Un sous-titre annoté", "Une quatrième partie"]
    pages = [page.extract_text() for page in reader.pages]
    contents = next(page for page in pages if "Table des matières" in page)
    for title in expected:
        assert re.search(re.escape(title) + r"[ .]*\d", contents), contents
    assert "explique" not in contents and "example.org" not in contents and "en ligne" not in contents
    heads = set(running_heads(root / "dist" / "essai.pdf"))
    assert heads & set(expected) and heads <= {"Titres annotés", "", *expected, "Une quatrième partie"}, heads
    # the notes and the address are still printed with the text
    full = pdf_text(root / "dist" / "essai.pdf")
    assert "Cette note explique le titre." in full and "Une note en ligne." in full and "example.org/source" in full
    with zipfile.ZipFile(root / "dist" / "essai.epub") as epub:
        nav = epub.read("EPUB/nav.xhtml").decode()
        ncx = epub.read("EPUB/toc.ncx").decode()
        chapters = [epub.read(n).decode() for n in epub.namelist() if re.search(r"ch\d+\.xhtml$", n)]
    for title in expected + ["Un sous-titre annoté"]:
        assert f">{title}</a>" in nav and f"<text>{title}</text>" in ncx
    assert any(f"<title>{expected[0]}</title>" in c for c in chapters)


# Characters no font has -------------------------------------------------------------------------

def _font_has(char: str) -> bool:
    return bool(subprocess.run(["fc-list", f":charset={ord(char):x}"], capture_output=True, text=True).stdout.strip())


def test_a_character_no_font_has_is_a_warning_with_its_line(project):
    text = ("---\ntitle: Mes outils\nlang: fr\n---\n\n## 🚀 Démarrage\n\nC'est parti 🥳 !\n\n"
            "Un hiéroglyphe \U00013000 seul.\n\nEt une ligne sans rien d'étrange : « é », ½, €.\n")
    root, result = build_pdf(project, text)
    assert result.ok, result.error
    glyphs = [w for w in result.warnings if "has no glyph" in w]
    for char, line in (("🚀", 6), ("🥳", 8), ("\U00013000", 10)):
        named = [w for w in glyphs if f"character {char} " in w]
        if _font_has(char):
            assert not named, named
        else:
            assert named and named[0].startswith(f"manuscripts/essai.md:{line}:") and "fonts-noto" in named[0], glyphs
    assert not [w for w in glyphs if any(f"character {c} " in w for c in "é½€«»")]
    assert "🥳" in pdf_text(root / "dist" / "essai.pdf")


# The book's shape ---------------------------------------------------------------------------------

def _essay(sections: int, paragraphs: int, seed: int) -> str:
    rng = random.Random(seed)
    return "---\ntitle: Forme du livre\nlang: fr\n---\n\n" + "\n\n".join(
        f"## Partie {n}\n\n" + "\n\n".join(words(rng, 110) for _ in range(paragraphs))
        for n in range(1, sections + 1)) + "\n"


def test_a_short_essay_is_set_as_an_article(project):
    """Three sections or fewer, or under five pages of text: the title opens the first page, no contents."""
    for name, text in (("trois.md", _essay(3, 6, 1)), ("court.md", _essay(5, 1, 2))):
        root = project({name: text})
        [result] = build(open_project(root), [name.removesuffix(".md")], formats=("pdf",))
        assert result.ok, result.error
        pages = pdf_pages(root / "dist" / name.replace(".md", ".pdf"), flat=True)
        assert "Forme du livre" in pages[0] and "Partie 1" in pages[0], pages[0][:200]
        assert not any("Table des matières" in page for page in pages)


def test_a_long_essay_opens_its_text_on_a_right_hand_page_after_unnumbered_front_pages(project):
    root = project({"long.md": _essay(5, 4, 3)})
    [result] = build(open_project(root), formats=("pdf",))
    assert result.ok, result.error
    pdf = root / "dist" / "long.pdf"
    pages = pdf_pages(pdf, flat=True)
    assert "Table des matières" in pages[1]
    first = next(n for n, page in enumerate(pages) if "Partie 1" in page and "Table des matières" not in page)
    assert first % 2 == 0  # an odd folio: a right-hand page
    feet = folios(pdf)
    assert feet[0] == "" and feet[1] == ""  # title and contents pages: no folio
    assert feet[first] == str(first + 1)


def test_margins_are_classical_and_the_note_rule_short(project):
    """Inner < outer and top < bottom, measured on the printed words of facing pages."""
    root = project({"long.md": _essay(5, 5, 4).replace("Partie 2\n\n", "Partie 2\n\nUn appel[^a].\n\n") + "\n[^a]: Une note.\n"})
    [result] = build(open_project(root), formats=("pdf",))
    assert result.ok, result.error
    xml = subprocess.run(["pdftotext", "-bbox", str(root / "dist" / "long.pdf"), "-"], capture_output=True,
                         check=True).stdout
    mm = 72 / 25.4
    for number, page in enumerate(ElementTree.fromstring(xml).iter(f"{XHTML}page")):
        if number < 3:
            continue
        width = float(page.get("width"))
        xs = [(float(w.get("xMin")), float(w.get("xMax"))) for w in page.iter(f"{XHTML}word")]
        left, right = min(x for x, _ in xs) / mm, (width - max(x for _, x in xs)) / mm
        inner, outer = (left, right) if number % 2 == 0 else (right, left)
        assert inner < outer - 4, (number, inner, outer)


# Blocks: kept together, split, fitted ----------------------------------------------------------

def test_blocks_are_marked_to_keep_together_split_or_shrink():
    from pipeline.editions.blocks import shape_blocks

    rows = "".join(f"<tr><td>{i}</td><td>b</td></tr>" for i in range(6))
    many = "".join(f"<tr><td>{i}</td><td>b</td></tr>" for i in range(9))
    wide = "<tr>" + "<td>x</td>" * 8 + "</tr>"
    body = lxml_html.fragment_fromstring(
        f"<table id='short'><thead><tr><th>a</th><th>b</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<table id='long'><tbody>{many}</tbody></table><table id='wide'>{wide}</table>"
        "<pre id='code'><code>def f():\n    if x:\n        return 1\n</code></pre>"
        "<pre id='longcode'><code>" + "\n".join(f"line {i}" for i in range(12)) + "</code></pre>"
        "<blockquote><p>Citation.</p></blockquote><p class='attribution'>— Source</p>", create_parent="div")
    shape_blocks(body)
    classes = {e.get("id"): set((e.get("class") or "").split()) for e in body.xpath(".//*[@id]")}
    assert "short" in classes["short"] and "short" not in classes["long"] and "wider" in classes["wide"]
    assert "short" in classes["code"] and "short" not in classes["longcode"]
    assert "attributed" in body.find(".//blockquote").get("class")
    lines = body.xpath(".//pre[@id='code']//span[contains(@class, 'code-line')]")
    assert [line.text for line in lines] == ["def f():", "    if x:", "        return 1"]
    assert [line.get("style") for line in lines] == [
        "padding-left: 2ch; text-indent: -2ch", "padding-left: 6ch; text-indent: -6ch",
        "padding-left: 10ch; text-indent: -10ch"]


def test_a_paragraph_ending_with_a_colon_is_marked_to_stay_with_the_block_it_announces():
    from pipeline.editions.blocks import shape_blocks

    body = lxml_html.fragment_fromstring(
        "<p id='t'>Les formats\u00a0:</p><table><tr><td>a</td></tr></table>"
        "<p id='n'>Voici la liste\u202f:<span class='footnote' id='fn1'>Une note. Fin.</span></p><ul><li>a</li></ul>"
        "<p id='c'>Le code :</p><div class='sourceCode'><pre><code>x = 1</code></pre></div>"
        "<p id='q'>Il écrit :</p><blockquote><p>Citation.</p></blockquote>"
        "<p id='note-colon'>Un appel.<span class='footnote' id='fn2'>Voir :</span></p><ul><li>b</li></ul>"
        "<p id='plain'>Une phrase.</p><table><tr><td>b</td></tr></table>"
        "<p id='before-text'>Ainsi :</p><p>La suite.</p>", create_parent="div")
    shape_blocks(body)
    marked = {e.get("id") for e in body.xpath(".//p[contains(@class, 'lead-in')]")}
    assert marked == {"t", "n", "c", "q"}


def test_a_lead_in_ending_with_a_colon_is_never_left_at_a_page_foot_without_its_block(project):
    # Paragraphs of growing length push each lead-in to another place on the page: some land at the
    # foot, where the table, list or code they announce (kept whole or with its first lines) used to
    # move on alone.
    rng = random.Random(21)
    blocks = []
    count = 20
    for k in range(count):
        if k % 2 == 0:
            block = "| Format | Usage |\n|---|---|\n" + "".join(f"| Cell{k}x{i} | {words(rng, 2)} |\n" for i in range(6))
        else:
            block = "```\n" + "".join(f"Cell{k}x{i} = {i}\n" for i in range(8)) + "```\n"
        blocks.append(f"{words(rng, 30 + 7 * k)}\n\nVoici Annonce{k} :\n\n{block}")
    root, result = build_pdf(project, "---\ntitle: Annonces\nlang: fr\n---\n\n" + "\n".join(blocks))
    assert result.ok, result.error
    pages = pdf_pages(root / "dist" / "essai.pdf", flat=True)
    for k in range(count):
        lead = next(n for n, page in enumerate(pages) if f"Annonce{k}" in page)
        first = next(n for n, page in enumerate(pages) if f"Cell{k}x0" in page)
        assert lead == first, (k, lead, first)


def test_code_wraps_under_its_indentation_and_long_code_splits(project):
    rng = random.Random(9)
    long_line = "        resultat = transformer(" + ", ".join(f"argument_{w}" for w in WORDS) + ")"
    code = "\n".join(["def lire(texte):", "    for page in texte:", long_line] + [f"    etape_{i} = {i}" for i in range(60)])
    text = (f"---\ntitle: Code\nlang: fr\n---\n\n{words(rng, 200)}\n\n```python\n{code}\n```\n\n{words(rng, 50)}\n")
    root, result = build_pdf(project, text)
    assert result.ok, result.error
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(root / "dist" / "essai.pdf"), "-"], capture_output=True,
                         check=True).stdout
    tree = ElementTree.fromstring(xml)
    starts = {}
    for line in tree.iter(f"{XHTML}line"):
        ws = list(line.iter(f"{XHTML}word"))
        if ws:
            starts[" ".join(w.text or "" for w in ws)] = float(ws[0].get("xMin"))
    first = next(x for t, x in starts.items() if t.startswith("resultat"))
    loop = next(x for t, x in starts.items() if t.startswith("for page"))
    wrapped = [x for t, x in starts.items() if t.startswith("argument_") and not t.startswith("resultat")]
    assert wrapped and all(x > first for x in wrapped)  # continuation hangs under the line's own indentation
    assert first > loop
    pages = pdf_pages(root / "dist" / "essai.pdf", flat=True)
    # the 63-line block does not move whole to a new page: it starts on the first page, after the text
    assert "def lire" in pages[0] and "etape_59" not in pages[0]
    text_out = pdf_text(root / "dist" / "essai.pdf")
    assert "\n\n    etape_1" not in text_out


def test_a_wide_table_and_a_big_image_fit_the_text_block(project):
    from PIL import Image

    header = " | ".join(f"colonne{i}" for i in range(9))
    row = " | ".join("représentation" for _ in range(9))
    text = (f"---\ntitle: Larges\nlang: fr\n---\n\n{header}\n" + " | ".join(["---"] * 9) + f"\n{row}\n{row}\n\n"
            "![Une grande image](grande.png)\n")
    root = project({"essai.md": text})
    Image.new("RGB", (3000, 5000), "steelblue").save(root / "manuscripts" / "grande.png")
    [result] = build(open_project(root), formats=("pdf",))
    assert result.ok, result.error
    pdf = root / "dist" / "essai.pdf"
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    mm = 72 / 25.4
    for number, page in enumerate(ElementTree.fromstring(xml).iter(f"{XHTML}page")):
        width = float(page.get("width"))
        for w in page.iter(f"{XHTML}word"):
            assert 13 * mm <= float(w.get("xMin")) and float(w.get("xMax")) <= width - 13 * mm, (number, w.text)
    # the image is drawn within the text block's width and under the page's height (pdfimages: pixels and ppi)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    [row] = [line.split() for line in listing.splitlines()[2:] if line.split()[3:5] == ["3000", "5000"]]
    x_ppi, y_ppi = float(row[12]), float(row[13])
    assert 3000 / x_ppi * 25.4 <= 112.5 and 5000 / y_ppi * 25.4 <= 151


# Hyphenation ------------------------------------------------------------------------------------

LONG_WORDS = ("interprétation compréhension représentation particulièrement apprentissage transformation "
              "connaissance bibliothèque imprimerie typographie lecture texte page note").split()


def test_hyphenation_limits(project):
    """At most two hyphenated lines in a row; 3 letters each side; addresses and capitalised words whole."""
    rng = random.Random(21)
    paragraphs = [" ".join(rng.choice(LONG_WORDS) for _ in range(rng.randint(40, 90))) + " Montesquieu Bibliothèque."
                  for _ in range(14)]
    root, result = build_pdf(project, "---\ntitle: Coupures\nlang: fr\n---\n\n" + "\n\n".join(paragraphs) + "\n")
    assert result.ok, result.error
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(root / "dist" / "essai.pdf"), "-"], capture_output=True,
                         check=True).stdout
    for block in ElementTree.fromstring(xml).iter(f"{XHTML}block"):
        ends = [[w.text or "" for w in line.iter(f"{XHTML}word")] for line in block.iter(f"{XHTML}line")]
        run = 0
        for line in ends:
            last = line[-1] if line else ""
            if last.endswith("\u2010"):
                run += 1
                assert len(last.rstrip("\u2010")) >= 3 and not last[0].isupper(), line
            else:
                run = 0
            assert run <= 2, ends
        if ends and len(ends) > 1 and len(ends[-1]) < 3:
            assert not ends[-2][-1].endswith("\u2010"), ends[-2:]  # no hyphen before a paragraph's short last line


def test_a_hyphen_fault_keeps_only_that_occurrence_whole():
    """The correction wraps the counted occurrence of the word in its block, floated notes left out."""
    from pipeline.editions.hyphens import BLOCK_KEY, Fault, mark_words, number_blocks

    body = lxml_html.fragment_fromstring(
        "<div><p>lecture représentation <span class='footnote'>représentation</span> et <em>la représentation</em>"
        " puis représentation.</p><p>représentation</p></div>")
    number_blocks(body)
    first = body.find("p").get(BLOCK_KEY)
    assert mark_words(body, {Fault(first, "représentation", 1)}, "nohyphen") == 1
    kept = body.xpath(".//span[@class='nohyphen']")
    assert len(kept) == 1 and kept[0].getparent().tag == "em"  # the note's occurrence is not counted
    assert body.text_content().count("représentation") == 5
    # an occurrence that is not there changes nothing
    assert mark_words(body, {Fault(first, "représentation", 9)}, "nohyphen") == 0


def test_a_capitalised_word_opening_a_sentence_is_hyphenated_like_the_same_word_in_lower_case():
    from pipeline.editions.lines import keep_names_whole

    body = lxml_html.fragment_fromstring(
        "<div><p>Particulièrement lu. « Représentation » ici. Puis Montesquieu et la Bibliothèque nationale. "
        "Alors la représentation, particulièrement, et la bibliothèque. Anticonstitutionnel.</p></div>")
    keep_names_whole(body)
    names = [e.text for e in body.xpath(".//span[@class='name']")]
    # mid-sentence capitals are names; a sentence's first word is one only if never written in lower case
    assert names == ["Montesquieu", "Bibliothèque", "Anticonstitutionnel"]


def _loose_lines(pdf: Path) -> int:
    """Justified lines whose mean word space is over twice the document's median space (benchmarks/layout.py)."""
    import statistics

    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    blocks = [[[(float(w.get("xMin")), float(w.get("xMax"))) for w in line.iter(f"{XHTML}word")]
               for line in block.iter(f"{XHTML}line")] for block in ElementTree.fromstring(xml).iter(f"{XHTML}block")]
    gaps = [b[0] - a[1] for block in blocks for line in block for a, b in zip(line, line[1:])]
    normal = statistics.median(gaps)
    return sum(1 for block in blocks for line in block[:-1] if len(line) >= 3
               and statistics.mean(b[0] - a[1] for a, b in zip(line, line[1:])) > 2 * normal)


def test_loose_lines_are_corrected_by_letting_the_next_word_split(project, monkeypatch):
    """Text full of long words: the correction layout lets the word after a loose line split (fails without it),
    where the paragraph-wide pass does not run."""
    from pipeline.editions import hyphens

    rng = random.Random(8)
    # the paragraph-wide pass (tested below) would leave this line-by-line correction nothing to do
    monkeypatch.setattr(pdf_edition, "needs_breaks", lambda document: False)
    text = "---\ntitle: Espaces\nlang: fr\n---\n\n" + "\n\n".join(
        " ".join(rng.choice(LONG_WORDS) for _ in range(rng.randint(50, 80))) + "." for _ in range(12)) + "\n"
    root, result = build_pdf(project, text)
    assert result.ok, result.error
    corrected = _loose_lines(root / "dist" / "essai.pdf")
    monkeypatch.setattr(hyphens, "LOOSE_SHARE", 2.0)  # never worth a layout: no correction
    [result] = build(open_project(root), formats=("pdf",), force=True)
    uncorrected = _loose_lines(root / "dist" / "essai.pdf")
    assert corrected < uncorrected, (corrected, uncorrected)


# Paragraph-wide breaks (editions/breaks.py) ---------------------------------------------------

def _token(text: str, width: float, splits=()):
    from pipeline.editions.breaks import Token

    return Token(text, width, 0, 4.0, list(splits))


def test_a_word_that_fits_with_spaces_shrunk_by_a_third_at_most_is_not_hyphenated():
    """TeX's shrink: a line takes the whole word when its spaces shrink by a third or less, never more."""
    from pipeline.editions.breaks import SHRINK, _plan, choose_breaks

    # "aa bb cc" needs its two 4px spaces 1.5px narrower (0.19 of a space) to fit 100px: one line, no hyphen.
    tokens = [_token("aa", 30), _token("bb", 30), _token("cc", 33.5, [(1, 20, 20)]), _token("dd", 45),
              _token("ee", 50)]
    chosen = choose_breaks(tokens, (100, 100))
    assert chosen == [(0, 0), (3, 0)]
    plan = _plan("0", tokens, chosen, (100, 100), 1, 1)
    assert plan.hyphens == 0 and plan.ratios == [pytest.approx(-1.5 / 8)]
    assert plan.spacing[0] == pytest.approx((100 - 101.5 - 1.5) / 2)  # 1.5px of slack left for the greedy breaker
    # 36px would need half of each space: never; the hyphen is taken (its line fits without stretching).
    tokens = [_token("aa", 40), _token("bb", 40), _token("cc", 36, [(1, 12, 26)]), _token("dd", 30),
              _token("ee", 36), _token("ff", 50), _token("gg", 40)]
    chosen = choose_breaks(tokens, (100, 100))
    plan = _plan("0", tokens, chosen, (100, 100), 0, 0)
    assert chosen == [(0, 0), (2, 1), (5, 0)] and plan.hyphens == 1  # "aa bb c-" | "c dd ee" | "ff gg"
    assert all(ratio >= -SHRINK for ratio in plan.ratios)
    # the first line ends a page: kept whole, whatever it costs ("aa bb" | "cc dd" | "ee ff" | "gg")
    assert choose_breaks(tokens, (100, 100), frozenset({0}))[1] == (2, 0)


def test_letters_track_a_little_before_spaces_shrink_past_their_limit():
    """microtype-like expansion: a line may take a word when its letters tighten by at most ``expand`` px
    each; the spaces' share of the change stays within SHRINK; the span's word spacing fills the line."""
    from pipeline.editions.breaks import SHRINK, SLACK, _plan, choose_breaks

    # "aaaaaaaaaa bbbbbbbbbb" is 104px for 100: 4px, far beyond what one space may give (1.2px).
    tokens = [_token("a" * 10, 48), _token("b" * 10, 52), _token("cc", 20), _token("dd", 20)]
    assert choose_breaks(tokens, (100, 100))[1] == (1, 0)  # without tracking: "aaaaaaaaaa" alone, loose
    chosen = choose_breaks(tokens, (100, 100), expand=0.2)
    assert chosen == [(0, 0), (2, 0)]
    plan = _plan("0", tokens, chosen, (100, 100), 0, 1, 0.2)
    track, spacing = plan.tracking[0], plan.spacing[0]
    assert -0.2 <= track < 0 and plan.ratios[0] >= -SHRINK
    # 21 characters (the space too) take the tracking, the one space its word spacing: the line is full
    assert 104 + 21 * track + spacing == pytest.approx(100 - SLACK)


def test_the_line_before_a_paragraphs_last_is_not_hyphenated_when_it_can_be_avoided():
    from pipeline.editions.breaks import choose_breaks

    # "a b c d e f-" | "f g" fits with spaces a quarter narrower, but leaves a hyphen before the last line;
    # "a b c d e" | "f g" has its spaces half as wide again (not loose): that is chosen.
    tokens = [_token(letter, 15) for letter in "abcde"] + [_token("f", 29, [(1, 9, 20)]), _token("g", 20)]
    assert choose_breaks(tokens, (100, 100)) == [(0, 0), (5, 0)]
    # with no other way than a loose line, the hyphen is taken
    tokens = [_token(letter, 10) for letter in "abcde"] + [_token("f", 49, [(1, 29, 20)]), _token("g", 20)]
    assert choose_breaks(tokens, (100, 100)) == [(0, 0), (5, 1)]


def test_impose_breaks_wraps_each_line_with_its_spacing_and_a_soft_hyphen_where_it_breaks():
    """The words are untouched but for U+00AD; markup inside the paragraph is kept; the last line is natural."""
    from pipeline.editions.breaks import LINE_CLASS, SOFT_HYPHEN, Plan, impose_breaks
    from pipeline.editions.hyphens import BLOCK_KEY, number_blocks

    body = lxml_html.fragment_fromstring(
        "<div><p>un deux <em>trois quatre</em> cinq\n représentation<span class='footnote'>note longue</span>"
        " six sept</p></div>")
    number_blocks(body)
    before = body.text_content()
    key = body.find("p").get(BLOCK_KEY)
    words = "un deux trois quatre cinq représentation six sept".split()
    # lines: "un deux trois" | "quatre cinq repré-" | "sentation six sept"
    plan = Plan(key, [(0, 0), (3, 0), (5, 5)], [1.25, -0.5], 1, 0, 2, 1, words=words)
    [(imposed, saved)] = impose_breaks(body, [plan])
    paragraph = body.find("p")
    lines = paragraph.xpath(f".//span[@class='{LINE_CLASS}']")
    # a hyphenated word stays whole in its first line's span, the spaces between lines outside any
    assert [" ".join(span.text_content().split()) for span in lines] == [
        "un deux", "trois", "quatre", f"cinq repr\u00e9{SOFT_HYPHEN}sentation"]
    assert [span.get("style") for span in lines] == ["word-spacing: 1.250px"] * 2 + ["word-spacing: -0.500px"] * 2
    assert lines[1].getparent().tag == "em" and lines[2].getparent().tag == "em"
    assert "word-spacing: 0" in paragraph.get("style")  # the last line and the spaces between lines: natural
    assert paragraph.text_content().replace(SOFT_HYPHEN, "") == before
    assert saved.text_content() == before and not saved.xpath(".//span[@class='line']")


def _space_per_height() -> float:
    from fontTools.ttLib import TTFont

    with TTFont(Path(__file__).resolve().parent.parent / "styles" / "fonts" / "CharisSIL-Regular.ttf") as face:
        return face["hmtx"]["space"][0] / (face["hhea"].ascent - face["hhea"].descent)


def _line_spaces(pdf: Path) -> list[tuple[list[str], float]]:
    """Each line of two spaces or more: its words and its mean word space in natural spaces of its type size."""
    import statistics

    ratio = _space_per_height()
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    found = []
    for line in ElementTree.fromstring(xml).iter(f"{XHTML}line"):
        words = [(float(w.get("xMin")), float(w.get("xMax")), w.text or "", float(w.get("yMax")) - float(w.get("yMin")))
                 for w in line.iter(f"{XHTML}word")]
        if len(words) >= 3:
            normal = ratio * statistics.median(w[3] for w in words)
            found.append(([w[2] for w in words], statistics.mean(b[0] - a[1] for a, b in zip(words, words[1:])) / normal))
    return found


def test_paragraph_wide_breaks_give_fewer_hyphens_and_loose_lines_and_never_tight_ones(project, monkeypatch):
    """Text of long words (the stress case): the paragraph-wide pass has fewer loose lines than WeasyPrint's
    greedy breaks, no more faults in all, shrinks no space under 2/3, keeps last lines natural, loses no word."""
    rng = random.Random(15)
    paragraphs = [" ".join(rng.choice(LONG_WORDS + WORDS) for _ in range(rng.randint(50, 90))) + f" fin{n}."
                  for n in range(10)]
    # a note call inside some paragraphs, glued to its word ("appelN")
    text = "---\ntitle: Paragraphes\nlang: fr\n---\n\n" + "\n\n".join(
        (" ".join(p.split()[:30]) + f" appel{n}[^n{n}] " + " ".join(p.split()[30:]) if n % 3 == 0 else p)
        for n, p in enumerate(paragraphs)) + "\n\n" + "\n".join(
        f"[^n{n}]: Note {n}." for n in range(0, 10, 3)) + "\n"
    root, result = build_pdf(project, text)
    assert result.ok, result.error
    pdf = root / "dist" / "essai.pdf"
    lines = pdf_lines(pdf)
    spaces = _line_spaces(pdf)
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    monkeypatch.setattr(pdf_edition, "needs_breaks", lambda document: False)
    [result] = build(open_project(root), formats=("pdf",), force=True)
    greedy_lines, greedy_spaces = pdf_lines(pdf), _line_spaces(pdf)

    def faults(lines, spaces):
        return (sum(1 for line in lines if line and line[-1].endswith("\u2010")),
                sum(1 for _, mean in spaces if mean > 2))

    (hyphens, loose), (greedy_hyphens, greedy_loose) = faults(lines, spaces), faults(greedy_lines, greedy_spaces)
    # a loose line is the worse fault (TeX's demerits): fewer of them, and no more faults in all
    assert loose < greedy_loose and hyphens + loose <= greedy_hyphens + greedy_loose, (
        (hyphens, loose), (greedy_hyphens, greedy_loose))
    assert all(mean > 2 / 3 - 0.03 for _, mean in spaces), min(spaces, key=lambda item: item[1])
    # a paragraph's last line (the line of its "finN.") keeps the face's spaces when the pass broke the
    # paragraph, else book.css's spaces 0.06 em narrower (4/5 of the face's): never tight, never stretched
    last = [mean for words, mean in spaces if any(re.fullmatch(r"fin\d+\.", word) for word in words)]
    assert last and all(0.75 < mean < 1.05 for mean in last) and any(mean > 0.95 for mean in last), last
    # each call sits against its word, as without the pass (letter spacing there would set it apart)
    calls = 0
    for line in ElementTree.fromstring(xml).iter(f"{XHTML}line"):
        boxes = [(float(w.get("xMin")), float(w.get("xMax")), w.text or "") for w in line.iter(f"{XHTML}word")]
        for before, after in zip(boxes, boxes[1:]):
            if before[2].startswith("appel") and after[2].isdigit():
                assert after[0] - before[1] < 1.0, (before, after)
                calls += 1
    assert calls == 4
    # no page's text ends with a hyphen (its notes and folio, in smaller type or digits, left out)
    pages = list(ElementTree.fromstring(xml).iter(f"{XHTML}page"))
    assert len(pages) >= 3
    for page in pages:
        text = [[w.text or "" for w in line.iter(f"{XHTML}word")] for line in page.iter(f"{XHTML}line")
                if min(float(w.get("yMax")) - float(w.get("yMin")) for w in line.iter(f"{XHTML}word")) > 15]
        text = [line for line in text if not "".join(line).isdigit()]
        assert not text or not text[-1][-1].endswith("\u2010"), text[-1]
    printed = re.sub(r"\u2010\s*\n?", "", " ".join(" ".join(line) + "\n" for line in lines)).split()
    assert [word for word in printed if word in LONG_WORDS + WORDS or word.startswith("fin")] == \
        " ".join(paragraphs).split()


def test_a_table_too_wide_at_7pt_goes_on_a_landscape_page_with_a_warning(project):
    """Fits at 9pt: nothing said; too wide at 7pt: a landscape page and a warning with its line; wider than
    a landscape page: words broken in the cells, and a warning. Every digit is printed, nothing off the page."""

    def table(columns: int, cell: str) -> str:
        return ("| " + " | ".join(f"c{columns}x{i}" for i in range(columns)) + " |\n|" + "---|" * columns + "\n"
                + ("| " + " | ".join(cell for _ in range(columns)) + " |\n") * 3)

    text = ("---\ntitle: Tables\nlang: fr\n---\n\nAvant.\n\n" + table(4, "1234567890123") + "\nMilieu.\n\n"
            + table(8, "123456789012") + "\nPuis.\n\n" + table(16, "1234567890123") + "\nFin.\n")
    root, result = build_pdf(project, text)
    assert result.ok, result.error
    warnings = [w for w in result.warnings if "table" in w]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("manuscripts/essai.md:16:") and "landscape page" in warnings[0] and "c8x0" in warnings[0]
    assert warnings[1].startswith("manuscripts/essai.md:24:") and "break words" in warnings[1] and "c16x0" in warnings[1]
    pdf = root / "dist" / "essai.pdf"
    sizes = re.findall(r"size:\s+([\d.]+) x ([\d.]+)", subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "20", str(pdf)], capture_output=True, text=True, check=True).stdout)
    landscape = [i for i, (w, h) in enumerate(sizes) if float(w) > float(h)]
    assert len(landscape) == 2 and len(sizes) > 2, sizes
    pages = pdf_pages(pdf, flat=True)
    assert "c4x0" in pages[0] and "Milieu" in pages[0] and "c8x7" in pages[landscape[0]] and "Puis" not in pages[landscape[0]]
    text_out = pdf_text(pdf).replace("\n", "")
    assert text_out.count("123456789012") == 3 * (4 + 8 + 16)  # every cell printed
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    for page in ElementTree.fromstring(xml).iter(f"{XHTML}page"):
        for w in page.iter(f"{XHTML}word"):
            assert 0 <= float(w.get("xMin")) and float(w.get("xMax")) <= float(page.get("width")), w.text


def test_an_image_shrunk_below_legibility_is_a_warning_with_its_line(project):
    """A 3000 px chart and a 2000-unit SVG with 20-unit text are scaled to the text block: text under 5pt,
    a warning each; a photograph (many colours) and a drawing scaled a little are not reported."""
    import os

    from PIL import Image, ImageDraw

    text = ("---\ntitle: Images\nlang: fr\n---\n\nUn schéma.\n\n![Schéma](schema.png)\n\n![Photo](photo.png)\n\n"
            "![Petit](petit.png)\n\n![Plan](plan.svg)\n")
    root = project({"essai.md": text})
    folder = root / "manuscripts"
    chart = Image.new("RGB", (3000, 1200), "white")
    draw = ImageDraw.Draw(chart)
    for i in range(12):
        draw.rectangle((100 + 240 * i, 1100 - 70 * i, 280 + 240 * i, 1100), fill=(40, 90 + 10 * i, 160))
        draw.text((100 + 240 * i, 1120), f"mois {i + 1}", fill="black")
    chart.save(folder / "schema.png")
    chart.resize((500, 200), Image.NEAREST).save(folder / "petit.png")
    Image.frombytes("RGB", (3000, 1200), os.urandom(3000 * 1200 * 3)).save(folder / "photo.png")
    (folder / "plan.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="500" viewBox="0 0 2000 500">'
        '<rect x="10" y="10" width="1980" height="480" fill="#eee"/>'
        '<text x="40" y="260" font-size="20">légende du plan</text></svg>', encoding="utf-8")
    [result] = build(open_project(root), formats=("pdf",))
    assert result.ok, result.error
    warnings = [w for w in result.warnings if "legib" in w]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("manuscripts/essai.md:8:") and "schema.png" in warnings[0]
    assert warnings[1].startswith("manuscripts/essai.md:14:") and "plan.svg" in warnings[1]
