"""The printed edition: notes at the foot of their page, the page tree, metadata."""

import random

from lxml import html as lxml_html

from pipeline.pdf import inline_footnotes

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
