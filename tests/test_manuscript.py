import datetime as dt

import pytest

from pipeline.errors import ManuscriptError
from pipeline.sources.manuscript import read_manuscript

from .conftest import write


def test_front_matter_and_body(tmp_path):
    path = write(tmp_path / "essai.md", """
        ---
        title: Mon essai
        date: 2024-05-01
        tags: [blog, lecture]
        ---

        Le texte commence ici.
    """)
    manuscript = read_manuscript(path)
    assert manuscript.front_matter["title"] == "Mon essai"
    assert manuscript.front_matter["date"] == dt.date(2024, 5, 1)
    assert "tags" not in manuscript.front_matter  # blog keys are ignored, not errors
    assert manuscript.body_line == 6  # the line after the closing '---'
    assert manuscript.line_of("commence") == 7
    assert manuscript.slug == "essai"


def test_no_front_matter_is_fine(tmp_path):
    manuscript = read_manuscript(write(tmp_path / "a.md", "# Titre\n\nTexte.\n"))
    assert manuscript.front_matter == {}
    assert manuscript.body_line == 1


@pytest.mark.parametrize("text, line, words", [
    ("---\ntitle: [unclosed\n---\nBody\n", 2, "invalid YAML"),
    ("---\ntitle: a\n  bad: indent\n---\nBody\n", 3, "invalid YAML"),
    ("---\n- a\n- b\n---\nBody\n", 2, "is a list"),
    ("---\njust a string\n---\nBody\n", 2, "single value"),
    ("---\ntitle: Never closed\n\nBody\n", 1, "never closed"),
    ("---\ntitle: 42\n---\nBody\n", 2, "title: expected text, got the number 42"),
    ("---\ntitle: [a, b]\n---\nBody\n", 2, "title: expected text, got a list"),
    ("---\ntitle: Ok\ndate: hier\n---\nBody\n", 3, "date"),
    ("---\ntitle: Ok\n---\n\n", 4, "no text"),
    ("", 1, "empty"),
    ("  \n\n", 1, "empty"),
])
def test_bad_manuscripts_name_the_line(tmp_path, text, line, words):
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManuscriptError) as info:
        read_manuscript(path)
    assert words in info.value.message
    assert info.value.line == line
    assert info.value.path == path
    assert info.value.hint


def test_non_utf8_file_names_the_line(tmp_path):
    path = tmp_path / "latin.md"
    path.write_bytes("---\ntitle: Essai\n---\nPremière ligne\nDéjà\n".encode("latin-1"))
    with pytest.raises(ManuscriptError) as info:
        read_manuscript(path)
    assert "UTF-8" in info.value.message
    assert info.value.line == 4


def test_binary_file(tmp_path):
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ManuscriptError, match="not a text file"):
        read_manuscript(path)


def test_windows_line_endings_and_bom(tmp_path):
    path = tmp_path / "win.md"
    path.write_bytes("\ufeff---\r\ntitle: Fenêtres\r\n---\r\nTexte.\r\n".encode("utf-8"))
    manuscript = read_manuscript(path)
    assert manuscript.front_matter["title"] == "Fenêtres"
    assert manuscript.body.strip() == "Texte."


def test_every_message_names_a_place_relative_to_the_project(tmp_path):
    from pipeline.errors import ManuscriptError, where

    root = tmp_path / "book"
    path = write(root / "manuscripts" / "quai" / "index.md", "---\ntitle: Quai\n---\n\nTexte.\n")
    assert where(path, 12, root=root) == "manuscripts/quai/index.md:12"
    assert where(path, None, root=root) == "manuscripts/quai/index.md"
    assert where(tmp_path / "ailleurs.bib", 3, root=root) == f"{tmp_path / 'ailleurs.bib'}:3"  # outside: as given
    assert read_manuscript(path, root=root).where(5) == "manuscripts/quai/index.md:5"
    assert read_manuscript(path).where(5) == "index.md:5"  # read without its project: its name
    error = ManuscriptError("x", path=path, line=2)
    assert error.location(relative_to=root) == "manuscripts/quai/index.md:2"
