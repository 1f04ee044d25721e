import pytest

from pipeline.references.bibliography import load_bibliography, parse_bib_file, read_bib_file
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


@pytest.mark.parametrize("text, line, key, words", [
    ("@book{a,\n  title = {Unbalanced,\n  year = 2000\n}\n\n@book{b, title={B}}\n", 2, "a",
     "brace opened here in field 'title' of entry 'a' is never closed"),
    ("@book{a,\n  title = {Unbalanced,\n  year = {2000}\n}\n", 2, "a", "never closed"),
    ("@book{a, title = {A}}\n\n@book{\n  title = {No key}\n}\n", 3, None, "has no key"),
    ("@book{a,\n  title = {A}\n  year = 2000\n}\n", 2, "a", "missing comma"),
    ("@book{a, title={A}}\n@book{a, title={Again}}\n", 2, "a", "duplicate key 'a', first defined on line 1"),
    ("@book{a,\n  note={x},\n  note={y}\n}\n", 3, "a", "field 'note' given twice in 'a'; the first value ('x') is used"),
    ("@article{m,\n  title = {{Models{\\\\\\}polygons}},\n  year = {1997}\n}\n", 2, "m", "escaped brace"),
])
def test_each_problem_names_its_line_entry_and_cause(tmp_path, text, line, key, words):
    path = write(tmp_path / "bad.bib", text)
    entries, problems = parse_bib_file(path)
    assert [(p.line, p.key) for p in problems] == [(line, key)]
    assert words in problems[0].message
    assert problems[0].hint and "failed_block" not in problems[0].message


def test_one_bad_entry_never_hides_the_others(tmp_path):
    path = write(tmp_path / "refs.bib", "@book{a, title={A}}\n@book{b,\n  title = {Open,\n  year = {1}\n}\n"
                                       "@book{c, title={C}}\n@book{c, title={Again}}\n@book{d, title={D}, t={1}, t={2}}\n")
    bibliography = load_bibliography([path])
    assert bibliography.keys == ["a", "c", "d"]
    assert bibliography.entries["c"].fields["title"] == "C"  # the first of two entries is used, as pandoc does
    assert bibliography.entries["d"].fields["t"] == "1"
    errors, warnings = bibliography.problems_of({"a"})
    assert errors == [] and [p.key for p in warnings] == ["b", "c", "d"]
    errors, _ = bibliography.problems_of({"b", "d"})
    assert [p.key for p in errors] == ["b", "d"]


def test_duplicate_key_across_files_names_both_places(tmp_path):
    first = write(tmp_path / "a.bib", "@book{same, title={A}}\n")
    second = tmp_path / "b.bib"
    second.write_text("\n\n@book{same, title={B}}\n", encoding="utf-8")
    bibliography = load_bibliography([first, second])
    assert bibliography.entries["same"].path == first
    [problem] = bibliography.problems
    assert (problem.path, problem.line, problem.key) == (second, 3, "same")
    assert "a.bib line 1" in problem.message


def test_crossref_and_xdata_are_inherited(tmp_path):
    path = write(tmp_path / "refs.bib", """@proceedings{conf, title = {Actes}, editor = {Ferry, Luc},
  publisher = {Presses}, year = {2016}, isbn = {9781450314329}}
@xdata{pub, publisher = {Autres presses}, location = {Lyon}}
@inproceedings{paper, author = {Guérin, Max}, title = {Un papier}, crossref = {conf}, xdata = {pub}}
@mvbook{whole, title = {Œuvres}, author = {Hugo, Victor}, year = {1900}}
@book{part, title = {Tome 1}, crossref = {whole}}
""")
    bibliography = load_bibliography([path])
    paper = bibliography.resolved("paper")
    assert paper.fields["booktitle"] == "Actes" and paper.fields["title"] == "Un papier"
    assert paper.fields["year"] == "2016" and paper.fields["location"] == "Lyon"
    assert paper.fields["publisher"] == "Autres presses"  # xdata first, then crossref
    part = bibliography.resolved("part")
    assert part.fields["maintitle"] == "Œuvres" and part.fields["title"] == "Tome 1"


def test_latin1_file_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "latin.bib"
    path.write_bytes("@book{a,\n  author = {Müller, Hans},\n}\n".encode("latin-1"))
    with pytest.raises(BibliographyError) as info:
        read_bib_file(path)
    assert info.value.line == 2
    assert "iconv" in info.value.hint


def test_cached_parse_gives_the_same_entries_and_problems(tmp_path):
    from pipeline.references import bibcache

    text = ("@string{pi = {Presses inventées}}\n@book{a, title={A}, publisher = pi}\n  @Comment{x @y}\n"
            "@book{b,\n  title = {Open,\n  year = {1}\n}\n@book{a, title={Again}}\n@book{c, t={1}, t={2}}\n")
    path = write(tmp_path / "refs.bib", text)
    cache = tmp_path / "dist"
    cache.mkdir()
    plain = parse_bib_file(path)
    assert parse_bib_file(path, cache_dir=cache) == plain  # first build: parsed, then kept
    assert parse_bib_file(path, cache_dir=cache) == plain  # and read back
    calls = []
    original = bibcache._parse_blocks
    bibcache._parse_blocks = lambda *args, **kw: calls.append(args[2]) or original(*args, **kw)
    try:
        assert parse_bib_file(path, cache_dir=cache) == plain  # nothing parsed again
        assert calls == []
        path.write_text("% a new first line\n" + text.replace("title={Again}", "title={Changed}"), encoding="utf-8")
        entries, problems = parse_bib_file(path, cache_dir=cache)
        [parsed] = calls  # only the new comment went to bibtexparser; the quick reader read the edited entry
        assert [block for _key, block in parsed] == ["% a new first line\n"]
        assert (entries, problems) == parse_bib_file(path)
        assert entries[0].fields["publisher"] == "Presses inventées" and entries[0].line == 3
    finally:
        bibcache._parse_blocks = original


def test_parents_are_found_whatever_the_case_and_granular_xdata_is_followed(tmp_path):
    """BibTeX finds a crossref key in any case; biblatex's `field = {xdata=KEY-FIELD[-N]}` takes KEY's field."""
    path = write(tmp_path / "refs.bib", r"""@XData{Actes2021, booktitle = {Actes de la journée}, publisher = {PUR},
  editor = {Martin, Claire and Petit, Jean}}
@InProceedings{p2022, author = {Blanc, Zoé}, title = {Lire à deux}, crossref = {Colloque2022}}
@Proceedings{colloque2022, title = {Colloque deux}, publisher = {PUF}, year = {2022}}
@inproceedings{g, title = {Granulaire}, booktitle = {xdata=actes2021-booktitle}, publisher = {xdata=Actes2021-publisher},
  editor = {xdata=Actes2021-editor-2 and Roux, Amélie}, year = {2021}}
@inproceedings{lost, title = {Perdu}, booktitle = {xdata=absent-booktitle}, year = {2021}}
@misc{alone, title = {Seul}}
""")
    bibliography = load_bibliography([path])
    p2022 = bibliography.resolved("p2022").fields
    assert (p2022["booktitle"], p2022["publisher"], p2022["year"]) == ("Colloque deux", "PUF", "2022")
    g = bibliography.resolved("g").fields
    assert (g["booktitle"], g["publisher"]) == ("Actes de la journée", "PUR")
    assert g["editor"] == "Petit, Jean and Roux, Amélie"
    assert bibliography.resolved("lost").fields["booktitle"] == "xdata=absent-booktitle"  # left for check to report
    # what a citation uses is not "uncited": parents, whatever their case, and granular sources
    assert bibliography.uncited({"p2022", "g"}) == ["lost", "alone"]
    assert bibliography.uncited({"*"}) == []


# (a .bib file with one fault in entry 'x', the line of the fault, words of its message, whether a citation fails)
BROKEN = [
    ('@book{x,\n  author = {Roux, Amélie},\n  title = "Lire sans fin,\n  year = {2019},\n}\n',
     3, "the quote that opens the value of field 'title' is never closed", True),
    ('@book{x,\n  title = {Fin},\n  note = "jamais fermée,\n}\n', 3, "field 'note' is never closed", True),
    ('@book{x,\n  title = {Fin},\n  note = "jamais fermée\n', 3, "field 'note' is never closed", True),
    ("@book{x,\n  author = {Blanc, Zoé},\n  title {Sans égal},\n  year = {2003},\n}\n",
     3, "field 'title' has no '=' before its value", True),
    ("@book{x,\n  title = {Avant},\n  year = {2001},\n\n", 3, "its closing '}' is missing after its last field", True),
    ("@book{x,\n  author = {Blanc, Zoé}\n  title = {Sans virgule},\n}\n", 2, "missing comma", True),
    ("@book{x,\n  title = {Inconnu},\n  publisher = presses,\n}\n", 3,
     "'presses' is neither a number nor a name defined by @string", True),
    ("@book{x,\n  title = {Lire}},\n  year = {2001},\n}\n", 2,
     "entry 'x' is closed before its last fields (year): an extra '}' ends it early", True),
    ("@book{x\n  title = {Lire},\n}\n", 1, "the key 'x' is not followed by a comma", True),
    ("@book{x,\n  title = ,\n  year = {2001},\n}\n", 2, "entry 'x', field 'title' has no value", True),
    # a quoted value holding an unbalanced brace: bibtexparser reads it, BibTeX and Biber reject it
    ('@book{x,\n  author = {Blanc, Zoé},\n  title = "Un titre {avec une accolade ouverte",\n  year = {2001},\n}\n',
     3, "entry 'x', field 'title': a '{' is never closed", True),
    ('@book{x,\n  title = {Fin},\n  note = "une } accolade fermante seule",\n}\n', 3,
     "entry 'x', field 'note': a '}' closes no brace", True),
    ('@book{x,\n  publisher = "Presses {de {Paris",\n  year = 2001,\n}\n', 2,
     "field 'publisher': 2 '{' are never closed", True),
    ("@comment{ une note {ouverte\n}\n", 1, "the brace that opens this @comment is never closed", False),
    ("@misc{y, title = {Y}}\nx}\n", 2, "text outside any entry ('x}')", False),
    ("@misc{y, title = {Y}}\n,\n", 2, "text outside any entry (',')", False),
]


@pytest.mark.parametrize("text, line, words, blocking", BROKEN)
def test_each_syntax_fault_gives_one_true_message_at_its_line(tmp_path, text, line, words, blocking):
    good = "@book{avant,\n  title = {Avant},\n  year = {2001},\n}\n\n"
    after = "\n@book{apres,\n  title = {Après},\n  year = {2002},\n}\n"
    path = write(tmp_path / "refs.bib", good + text + after)
    bibliography = load_bibliography([path])
    [problem] = bibliography.problems
    assert (problem.line, problem.blocking) == (line + 5, blocking), problem
    assert words in problem.message and problem.hint
    assert "failed_block" not in problem.message + problem.hint and "bibtex:" not in problem.message
    assert {"avant", "apres"} <= set(bibliography.entries)  # the entries around it are still read
    errors, warnings = bibliography.problems_of({"x"})
    assert (errors, warnings) == (([problem], []) if blocking else ([], [problem]))
    assert bibliography.problems_of({"avant"}) == ([], [problem])  # not cited: a warning


@pytest.mark.parametrize("text", [
    '@book{x,\n  title = {Le "grand" livre},\n  note = "un {"} entre guillemets",\n  month = jan,\n}\n',
    "@string{pi = {Presses}}\n@book{x, publisher = pi # { inventées}, year = 2001}\n",
    "This file was created with JabRef 2.10.\nEncoding: UTF-8\n\n@book{x, title = {X}}\n",
    "% a comment line {with a brace\n@book{x, title = {X}}\n",
    "===== Articles (see https://x.org/?a=b) =====\n@book{x, title = {X}}\n",
    # JabRef's and BibDesk's metadata blocks, braces and '=' inside
    "@book{x, title = {X}}\n@Comment{jabref-meta: grouping:\n0 AllEntriesGroup:;\n1 StaticGroup:Lire\\;0\\;1\\;;\n}\n"
    '@comment{BibDesk Static Groups{\n<dict><key a="b">x</key></dict>}}\n',
])
def test_what_bibtex_accepts_gives_no_problem(tmp_path, text):
    bibliography = load_bibliography([write(tmp_path / "refs.bib", text)])
    assert bibliography.problems == () and "x" in bibliography.entries
