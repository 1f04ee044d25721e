"""YAML mistakes in front matter: the line of the real mistake, plain words, the fix."""

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from pipeline.errors import ManuscriptError
from pipeline.sources.manuscript import read_manuscript
from pipeline.sources.yaml_errors import explain_yaml_error

BODY = "\nUn paragraphe.\n"


@pytest.mark.parametrize("front, line, words, fix", [
    # A quote left open swallows the next lines: reported where it opens.
    ('title: "Lire lentement\ndate: 2024-05-01\nlang: fr\ntags: ["lecture", "outils"]\n', 2,
     "quote (\") opened on this line is never closed", 'title: "Lire lentement"'),
    ('date: 2024-05-01\nauthor: "Anne Bé\ntitle: "Lire"\nlang: fr\n', 3, "never closed", 'author: "Anne Bé"'),
    ("date: 2024-05-01\ntitle: 'Lire lentement\n", 3, "quote (') opened on this line is never closed",
     "title: 'Lire lentement'"),
    ("title: 'L'art de lire'\ndate: 2024-05-01\n", 2, "apostrophe", "title: \"L'art de lire\""),
    ('title: "Lire" lentement\n', 2, "text after the closing quote", 'title: "Lire lentement"'),
    # Quotes inside a quoted value: kept, the value put in the other quotes (an apostrophe doubled).
    ('title: "Lire "lentement" encore"\nlang: fr\n', 2, "double quote (\") inside", "title: 'Lire \"lentement\" encore'"),
    ('title: "L\'art de "lire""\n', 2, "double quote", "title: 'L''art de \"lire\"'"),
    ('date: 2024-05-01\ntitle: "Le "vrai" et le "faux"" # titre\n', 3, "double quote",
     "title: 'Le \"vrai\" et le \"faux\"' # titre"),
    ('tags:\n  - "a "b" c"\n', 3, "double quote", "- 'a \"b\" c'"),
    ("title: 'L'art de \"lire\"'\n", 2, "apostrophe", "title: 'L''art de \"lire\"'"),
    ("title: Essai\ntags:\n\t- lecture\n", 4, "tab", "indent with spaces"),
    # A tab outside the indentation: named by where it is, with the line as it should be.
    ("title: Essai\t# le titre\ndate: 2024-05-01\n", 2, "tab separates the value from its comment",
     "title: Essai # le titre"),
    ("date: 2024-05-01\ntitle: \"Essai\" \t # le titre\n", 3, "comment ('#')", 'title: "Essai" # le titre'),
    ("tags:\n  - lecture\t# à trier\n  - outils\n", 3, "comment ('#')", "  - lecture # à trier"),
    ("author:\n  name: Anne Bé\t\t# ou Anne B.\n", 3, "comment ('#')", "  name: Anne Bé # ou Anne B."),
    ("tags: [a, b]\t# deux\n", 2, "comment ('#')", "tags: [a, b] # deux"),
    ("title:\tEssai\n", 2, "tab follows the ':' of this key", "title: Essai"),
    ("tags:\n  -\tlecture\n", 3, "tab follows the '-' of this list item", "  - lecture"),
    ("title: Lire\tlentement\n", 2, "tab is inside this value", "title: Lire lentement"),
    ("title: Essai\t\ndate: 2024-05-01\n", 2, "tab ends this line", "remove the tab at the end of the line: title: Essai"),
    ("title: Essai\n\t# un commentaire\ndate: 2024-05-01\n", 3, "tab is used to indent", "indent with spaces"),
    ("title: Lire : un essai\n", 2, "': '", 'title: "Lire : un essai"'),
    ("title:Lire\ndate: 2024-05-01\n", 2, "no space after the ':'", "title: Lire"),
    ("author: @anne\n", 2, "at sign", 'author: "@anne"'),
    ("title: `code`\n", 2, "backquote", 'title: "`code`"'),
    ("title: *gras*\n", 2, "asterisk", 'title: "*gras*"'),
    ("tags: [lecture, outils\ndate: 2024-05-01\n", 2, "list opened with '[' on this line is never closed", "]"),
    ("author: {name: Anne\n", 2, "opened with '{'", "}"),
    ("title: Essai\n  date: 2024-05-01\n", 3, "indented", "beginning of the line"),
    ("title: Essai\ntags:\n  - a\n - b\n", 5, "not indented like", "same number of spaces"),
    ("title: Essai\njuste du texte\ndate: 2024-05-01\n", 3, "not of the form 'key: value'", "key: value"),
])
def test_the_message_points_at_the_mistake(tmp_path, front, line, words, fix):
    path = tmp_path / "essai.md"
    path.write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    with pytest.raises(ManuscriptError) as caught:
        read_manuscript(path)
    error = caught.value
    assert error.line == line, error.format()
    assert words in error.message
    assert fix in error.hint
    # Plain words: none of PyYAML's parser jargon reaches the writer.
    for jargon in ("<block end>", "<scalar>", "token", "simple key"):
        assert jargon not in error.format()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab: \t\"'[]{}-#@*&!|>%\n", max_size=60))
def test_any_yaml_error_gets_a_line_inside_the_text(text):
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = explain_yaml_error(text, exc)
        assert 0 <= problem.line < len(text.split("\n"))
        assert problem.message and problem.hint


@pytest.mark.parametrize("value", ['Lire "lentement" encore', 'L\'art de "lire"', 'Le "vrai" et le "faux"',
                                   '"Cité" au début', 'à la fin "cité"', "L'été d'avant", "Qu'il 'faut' lire"])
@pytest.mark.parametrize("quote", ['"', "'"])
def test_the_suggested_line_is_valid_and_keeps_the_inner_quotes(value, quote):
    """Applying the hint gives valid YAML reading back the author's value, quotes and apostrophes kept."""
    line = f"title: {quote}{value}{quote}"
    try:
        yaml.safe_load(line)
        return  # valid as written (an apostrophe inside double quotes)
    except yaml.YAMLError as exc:
        problem = explain_yaml_error(line + "\n", exc)
    fixed = problem.hint[problem.hint.index("title: "):]
    assert yaml.safe_load(fixed) == {"title": value}, (line, problem.hint)
