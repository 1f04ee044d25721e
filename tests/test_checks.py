"""`make-book check` on the bibliography: true findings only, each with its line."""

from __future__ import annotations

import pytest

from pipeline.references.checks import check_bibliography

from .conftest import write

BIB = r"""@inproceedings{aubry2013, author = {Aubry, Marc}, title = {Un premier papier},
  booktitle = {Actes 2013}, year = {2013}, isbn = {9781450314329}}
@inproceedings{bellec2013, author = {Bellec, Anne}, title = {Un second papier},
  booktitle = {Actes 2013}, year = {2013}, isbn = {9781450314329}}
@article{caradec1987, author = {Caradec, Yves}, title = {Un article}, journal = {Bulletin}, year = {1987},
  url = {http://bulletin.example.org/87JUN-CD.pdf}}
@article{daniel1987, author = {Daniel, Rose}, title = {Un autre}, journal = {Bulletin}, year = {1987},
  url = {http://bulletin.example.org/87JUN-CD.pdf}}
@proceedings{colloque2016, editor = {Ferry, Luc}, title = {Actes 2016}, publisher = {Presses}, year = {2016}}
@inproceedings{guerin2016, author = {Guérin, Max}, title = {Un papier hérité}, crossref = {colloque2016}}
@online{hamon1996, author = {Hamon, Nils}, title = {Une prépublication}, date = {1996-03-11},
  eprinttype = {arxiv}, eprint = {hep-th/9603067}}
@book{livre1, author = {Un, Auteur}, title = {Livre}, publisher = {P}, year = {2000}, isbn = {978-2-246-28391-1}}
@book{livre2, author = {Un, Auteur}, title = {Livre, réédition}, publisher = {P}, year = {2000},
  isbn = {978-2246283911}}
@misc{bad\key, title = {Clé illisible}}
@misc{oddfield, title = {Champ bizarre}, odd:name = {x}}
@article{orphan, author = {O, P}, title = {T}, journal = {J}, year = {2000}, crossref = {absent}}
@misc{mendeley, title = {Un tiret bas}, doi = {10.1007/978-3-642-03354-4{\_}40}}
@article{latex, author = {L, M}, title = {Un \unknowncommand{x} titre}, journal = {J}, year = {2000}}
"""


def test_check_findings_are_true_and_placed(tmp_path):
    path = write(tmp_path / "refs.bib", BIB)
    cited = {"aubry2013", "bellec2013", "caradec1987", "daniel1987", "guerin2016", "hamon1996"}
    findings = [f.format(tmp_path) for f in check_bibliography([path], cited)]
    text = "\n".join(findings)
    # papers of one volume share its ISBN, articles of one issue its PDF: not the same work
    assert "'bellec2013' is the same work" not in text and "'daniel1987' is the same work" not in text
    assert "'livre2' is the same work as 'livre1' (isbn:9782246283911)" in text  # two books: true
    assert "guerin2016" not in text  # booktitle and year come through crossref
    assert "hamon1996" not in text  # an eprint is an @online's locator
    assert "warning: refs.bib:16: key 'bad\\\\key' has characters a citation cannot use" in text
    assert "warning: refs.bib:17: 'oddfield': field name 'odd:name'" in text
    assert "warning: refs.bib:18: 'orphan': its crossref 'absent' is not in the bibliography" in text
    assert "info: refs.bib:19: 'mendeley': doi holds LaTeX escapes, read as '10.1007/978-3-642-03354-4_40'" in text
    assert "warning: refs.bib:20: 'latex', field 'title': the LaTeX command \\unknowncommand cannot be converted" in text
    # uncited entries are counted, not listed; the crossref parent of a cited entry counts as used
    assert findings[-1] == "info: refs.bib: 7 of 14 entries are cited by no manuscript (make-book refs lists the cited ones)"
    assert all(": :" not in f and not f.endswith(": ") for f in findings)


def test_a_manuscript_that_cannot_be_read_is_an_error_of_check(project):
    """check must not say "0 error(s)" and exit 0 for a project whose manuscript cannot be built."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    root = project({"essai.md": '---\ntitle: "Lire lentement\ndate: 2024-01-01\n---\n\nTexte.\n',
                    "bon.md": "---\ntitle: Bon\n---\n\nVoir [@eco1985lector].\n"})
    result = CliRunner().invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "essai.md:2:" in result.output and "never closed" in result.output
    assert "1 error(s)" in result.output
    assert "'eco1985lector' is cited by no manuscript" not in result.output  # the readable one still counts


def test_refs_and_check_count_the_same_uncited_entries(project):
    """One count (Bibliography.uncited): crossref/xdata parents, linked works and nocite keys are used."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    bib = r"""@proceedings{Actes2016, title = {Actes}, publisher = {Presses}, year = {2016}}
@inproceedings{papier, author = {Roux, Amélie}, title = {Papier}, crossref = {actes2016}}
@xdata{pub, publisher = {PUR}}
@book{livre, author = {Blanc, Zoé}, title = {Livre}, xdata = {pub}, year = {2001}}
@article{lien, author = {Petit, Jean}, title = {Lien}, journal = {J}, year = {2002}, doi = {10.1000/lien}}
@misc{nocite, title = {Ajouté par nocite}, year = {2003}}
@misc{seul1, title = {Seul}, year = {2004}}
@misc{seul2, title = {Seul aussi}, year = {2005}}
"""
    essay = ("---\ntitle: Essai\nlang: fr\ndate: 2024-01-01\nnocite: \"@nocite\"\n---\n\n"
             "Voir [@papier; @livre] et [un article](https://doi.org/10.1000/lien).\n")
    root = project({"essai.md": essay}, bib={"refs.bib": bib})
    runner = CliRunner()
    refs = runner.invoke(cli, ["refs", "--root", str(root)], catch_exceptions=False)
    check = runner.invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    assert "never cited here: seul1, seul2" in refs.output, refs.output
    assert "refs.bib: 2 of 8 entries are cited by no manuscript" in check.output, check.output
    assert "its crossref 'actes2016' is the key 'Actes2016' written in another case" in check.output


def test_a_missing_comma_is_one_finding_not_a_missing_title(tmp_path):
    path = write(tmp_path / "refs.bib", "@book{virgule,\n  author = {Blanc, Zoé}\n  title = {Sans virgule},\n"
                                        "  publisher = {P},\n  year = {2003},\n}\n")
    findings = [f.format(tmp_path) for f in check_bibliography([path], {"virgule"})]
    assert findings == ["error: refs.bib:2: entry 'virgule', field 'author': missing comma after this field's value "
                        "(it runs into the next field) (put a comma after the closing brace or quote of this field)"]


def test_a_control_word_in_an_address_is_read_without_its_ending_space(tmp_path):
    path = write(tmp_path / "refs.bib", "@misc{page,\n  title = {Une page},\n"
                                        "  url = {https://example.org/\\textasciitilde user/page},\n}\n"
                                        "@misc{autre,\n  title = {Une autre},\n"
                                        "  url = {https://example.org/\\textasciitilde{}moi/a\\textunderscore  b},\n}\n")
    text = "\n".join(f.format(tmp_path) for f in check_bibliography([path], {"page", "autre"}))
    assert "'page': url holds LaTeX escapes, read as 'https://example.org/~user/page'" in text, text
    assert "'autre': url holds LaTeX escapes, read as 'https://example.org/~moi/a_b'" in text, text
    assert "~ user" not in text


# -- check reports what the build refuses on reading the project (one place: builder.reading_errors) ---------

GOOD = "---\ntitle: {title}\ndate: 2024-01-01\n---\n\nTexte.\n"


def _check_and_build(root):
    from click.testing import CliRunner

    from pipeline.cli import cli

    check = CliRunner().invoke(cli, ["check", "--root", str(root)], catch_exceptions=False)
    build = CliRunner().invoke(cli, ["--root", str(root), "--format", "epub"], catch_exceptions=False)
    return check, build


@pytest.mark.parametrize("names", [("Notes de lecture.md", "notes_de-lecture.md"), ("Été.md", "ete.md"),
                                   ("Carnet 3.md", "carnet-3.md")])
def test_check_refuses_manuscripts_that_would_publish_under_one_name(project, names):
    root = project({name: GOOD.format(title=f"T{i}") for i, name in enumerate(names)})
    check, build = _check_and_build(root)
    assert build.exit_code == 1 and check.exit_code == 1, check.output
    errors = [line for line in check.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and all(all(repr(n) in e for n in names) for e in errors), check.output
    assert "2 error(s)" in check.output
    assert "spaces, '-', '_' or punctuation give the same name" in check.output
    assert "more than accents or case" not in build.output


@pytest.mark.parametrize("date, says", [("2024-02-30", "the date '2024-02-30' does not exist"),
                                        ("2023-13-01", "the date '2023-13-01' does not exist"),
                                        ("30/02/2024", "expected a date written YYYY-MM-DD")])
def test_check_reports_the_front_matter_errors_of_the_build(project, date, says):
    root = project({"bad.md": f"---\ntitle: Bad\nlang: fr\ndate: {date}\n---\n\nTexte.\n",
                    "bon.md": GOOD.format(title="Bon")})
    check, build = _check_and_build(root)
    assert build.exit_code == 1 and f"bad.md:4: date: {says}" in build.output, build.output
    assert check.exit_code == 1 and f"bad.md:4: date: {says}" in check.output, check.output
    assert "1 error(s)" in check.output


@pytest.mark.parametrize("broken", [
    "@misc{broken2020,\n  author = {Nul, Personne},\n  title = {Titre cassé,\n  year = {2020}\n}\n",
    '@misc{broken2020,\n  author = {Nul, Personne},\n  title = "Titre cassé,\n  year = {2020}\n}\n',
])
def test_a_cited_entry_that_cannot_be_read_is_the_same_error_in_check_refs_and_build(project, broken):
    """Not "unknown key": the entry is there; check (whole project, an essay, a book) and refs name its
    file and line and why, as an error, as the build does."""
    import json
    import re

    from click.testing import CliRunner

    from pipeline.cli import cli

    bib = "@book{beta2010,\n  author = {Bé, Ta},\n  title = {Beta},\n  publisher = {P},\n  year = {2010}\n}\n"
    root = project({"un.md": "---\ntitle: Un\nlang: fr\ndate: 2024-01-01\n---\n\nBeta [@beta2010].\n",
                    "deux.md": "---\ntitle: Deux\nlang: fr\ndate: 2024-01-01\n---\n\nTexte.\n\nCassé [@broken2020].\n"},
                   bib={"refs.bib": bib + broken}, config='[books.recueil]\ntitle = "R"\nchapters = ["un", "deux"]\n')
    run = lambda *args: CliRunner().invoke(cli, [*args, "--root", str(root)], catch_exceptions=False)  # noqa: E731
    build = run("--format", "epub", "deux")
    assert build.exit_code == 1 and "refs.bib:9:" in build.output
    for args in ((), ("deux",), ("recueil",)):
        check = run("check", *args)
        assert check.exit_code == 1, check.output
        assert "unknown key" not in check.output
        assert re.search(r"error: \S*deux\.md:9: citation @broken2020: the entry at bibliography/refs\.bib:9 cannot be "
                         r"read: .*the \w+ (opened here|that opens).* never closed; how to fix: ", check.output), (args, check.output)
        assert re.search(r"error: \S*refs\.bib:9: ", check.output) and "warning:" not in check.output, check.output
    refs = run("refs", "deux")
    assert re.search(r"\n\s+9\s+citation\s+unreadable entry\s+@broken2020\s+bibliography/refs\.bib:9\n", refs.output)
    assert " key\n" not in refs.output
    (reference,) = [r for r in json.loads(run("refs", "deux", "--format", "json").output)[0]["references"]]
    assert reference["status"] == "unreadable entry" and "never closed" in reference["problem"]
