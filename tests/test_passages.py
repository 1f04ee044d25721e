"""Passages in another language: found by the language identifier or marked, typeset and hyphenated by their own rules."""

from __future__ import annotations

from pipeline import build, open_project
from pipeline.pandoc import parse_markdown, stringify
from pipeline.passages import mark_passages
from pipeline.typography import apply_typography

from .conftest import NS, epub_xml, pdf_pages, run_epubcheck

NNBSP, NBSP = "\u202f", "\u00a0"


ENGLISH = set("a the of is not from book long enough to be read list item in english as well whole point map "
              "territory maybe paragraph that confidently at all end author said which language this anyway".split())


def fake_identify(text: str) -> tuple[str, float]:
    """English when most words are English ones, French otherwise; confident unless it says 'maybe'."""
    words = [w.strip(".,;:!?\"“”«»").lower() for w in text.split()]
    lang = "en" if sum(w in ENGLISH for w in words) * 2 > len(words) else "fr"
    return lang, 0.5 if "maybe" in words else 0.99


def test_paragraphs_items_quotes_and_quotations_in_another_language_are_marked():
    ast = parse_markdown(
        "Un paragraphe en français, rien à signaler ici vraiment.\n\n"
        "> A quotation from the book, long enough to be read.\n\n"
        "- the list item in English, long enough as well\n- un élément en français, assez long pour compter\n\n"
        'Il dit alors, devant toute la salle qui se taisait enfin, "the whole point of the map is not the '
        'territory" puis il se tait et sort sans un mot de plus.\n\n'
        "the maybe paragraph that is not confidently English at all\n\n"
        "the end.\n\n"
        "::: {lang=de}\nthe author said which language this is, anyway\n:::\n")
    found = mark_passages(ast, "fr", fake_identify)
    assert [lang for lang, _ in found] == ["en", "en", "en"]
    blocks = ast["blocks"]
    assert blocks[1]["t"] == "Div" and blocks[1]["c"][0][2] == [["lang", "en"]]
    assert blocks[1]["c"][1][0]["t"] == "BlockQuote"
    items = blocks[2]["c"]
    assert items[0][0]["t"] == "Div" and items[1][0]["t"] == "Plain"
    span = next(n for n in blocks[3]["c"] if n["t"] == "Span")
    assert span["c"][0][2] == [["lang", "en"]] and span["c"][1][0]["t"] == "Quoted"
    assert blocks[4]["t"] == "Para" and blocks[5]["t"] == "Para"  # not confident; too short
    assert blocks[6]["c"][0][2] == [["lang", "de"]] and blocks[6]["c"][1][0]["t"] == "Para"


def test_a_passage_follows_its_own_typography():
    ast = parse_markdown('Il écrit : [He said "no"; then: what?]{lang=en} et "oui" !\n\n'
                         '::: {lang=en}\nAn English paragraph; with "quotes": right?\n:::\n')
    apply_typography(ast, "fr")
    first, second = (stringify(b) for b in ast["blocks"])
    assert first == f"Il écrit{NBSP}: He said “no”; then: what? et «{NBSP}oui{NBSP}»{NNBSP}!"
    assert second == "An English paragraph; with “quotes”: right?"
    ast = parse_markdown('He wrote: [Il a dit "non" ; puis : quoi ?]{lang=fr} and "yes"!')
    apply_typography(ast, "en")
    assert stringify(ast["blocks"][0]) == (f"He wrote: Il a dit «{NBSP}non{NBSP}»{NNBSP}; puis{NBSP}: "
                                           f"quoi{NNBSP}? and “yes”!")


def test_english_quotation_in_a_french_essay_in_both_editions(project):
    root = project(manuscripts={"essai.md": (
        "---\ntitle: Passages\nlang: fr\n---\n\n"
        "Le philosophe écrivait, dans une lettre restée célèbre : « vraiment ? »\n\n"
        "> The point is that common sense; what we call reason is only habit, as the author argued at "
        "length: isn't it?\n\n"
        "Et [a passage the author marked: right?]{lang=en} dans le texte ; fin.\n")})
    [result] = build(open_project(root))
    assert result.ok, result.error
    page = epub_xml(root / "dist" / "essai.epub", "EPUB/ch00.xhtml")
    quote = page.find(".//x:div[@lang='en']/x:blockquote", NS)
    assert quote is not None
    assert "common sense; what" in "".join(quote.itertext())
    marked = page.find(".//x:span[@lang='en']", NS)
    assert "".join(marked.itertext()) == "a passage the author marked: right?"
    assert run_epubcheck(root / "dist" / "essai.epub") == []
    text = " ".join(pdf_pages(root / "dist" / "essai.pdf", flat=True))
    assert "common sense; what" in text and f"length: isn’t it?" in text
    assert f"texte{NNBSP}; fin" in text and f"vraiment{NNBSP}?" in text
