"""Front matter as blogs write it: YAML, TOML, JSON, Pelican/MultiMarkdown; dates; generator keys."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import ManuscriptError
from pipeline.sources.frontmatter import read_date
from pipeline.sources.manuscript import read_manuscript

from .conftest import write


@pytest.mark.parametrize("name, text, form", [
    ("hugo-toml.md", """
        +++
        title = "Carnet de voyage"
        date = 2021-05-04T09:30:00+02:00
        draft = false
        tags = ["voyage", "train"]
        slug = "carnet"
        weight = 3
        [params]
        mood = "calme"
        +++

        Nous partons.
    """, "TOML"),
    ("zola.md", """
        +++
        title = "Carnet de voyage"
        date = 2021-05-04
        [taxonomies]
        tags = ["voyage"]
        +++

        Nous partons.
    """, "TOML"),
    ("hugo-json.md", """
        {
          "title": "Carnet de voyage",
          "date": "2021-05-04",
          "tags": ["voyage"],
          "params": {
            "nested": {"a": 1}
          }
        }

        Nous partons.
    """, "JSON"),
    ("pelican.md", """
        Title: Carnet de voyage
        Date: 2021-05-04 10:20
        Tags: voyage, train
        Slug: carnet
        Lang: fr

        Nous partons.
    """, "Pelican"),
    ("mmd.md", """
        Title:  Carnet de voyage
        Author: Anne Exemple
                et Paul Exemple
        Date:   04/05/2021

        Nous partons.
    """, "Pelican"),
    ("jekyll.md", """
        ---
        layout: post
        title: "Carnet de voyage"
        date: 2021-05-04 10:20:00 +0200
        categories: [voyage]
        permalink: /carnet/
        ---

        Nous partons.
    """, "YAML"),
])
def test_every_form_gives_title_date_and_body(tmp_path, name, text, form):
    manuscript = read_manuscript(write(tmp_path / name, text))
    assert manuscript.front_matter_form == form
    assert manuscript.front_matter["title"] == "Carnet de voyage"
    assert manuscript.front_matter["date"] == dt.date(2021, 5, 4)
    assert manuscript.body.strip() == "Nous partons."
    assert manuscript.line_of("Nous partons") == manuscript.text.split("\n").index("Nous partons.") + 1
    assert not manuscript.draft


def test_generator_keys_become_settings(tmp_path):
    manuscript = read_manuscript(write(tmp_path / "a.md", """
        ---
        title: Essai
        date: 2024-03-02
        authors: [Anne, Paul]
        summary: Un résumé.
        tags: [a, b]
        categories: [c, b]
        language: fr_FR
        aliases: [/old/]
        weight: 2
        cover: {image: img/couv.png, alt: Couverture}
        ---

        Texte.
    """))
    values = manuscript.front_matter
    assert values["author"] == ("Anne", "Paul")
    assert values["description"] == "Un résumé."
    assert values["keywords"] == ("a", "b", "c")
    assert values["lang"] == "fr-FR"
    assert values["cover"] == "img/couv.png"


def test_quarto_authors_as_mappings(tmp_path):
    manuscript = read_manuscript(write(tmp_path / "q.qmd.md", """
        ---
        title: Essai
        date: 02/03/2024
        author:
          - name: Anne Exemple
            affiliation: Ailleurs
          - name: {given: Paul, family: Exemple}
        ---

        Texte.
    """))
    assert manuscript.front_matter["author"] == ("Anne Exemple", "Paul Exemple")
    assert manuscript.front_matter["date"] == dt.date(2024, 3, 2)  # DD/MM/YYYY


@pytest.mark.parametrize("text", ["draft: true", "draft: yes", "published: false", "status: draft"])
def test_draft_flag(tmp_path, text):
    manuscript = read_manuscript(write(tmp_path / "a.md", f"---\ntitle: A\n{text}\n---\n\nTexte.\n"))
    assert manuscript.draft


@pytest.mark.parametrize("value, lang, expected", [
    ("2024-03-02", "", dt.date(2024, 3, 2)),
    ("2024-03-02T23:30:00-05:00", "", dt.date(2024, 3, 2)),  # the date written, in its own zone
    ("2024-03-02T10:00:00Z", "", dt.date(2024, 3, 2)),
    ("2024-03-02 10:00:00 +0100", "", dt.date(2024, 3, 2)),  # Jekyll
    ("02/03/2024", "fr", dt.date(2024, 3, 2)),
    ("02/03/2024", "en-US", dt.date(2024, 2, 3)),
    ("03/25/2024", "", dt.date(2024, 3, 25)),  # 25 cannot be a month
    ("02.03.2024", "", dt.date(2024, 3, 2)),
    ("2024/03/02", "", dt.date(2024, 3, 2)),
    ("2 mars 2024", "fr", dt.date(2024, 3, 2)),
    ("1er février 2024", "fr", dt.date(2024, 2, 1)),
    ("March 2, 2024", "en", dt.date(2024, 3, 2)),
    ("30/02/2024", "", None),
    ("hier", "", None),
])
def test_dates_as_blogs_write_them(value, lang, expected):
    assert read_date(value, lang=lang) == expected


@pytest.mark.parametrize("text, line, words", [
    ('+++\ntitle = "A"\ndate = = 3\n+++\n\nTexte.\n', 3, "invalid TOML"),
    ('+++\ntitle = "A"\n\nTexte.\n', 1, "never closed"),
    ('{\n  "title": "A",\n  "date": \n}\n\nTexte.\n', 4, "invalid JSON"),
    ('---\ntitle: A\ndate: 31/02/2024\n---\n\nTexte.\n', 3, "date"),
    ('+++\ntitle = "A"\ndate = "le 3"\n+++\n\nTexte.\n', 3, "date"),
])
def test_problems_name_the_line(tmp_path, text, line, words):
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManuscriptError) as info:
        read_manuscript(path)
    assert words in info.value.message
    assert info.value.line == line
    assert info.value.hint


def test_a_paragraph_with_a_colon_is_not_metadata(tmp_path):
    manuscript = read_manuscript(write(tmp_path / "a.md", "Attention: le quai est glissant.\n\nSuite.\n"))
    assert manuscript.front_matter_form is None
    assert manuscript.body.startswith("Attention")


def test_refs_goes_on_past_a_bad_date_and_shows_drafts(project):
    root = project(manuscripts={
        "a.md": "---\ntitle: A\ndate: 2024-02-30\ndraft: true\n---\n\nVoir [@eco1985lector].\n",
        "b.md": "+++\ntitle = \"B\"\ndate = 2024-02-03\n+++\n\nTexte.\n",
    })
    result = CliRunner().invoke(cli, ["refs", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "manuscripts/a.md (marked draft in its front matter)" in result.output
    assert "a.md:3" in result.output and "date" in result.output  # the warning names the line
    assert "@eco1985lector" in result.output
    out = CliRunner().invoke(cli, ["refs", "--root", str(root), "--format", "json"], catch_exceptions=False)
    data = json.loads(out.stdout if hasattr(out, "stdout") else out.output)
    assert [r["draft"] for r in data] == [True, False]
    check = CliRunner().invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    assert check.exit_code == 1 and "a.md:3: date: the date '2024-02-30' does not exist" in check.output  # as the build


# -- authors and tags, as each generator writes them ------------------------------------------------------

AUTHORS_AND_TAGS = {
    "zola": ('+++\ntitle = "Les quais"\ndate = 2024-03-02\n[taxonomies]\ntags = ["ports", "marées"]\n'
             'categories = ["Voyages"]\n[extra]\nauthor = "Marie Dupont"\n+++\n\nTexte.\n',
             ("Marie Dupont",), ("ports", "marées", "Voyages")),
    "zola-authors-taxonomy": ('+++\ntitle = "Q"\n[taxonomies]\nauthors = ["Marie Dupont", "Paul Martin"]\n'
                              'tags = ["ports"]\n+++\n\nTexte.\n', ("Marie Dupont", "Paul Martin"), ("ports",)),
    "hugo-params": ('+++\ntitle = "Q"\ntags = ["ports"]\ncategories = ["Voyages"]\n[params]\n'
                    'author = "Paul Martin"\n+++\n\nTexte.\n', ("Paul Martin",), ("ports", "Voyages")),
    "hugo-yaml-authors": ("---\ntitle: Q\nauthors: [Marie Dupont, Paul Martin]\ntags: [ports]\n---\n\nTexte.\n",
                          ("Marie Dupont", "Paul Martin"), ("ports",)),
    "jekyll-author-mapping": ("---\ntitle: Q\nauthor:\n  name: Marie Dupont\n  twitter: md\ntags: [a, b]\n"
                              "categories: essais\n---\n\nTexte.\n", ("Marie Dupont",), ("a", "b", "essais")),
    "pelican": ("Title: Q\nDate: 2021-05-04\nAuthors: Marie Dupont; Paul Martin\nTags: ports, marées\n"
                "Category: Voyages\n\nTexte.\n", ("Marie Dupont", "Paul Martin"), ("ports", "marées", "Voyages")),
    "quarto": ("---\ntitle: Q\nauthor:\n  - name: Marie Dupont\n    affiliation: X\n  - name:\n      given: Paul\n"
               "      family: Martin\ncategories: [ports, marées]\nkeywords: [quais]\n---\n\nTexte.\n",
               ("Marie Dupont", "Paul Martin"), ("quais", "ports", "marées")),
    "obsidian-string": ('---\ntitle: Q\nauthor: "[[Marie Dupont]]"\ntags: lecture, notes\n---\n\nTexte.\n',
                        ("Marie Dupont",), ("lecture", "notes")),
    "obsidian-list": ('---\ntitle: Q\nauthors:\n  - "[[Marie Dupont|Marie]]"\n  - Paul Martin\ntags:\n'
                      '  - "#lecture"\n  - notes/livres\n---\n\nTexte.\n',
                      ("Marie Dupont", "Paul Martin"), ("lecture", "notes/livres")),
    "mkdocs-material": ("---\ntitle: Q\nauthors: [marie]\ncategories:\n  - Voyages\ntags: [ports]\n---\n\nTexte.\n",
                        ("Marie Dupont",), ("ports", "Voyages")),
}


@pytest.mark.parametrize("name", AUTHORS_AND_TAGS)
def test_authors_and_tags_of_every_generator_are_read(tmp_path, name):
    text, authors, keywords = AUTHORS_AND_TAGS[name]
    root = tmp_path / "site"
    # MkDocs Material's blog plugin names authors by an id of .authors.yml
    write(root / "manuscripts" / ".authors.yml", "authors:\n  marie:\n    name: Marie Dupont\n    avatar: m.png\n")
    manuscript = read_manuscript(write(root / "manuscripts" / f"{name}.md", text), root=root)
    assert manuscript.front_matter.get("author") == authors
    assert manuscript.front_matter.get("keywords") == keywords
    assert not manuscript.warnings, manuscript.warnings


def test_zola_author_and_tags_reach_the_editions(project):
    from pipeline import build, open_project

    from .conftest import NS, epub_xml

    root = project({"quais.md": AUTHORS_AND_TAGS["zola"][0].replace("Texte.", "Le quai est long.")}, bib={})
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    opf = epub_xml(root / "dist" / "quais.epub", "EPUB/content.opf")
    assert opf.xpath("//dc:creator/text()", namespaces=NS) == ["Marie Dupont"]
    assert set(opf.xpath("//dc:subject/text()", namespaces=NS)) == {"ports", "marées", "Voyages"}


def test_a_tag_table_value_make_book_cannot_read_is_a_warning_with_its_line(tmp_path):
    manuscript = read_manuscript(write(tmp_path / "z.md", '+++\ntitle = "Q"\n[extra]\nauthor = 3\n+++\n\nTexte.\n'))
    assert manuscript.warnings == (("front matter key 'extra.author' ignored: make-book cannot read 3 as the author",
                                    4),)


# -- a ' #' after an unquoted value: YAML reads a comment, the value is cut -----------------------------------

@pytest.mark.parametrize("line, key, read, fix", [
    ("title: Carnet #3 de lecture", "title", "Carnet", 'title: "Carnet #3 de lecture"'),
    ("subtitle: Notes  #2", "subtitle", "Notes", 'subtitle: "Notes  #2"'),
    ('tags:\n  - "C#"\n  - lecture #lente', "tags", "lecture", '- "lecture #lente"'),
])
def test_a_value_cut_by_a_yaml_comment_is_a_warning_with_its_line(tmp_path, line, key, read, fix):
    path = write(tmp_path / "a.md", f"---\nlang: fr\n{line}\n---\n\nTexte.\n")
    warnings = read_manuscript(path).warnings
    number = 3 + line.count("\n")
    assert [(f"{key}: the text after '#' is a YAML comment, so the value read is {read!r}; "
             f"quote the value: {fix}", number)] == [w for w in warnings if "YAML comment" in w[0]]


def test_a_hash_in_quotes_in_a_word_or_after_a_flag_is_not_a_cut_value(tmp_path):
    path = write(tmp_path / "a.md", '---\ntitle: "Carnet #3"\nsubtitle: Notes en C# et F#\n'
                                    "draft: false  # publish\ndate: 2024-01-01 # day\n---\n\nTexte.\n")
    manuscript = read_manuscript(path)
    assert manuscript.front_matter["title"] == "Carnet #3" and not manuscript.warnings


def test_the_build_warns_of_a_title_cut_by_a_comment(project):
    root = project({"carnet.md": "---\ntitle: Carnet #3 de lecture\ndate: 2024-01-01\n---\n\nTexte.\n"})
    result = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "carnet.md:2: title: the text after '#' is a YAML comment" in result.output, result.output
