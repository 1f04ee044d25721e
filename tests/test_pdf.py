"""The printed edition: notes at the foot of their page, the page tree, metadata."""

import random
import re

from lxml import html as lxml_html

from pipeline.editions.pdf import inline_footnotes

from .conftest import pdf_pages

WORDS = ("lecture note page livre texte marge appel pied citation auteur source passage idée forme "
         "réseau modèle question réponse").split()


def test_inline_footnotes_moves_note_text_to_its_call():
    body = lxml_html.fragment_fromstring(
        '<p>Texte<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a> suite.</p>'
        '<section id="footnotes" role="doc-endnotes"><hr/><ol><li id="fn1"><p>La note'
        '<a href="#fnref1" role="doc-backlink">↩︎</a></p><p>Second paragraphe.</p></li></ol></section>',
        create_parent="div")
    inline_footnotes(body)
    note = body.find(".//span[@class='footnote']")
    assert note.get("id") == "fn1"
    assert note.text_content() == "La noteSecond paragraphe."
    assert [s.get("class").split()[0] for s in note.findall("span")] == ["fn-p", "fn-p"]
    assert note.tail == " suite."
    assert body.find(".//section") is None and body.find(".//a") is None


def test_every_note_starts_on_the_page_of_its_call(project):
    """Sixty notes of varied length: none may start on another page than its call."""
    rng = random.Random(10)
    paragraphs = []
    for i in range(60):
        before = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 110)))
        after = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        note = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 45)))
        paragraphs.append(f"{before} §{i:03d}§[^n{i}] {after}\n\n[^n{i}]: ¶{i:03d}¶ {note}\n")
        if i % 9 == 8:
            paragraphs.append(f"## Partie {i}\n")
    root = project({"notes.md": "---\ntitle: Notes\nlang: fr\n---\n\n" + "\n".join(paragraphs)})
    from pipeline import build, open_project

    [result] = build(open_project(root), formats=("pdf",))
    assert result.ok, result.error
    reported = set()
    for warning in result.warnings:
        if "printed on the page after their call" in warning:
            reported = {int(n) - 1 for n in warning.split("note(s) ")[1].split(" printed")[0].split(", ")}
    pages = pdf_pages(root / "dist" / "notes.pdf", flat=True)
    misplaced = []
    for i in range(60):
        calls = [n for n, text in enumerate(pages) if f"§{i:03d}§" in text]
        notes = [n for n, text in enumerate(pages) if f"¶{i:03d}¶" in text]
        if not calls or not notes or calls[0] != notes[0]:
            misplaced.append(i)
    assert set(misplaced) == reported
    assert len(misplaced) <= 2


def test_contents_page_numbers_outline_and_metadata(samples):
    from pypdf import PdfReader

    reader = PdfReader(str(samples / "lire-avec-les-machines.pdf"))
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    assert pages[1].startswith("Table des matières ")
    contents = pages[1].removeprefix("Table des matières ")
    entries = re.findall(r"([A-ZÀ-Ý][^.]*?) (?:\. )+(\d+)", contents)
    assert [title for title, _ in entries] == [
        "Un outil qui ne lit pas", "Ce que j’ai essayé", "Lire, c’est choisir", "Pour conclure", "Bibliographie"]
    for title, number in entries:
        assert title in pages[int(number) - 1], f"{title!r} is not on page {number}"
    def titles(items):
        for item in items:
            yield from titles(item) if isinstance(item, list) else [item.title]

    outline = list(titles(reader.outline))
    assert outline[0] == "Lire avec les machines"
    assert {"Un outil qui ne lit pas", "Le perroquet et le lecteur", "Bibliographie"} <= set(outline)
    info = reader.metadata
    assert info.title == "Lire avec les machines"
    assert info["/Producer"].startswith("WeasyPrint")


def test_urls_for_paper_and_quotation_source(samples):
    pages = pdf_pages(samples / "lire-avec-les-machines.pdf", flat=True)
    text = "".join(pages).replace(" ", "")  # a long address wraps anywhere
    assert "https://www.lemonde.fr/campus/article/2025/09/15/intelligence-artificielle" in text
    assert "universite_6600000_4401467.html" in text
    assert "utm_source" not in text
    # the arXiv link became a citation: its address is in the bibliography, not in a note
    assert text.count("1706.03762") == 1


def test_front_matter_pages_metadata_and_pdf_ua(project):
    from pypdf import PdfReader

    text = ("---\ntitle: Un essai\nsubtitle: Avec un sous-titre\nauthor: [Anne Bé, Paul Cé]\nlang: fr\n"
            "description: Un résumé court.\nkeywords: [lecture, typographie]\nabstract: Ce texte parle de marges.\n"
            "epigraph: Lire, c'est relire.\n---\n\nUn [mot]{.marginnote} et du texte.\n")
    root = project({"essai.md": text})
    from pipeline import build, open_project

    [result] = build(open_project(root), formats=("pdf",), pdf_variant="pdf/ua-1")
    assert result.ok, result.error
    reader = PdfReader(str(root / "dist" / "essai.pdf"))
    info = reader.metadata
    assert info.author == "Anne Bé et Paul Cé"
    assert info.subject == "Un résumé court."
    assert info["/Keywords"] == "lecture, typographie"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged PDF for PDF/UA
    pages = pdf_pages(root / "dist" / "essai.pdf", flat=True)
    # a short essay is set as an article: title, epigraph and abstract open its first page
    assert "Avec un sous-titre" in pages[0] and "Anne Bé et Paul Cé" in pages[0]
    assert "Lire, c’est relire." in pages[0] and "Résumé" in pages[0] and "Ce texte parle de marges." in pages[0]


def test_pdf_ua_structure_and_declarations(project):
    """PDF/UA-1 as far as it can be read back: tagged, titled, with the headings in the structure tree."""
    from collections import Counter

    from pypdf import PdfReader

    from pipeline import build, open_project

    root = project({"essai.md": "---\ntitle: Accessible\nlang: fr\n---\n\n## Première partie\n\nUn [lien](https://example.org/a).\n\n"
                                "## Seconde partie\n\n- un\n- deux\n"})
    [result] = build(open_project(root), formats=("pdf",), pdf_variant="pdf/ua-1")
    assert result.ok, result.error
    catalog = PdfReader(str(root / "dist" / "essai.pdf")).trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp and "Accessible" in xmp
    assert catalog["/MarkInfo"]["/Marked"] and catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert catalog["/Lang"] == "fr"
    kinds: Counter = Counter()

    def walk(node):
        node = node.get_object()
        children = node if isinstance(node, list) else [node.get("/K")] if isinstance(node, dict) else []
        if isinstance(node, dict) and "/S" in node:
            kinds[node["/S"]] += 1
        for child in children:
            if child is not None and not isinstance(child, int):
                walk(child)

    walk(catalog["/StructTreeRoot"].get_object()["/K"])
    assert kinds["/Document"] == 1 and kinds["/H1"] == 1  # the title is the only first-level heading
    assert kinds["/H2"] >= 2  # the two parts (a short essay has no contents page)
    assert kinds["/L"] >= 1 and kinds["/LI"] >= 2 and kinds["/Link"] >= 1 and kinds["/P"] >= 1


def test_pdf_a_3b_declares_itself_and_embeds_every_font(project):
    """What can be checked without veraPDF: the PDF/A identification, the output intent, embedded fonts."""
    from pypdf import PdfReader

    from pipeline import build, open_project

    root = project({"essai.md": "---\ntitle: Archive\nlang: fr\n---\n\nDu *texte* en **gras** et une note.[^1]\n\n"
                                "[^1]: La note.\n"})
    [result] = build(open_project(root), formats=("pdf",), pdf_variant="pdf/a-3b")
    assert result.ok, result.error
    reader = PdfReader(str(root / "dist" / "essai.pdf"))
    catalog = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    [intent] = catalog["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"
    assert catalog["/Lang"] == "fr" and "/Encrypt" not in reader.trailer and len(reader.trailer["/ID"]) == 2
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described["/FontDescriptor"].get_object()
            fonts[font["/BaseFont"]] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert len(fonts) >= 3 and all(fonts.values()), fonts  # regular, italic, bold: all embedded


def test_running_heads(samples):
    pages = pdf_pages(samples / "lire-avec-les-machines.pdf", flat=True)
    assert "Table des matières" not in pages[2]  # the opening page carries no head
    assert "Lire avec les machines" in pages[3]  # left: the title
    heading_page = next(n for n, text in enumerate(pages) if "Ce que j’ai essayé J’ai travaillé" in text)
    assert "Ce que j’ai essayé" in pages[heading_page + 1]  # right: the section in force at its top


NOTE_PAGE_CSS = ("@page { size: 200px 130px; margin: 0; @footnote { margin: 0; padding: 0; } }"
                 "html { font: 10px/10px serif; } body { margin: 0; } p { margin: 0; orphans: 2; widows: 2; }"
                 ".fn { float: footnote; } ::footnote-call, ::footnote-marker { content: '*';"
                 " vertical-align: baseline; font-size: inherit; line-height: inherit; }")


def lines_by_page(html: str) -> list[list[str]]:
    from weasyprint import CSS, HTML

    from pipeline.editions.pdf import _boxes

    document = HTML(string=html).render(stylesheets=[CSS(string=NOTE_PAGE_CSS)])
    return [[box.text for box in _boxes(page._page_box) if getattr(box, "text", None)] for page in document.pages]


def test_a_note_is_never_deferred_to_fit_the_second_line_of_a_paragraph(monkeypatch):
    """Thirteen lines a page: a note's call, eleven lines with the note, then a paragraph with room for one line.

    Orphans forbid leaving that line alone: the paragraph starts on the next
    page and the note stays with its call (WeasyPrint 70 alone moves the note
    to the next page to fit the paragraph's second line).
    """
    from weasyprint.layout import block

    from pipeline.editions import footnotes

    lines = "<br>".join(f"a{i}" for i in range(10))
    html = f"<p>un<span class='fn'>note</span><br>{lines}</p><p>{'<br>'.join(f'b{i}' for i in range(5))}</p>"
    assert footnotes.keep_notes_with_their_calls()
    assert lines_by_page(html) == [["un", "*", *[f"a{i}" for i in range(10)], "*", "note"],
                                   [f"b{i}" for i in range(5)]]
    monkeypatch.setattr(block, "_linebox_layout", footnotes._ORIGINAL)  # the input does reach that branch
    deferred = lines_by_page(html)
    assert "note" in deferred[1] and "b1" in deferred[0]
