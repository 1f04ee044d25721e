"""Raw HTML a book cannot hold (players, scripts, forms, style sheets) is removed with a warning that
names the file and line, what was removed and how to keep its content."""

from __future__ import annotations

import html
import re
import zipfile

import pytest

from pipeline import build, open_project

from .conftest import write

ESSAY = """---
title: {title}
lang: {lang}
date: 2024-05-01
---

Premier paragraphe du texte.

{html}

Dernier paragraphe.
"""

# (raw HTML, words the warning must hold, the link it must suggest or None)
EMBEDS = [
    ('<iframe src="https://www.youtube.com/embed/Zk3dQ9" title="Le débat de Nantes"></iframe>',
     ["<iframe>", "youtube.com/embed/Zk3dQ9", "link to it"], "[Le débat de Nantes](https://www.youtube.com/watch?v=Zk3dQ9)"),
    ('<iframe src="https://player.vimeo.com/video/4471" width="640"></iframe>',
     ["<iframe>", "player"], "(https://vimeo.com/4471)"),
    ('<object data="https://example.org/carte.swf" aria-label="Carte des quais">La carte</object>',
     ["<object>", "carte.swf"], "[Carte des quais](https://example.org/carte.swf)"),
    ('<embed src="https://example.org/plan.pdf">', ["<embed>", "plan.pdf"], "(https://example.org/plan.pdf)"),
    ('<video src="https://example.org/marée.mp4" controls>Votre lecteur ne lit pas la vidéo.</video>',
     ["<video>", "marée.mp4", "video"], "[la vidéo](https://example.org/marée.mp4)"),
    ('<audio controls><source src="https://example.org/houle.ogg" type="audio/ogg"></audio>',
     ["<audio>", "houle.ogg"], "(https://example.org/houle.ogg)"),
    ('<script>document.write("Bonjour des quais")</script>', ["<script>", "write what it shows as text"], None),
    ('<form action="https://example.org/vote"><label>Votre avis</label> <input name="avis"> '
     '<select name="n"><option>Oui</option></select></form>',
     ["<form>", "<input>", "<select>", "as text or a list"], None),
    ('<textarea name="mot">Un mot</textarea>', ["<textarea>", "as a paragraph"], None),
    ('<button type="button">Voter</button>', ["<button>", "label as text"], None),
    ('<style>p { color: red }</style>', ["<style>", "styles/book.css"], None),
]


@pytest.mark.parametrize("html, words, link", EMBEDS, ids=[e[0][1:e[0].index(" ") if " " in e[0][:12] else 7]
                                                              for e in EMBEDS])
def test_each_removed_embed_is_warned_with_line_and_a_way_to_keep_it(tmp_path, html, words, link):
    root = tmp_path / "book"
    write(root / "manuscripts" / "quai" / "index.md", ESSAY.format(title="Quai", lang="fr", html=html))
    write(root / "bibliography" / "refs.bib", "")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    removed = [w for w in result.warnings if "removed" in w and words[0] in w]
    assert len(removed) == 1, result.warnings
    message = removed[0]
    # The line of the raw HTML (line 9 of the file), and the path from the project root.
    assert message.startswith("manuscripts/quai/index.md:9: "), message
    for word in words:
        assert word in message, (word, message)
    if link:
        assert link in message, message
    text = _epub_text(root / "dist" / "quai.epub")
    assert "Premier paragraphe" in text and "Dernier paragraphe" in text
    assert not re.search(r"<(iframe|object|embed|video|audio|script|form|input|select|textarea|button|style)\b", text)


def test_several_embeds_each_get_their_own_line_english(tmp_path):
    html = ('<iframe src="https://example.org/a"></iframe>\n\nMiddle.\n\n'
            '<iframe src="https://example.org/b" title="Second map"></iframe>\n\n<script>x()</script>')
    root = tmp_path / "book"
    write(root / "manuscripts" / "map.md", ESSAY.format(title="Map", lang="en", html=html))
    write(root / "bibliography" / "refs.bib", "")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    iframes = [w for w in result.warnings if "<iframe>" in w]
    assert [w.split(": ", 1)[0] for w in iframes] == ["manuscripts/map.md:9", "manuscripts/map.md:13"]
    assert "[the page](https://example.org/a)" in iframes[0]
    assert "[Second map](https://example.org/b)" in iframes[1]
    assert any(w.startswith("manuscripts/map.md:15: raw <script>") for w in result.warnings), result.warnings


def test_an_embed_written_as_code_is_kept_and_not_warned(tmp_path):
    code = '```html\n<iframe src="https://example.org/a"></iframe>\n```\n\nAnd `<script>` inline.'
    root = tmp_path / "book"
    write(root / "manuscripts" / "code.md", ESSAY.format(title="Code", lang="en", html=code))
    write(root / "bibliography" / "refs.bib", "")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    assert not [w for w in result.warnings if "removed" in w], result.warnings
    shown = html.unescape(re.sub(r"<[^>]+>", "", _epub_text(root / "dist" / "code.epub")))
    assert '<iframe src="https://example.org/a"></iframe>' in shown


def _epub_text(epub) -> str:
    with zipfile.ZipFile(epub) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml")
                       and "nav" not in n)


def test_in_a_book_each_warning_names_its_chapter_file_and_line(tmp_path):
    root = tmp_path / "book"
    write(root / "manuscripts" / "quai.md", ESSAY.format(title="Quai", lang="fr", html="Sans rien."))
    write(root / "manuscripts" / "port" / "index.md", ESSAY.format(
        title="Port", lang="fr", html='Le port, vu du ciel.\n\n<iframe src="https://example.org/port"></iframe>'))
    write(root / "bibliography" / "refs.bib", "")
    write(root / "make-book.toml", '[books.recueil]\ntitle = "Recueil"\nchapters = ["quai", "port"]\n')
    results = build(open_project(root), formats=("epub",))
    book = next(r for r in results if r.book)
    assert book.ok, book.error
    removed = [w for w in book.warnings if "<iframe>" in w]
    assert removed and all(w.startswith("manuscripts/port/index.md:11: raw <iframe>") for w in removed), book.warnings
    assert not [w for w in book.warnings if w.startswith("make-book.toml")], book.warnings
    assert "example.org/port" not in _epub_text(root / "dist" / "recueil.epub")
