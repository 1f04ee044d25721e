import pytest

from pipeline.references.bibliography import load_bibliography, read_bib_file
from pipeline.errors import BibliographyError

from .conftest import SAMPLE_BIB, write


def test_entries_are_indexed_with_file_and_line(tmp_path):
    path = write(tmp_path / "refs.bib", SAMPLE_BIB)
    bibliography = load_bibliography([path])
    assert bibliography.keys == ["eco1985lector", "lecun2015deep"]
    entry = bibliography.entries["lecun2015deep"]
    assert entry.type == "article"
    assert entry.get("doi") == "10.1038/nature14539"
    assert entry.path == path
    assert path.read_text().splitlines()[entry.line - 1].startswith("@article{lecun2015deep")


@pytest.mark.parametrize("text, line, words", [
    ("@book{a,\n  title = {Unbalanced,\n  year = 2000\n}\n\n@book{b, title={B}}\n", 1, "malformed entry"),
    ("@book{a, title = {A}}\n\n@book{\n  title = {No key}\n}\n", 3, "malformed entry"),
    ("@book{a,\n  title = {A}\n  year = 2000\n}\n", 2, "missing comma"),
    ("@book{a, title={A}}\n@book{a, title={Again}}\n", 2, "duplicate key 'a', first defined on line 1"),
])
def test_malformed_files_name_the_line(tmp_path, text, line, words):
    path = write(tmp_path / "bad.bib", text)
    with pytest.raises(BibliographyError) as info:
        read_bib_file(path)
    assert words in info.value.message
    assert info.value.line == line
    assert info.value.hint


def test_duplicate_key_across_files_names_both_places(tmp_path):
    first = write(tmp_path / "a.bib", "@book{same, title={A}}\n")
    second = tmp_path / "b.bib"
    second.write_text("\n\n@book{same, title={B}}\n", encoding="utf-8")
    with pytest.raises(BibliographyError) as info:
        load_bibliography([first, second])
    assert info.value.path == second
    assert info.value.line == 3
    assert "a.bib line 1" in info.value.message


def test_latin1_file_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "latin.bib"
    path.write_bytes("@book{a,\n  author = {Müller, Hans},\n}\n".encode("latin-1"))
    with pytest.raises(BibliographyError) as info:
        read_bib_file(path)
    assert info.value.line == 2
    assert "iconv" in info.value.hint
