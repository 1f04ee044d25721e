"""TOML front matter mistakes: our own words, the line where the writer made them, and the fix."""

import tomllib
from pathlib import Path

import pytest

from pipeline.errors import ManuscriptError
from pipeline.sources.frontmatter import split_front_matter
from pipeline.sources.toml_errors import explain_toml_error


def failure(toml: str) -> ManuscriptError:
    text = "+++\n" + toml + "+++\n\nTexte.\n"
    with pytest.raises(ManuscriptError) as caught:
        split_front_matter(text, Path("t.md"))
    return caught.value


@pytest.mark.parametrize("toml, line, says, fix", [
    ('title = "Voyage\ndate = 2021-05-04\n', 2, "the quote opened on line 2 is never closed", "add '\"' at the end"),
    ("title = 'Voyage\ndate = 2021-05-04\n", 2, "the quote opened on line 2 is never closed", "add ''' at the end"),
    ('date = 2021-05-04\ntitle = "Voyage\n', 3, "the quote opened on line 3 is never closed", "add '\"'"),
    ('title = """Voyage\nen deux lignes\n', 2, 'the text opened with """ on line 2 is never closed', 'add """'),
    ('title "Voyage"\ndate = 2021-05-04\n', 2, "'=' between the key and its value is missing", 'title = "Voyage"'),
    ('title: "Voyage"\n', 2, "written as in YAML", 'title = "Voyage"'),
    ("title = Voyage en Italie\n", 2, "a text without quotes", 'title = "Voyage en Italie"'),
    ('title = "Voyage"\ndate = 2021-5-4\n', 3, "the date 2021-5-4", "date = 2021-05-04"),
    ('title = "Voyage"\ndate = 04/05/2021\n', 3, "the date 04/05/2021", "date = 2021-05-04"),
    ('title = "Voyage"\ndate = 2021-05-04\ntitle = "Autre"\n', 4, "'title' is given twice (first on line 2)",
     "keep only one"),
    ('title = "V"\n[extra]\na = 1\n[taxonomies]\ntags = ["a"]\n[extra]\nb = 2\n', 7,
     "table [extra] is declared twice (first on line 3)", "under the first [extra]"),
    ('title = "V"\ntags = ["a", "b"\ndate = 2021-05-04\n', 3, "list opened with '[' on line 3 is never closed", "add ']'"),
    ('title = "Voyage" en train\n', 2, "goes on after its closing quote", "inside the quotes"),
    ("draft = True\n", 2, "'True' is not a TOML true/false value", "draft = true"),
    ('title = "V"\n[extra\n', 3, "table name '[extra' is not closed", "[extra]"),
    ('title =\n', 2, "has no value", 'title = "…"'),
])
def test_toml_mistakes_are_named_at_their_line(toml, line, says, fix):
    error = failure(toml)
    assert error.line == line, str(error)
    assert says in error.message, error.message
    assert fix in error.hint, error.hint
    for words in ("Illegal character", "Expected", "Invalid"):  # never tomllib's wording
        assert words not in error.message


@pytest.mark.parametrize("toml", [
    'title = "Voyage"\ndate = 2021-05-04\n',
    'title = \'Voyage\' # un commentaire\ntags = [\n  "a", # un\n  "b",\n]\n[extra]\nx = { a = 1, b = "#" }\n',
    'title = """Sur\ndeux lignes"""\ndraft = false\nweight = 1_000\ndate = 2021-05-04T10:00:00+02:00\n',
    '"quoted key" = "v"\nsite.name = "x"\n[[authors]]\nname = "A"\n[[authors]]\nname = "B"\n',
])
def test_valid_toml_has_no_problem(toml):
    tomllib.loads(toml)  # valid: the explainer is only asked on failures, and must see nothing here
    from pipeline.sources.toml_errors import _problems
    assert list(_problems(toml)) == []


def test_unknown_mistake_keeps_the_line_in_our_words():
    text = 'title = "V"\na.b = 1\na = 2\n'
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    problem = explain_toml_error(text, caught.value)
    assert problem.line == 3 and problem.message.startswith("this line is not valid TOML")
    assert "key = value" in problem.hint
