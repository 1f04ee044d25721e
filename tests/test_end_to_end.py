"""Build the repository's samples and read the editions as a reader's software would."""

import re

import pytest
from pypdf import PdfReader

from pipeline.editions.epub import book_identifier

from .conftest import NS, epub_names, epub_xml, pdf_pages, run_epubcheck

FRENCH = "lire-avec-les-machines"
ENGLISH = "margins"
SHORT = "eloge-de-la-lecture-lente"  # a short French essay, set as an article; with FRENCH, the sample book


def test_every_sample_has_both_editions(samples):
    assert sorted(p.name for p in samples.iterdir() if not p.name.startswith(".")) == sorted(
        [f"{slug}.{kind}" for slug in (ENGLISH, FRENCH, SHORT) for kind in ("epub", "pdf")])


@pytest.mark.parametrize("slug", [FRENCH, ENGLISH, SHORT])
def test_epubcheck_reports_nothing(samples, slug):
    assert run_epubcheck(samples / f"{slug}.epub") == []


def test_pdf_title_page_bibliography_and_folios(samples):
    pages = pdf_pages(samples / f"{FRENCH}.pdf")
    assert "Lire avec les machines" in pages[0]
    assert "14 mars 2026" in pages[0]
    assert "Bibliographie" in pages[-1]
    assert "Bender, Emily M." in pages[-1]
    assert "Eco, Umberto" in pages[-1]
    for number, text in enumerate(pages[2:], start=3):  # title page and contents carry no folio
        assert re.search(rf"(^|\n){number}\s*$", text.strip()), f"no folio on page {number}"


def test_footnote_sits_on_the_page_of_its_call(samples):
    pages = pdf_pages(samples / f"{FRENCH}.pdf", flat=True)
    call_pages = [i for i, text in enumerate(pages) if "chiffre qui ne disait pas ce que je" in text]
    note_pages = [i for i, text in enumerate(pages) if "tenu un carnet de ces" in text]
    assert call_pages and call_pages == note_pages
    english = pdf_pages(samples / f"{ENGLISH}.pdf", flat=True)
    assert any("without losing the thread" in t and "keep a finger in" in t for t in english)


def test_pdf_metadata_and_embedded_fonts(samples):
    reader = PdfReader(str(samples / f"{FRENCH}.pdf"))
    assert reader.metadata.title == "Lire avec les machines"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"]] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert fonts and all(fonts.values())
    assert all("Charis" in name for name in fonts), fonts  # no fallback face on ordinary text


def test_epub_metadata(samples):
    opf = epub_xml(samples / f"{FRENCH}.epub", "EPUB/content.opf")
    meta = opf.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "Lire avec les machines"
    assert meta.findtext("dc:language", namespaces=NS) == "fr"
    assert meta.findtext("dc:date", namespaces=NS) == "2026-03-14"
    assert meta.findtext("dc:identifier", namespaces=NS) == book_identifier(FRENCH)
    assert len(meta.findall("opf:meta[@property='dcterms:modified']", NS)) == 1


def test_epub_sections_nav_and_language(samples):
    epub = samples / f"{FRENCH}.epub"
    opf = epub_xml(epub, "EPUB/content.opf")
    manifest = {i.get("id"): i.get("href") for i in opf.find("opf:manifest", NS)}
    spine = [manifest[ref.get("idref")] for ref in opf.find("opf:spine", NS)]
    assert spine[:2] == ["cover.xhtml", "titlepage.xhtml"]
    assert spine[-1] == "bibliography.xhtml"
    chapters = [name for name in spine if name.startswith("ch")]
    assert len(chapters) == 5  # the opening paragraph and four sections
    for name in spine:
        page = epub_xml(epub, f"EPUB/{name}")
        assert page.get("lang") == "fr"
        assert page.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    nav = epub_xml(epub, "EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    assert toc.findtext("x:h1", namespaces=NS) == "Table des matières"
    labels = [a.text for a in toc.iter("{http://www.w3.org/1999/xhtml}a")]
    assert "Un outil qui ne lit pas" in labels and "Le perroquet et le lecteur" in labels
    assert "Bibliographie" in labels
    assert "EPUB/toc.ncx" in epub_names(epub)


def test_epub_notes_and_citations_link_to_their_targets(samples):
    epub = samples / f"{FRENCH}.epub"
    pages = {name[5:]: epub_xml(epub, name) for name in epub_names(epub)
             if name.endswith(".xhtml") and name != "EPUB/nav.xhtml"}
    ids = {name: {e.get("id") for e in page.iter() if e.get("id")} for name, page in pages.items()}
    noterefs = [(name, a) for name, page in pages.items()
                for a in page.iterfind(".//x:a[@epub:type='noteref']", NS)]
    assert len(noterefs) == 1
    name, ref = noterefs[0]
    note = pages[name].find(f".//x:aside[@id='{ref.get('href')[1:]}']", NS)
    assert note is not None and note.get("{http://www.idpf.org/2007/ops}type") == "footnote"
    citations = [a.get("href") for page in pages.values() for a in page.iterfind(".//x:a[@role='doc-biblioref']", NS)]
    assert citations and all(href.startswith("bibliography.xhtml#ref-") for href in citations)
    for name, page in pages.items():
        for link in page.iter("{http://www.w3.org/1999/xhtml}a"):
            href = link.get("href", "")
            if href.startswith(("http:", "https:")) or not href:
                continue
            target, _, fragment = href.partition("#")
            target = target or name
            assert target in pages, href
            assert not fragment or fragment in ids[target], href
    bibliography = pages["bibliography.xhtml"].find(".//x:section[@epub:type='bibliography']", NS)
    assert bibliography is not None


def test_root_relative_link_without_base_url_is_text_in_both_editions(samples):
    epub = samples / f"{FRENCH}.epub"
    hrefs = [a.get("href") for name in epub_names(epub) if name.endswith(".xhtml")
             for a in epub_xml(epub, name).iter("{http://www.w3.org/1999/xhtml}a")]
    assert not any(h and h.startswith("/") for h in hrefs)
    reader = PdfReader(str(samples / f"{FRENCH}.pdf"))
    uris = [a.get_object()["/A"].get("/URI") for page in reader.pages for a in page.get("/Annots", [])
            if "/A" in a.get_object()]
    assert "https://arxiv.org/abs/1706.03762" in uris
    assert not any(u and "highlights" in u for u in uris)


def test_french_typography_in_the_french_edition_only(samples):
    french = " ".join(pdf_pages(samples / f"{FRENCH}.pdf", flat=True))
    assert "oublie rien\u202f?" in french
    assert "bien au contraire\u202f!" in french
    assert "«\u00a0comprend\u00a0»" in french
    assert "alors\u00a0:" in french
    assert '"' not in french and "“" not in french
    english = " ".join(pdf_pages(samples / f"{ENGLISH}.pdf", flat=True))
    assert "Who needs them?" in english
    assert "\u202f" not in english
    chapter = epub_xml(samples / f"{FRENCH}.epub", "EPUB/ch01.xhtml")
    assert "«\u00a0comprend\u00a0»" in "".join(chapter.itertext())


def test_links_carry_no_tracking_parameters(samples):
    epub = samples / f"{FRENCH}.epub"
    hrefs = [a.get("href") or "" for name in epub_names(epub) if name.endswith(".xhtml")
             for a in epub_xml(epub, name).iter("{http://www.w3.org/1999/xhtml}a")]
    assert any("lemonde.fr" in h for h in hrefs)
    assert not any("utm_" in h for h in hrefs)
