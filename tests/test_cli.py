"""The command line: exit codes, messages, no tracebacks."""

import pytest
from click.testing import CliRunner

from pipeline.cli import cli



ESSAY = "---\ntitle: Essai\ndate: 2024-05-01\nlang: fr\n---\n\n## Partie\n\nTexte [@eco1985lector, p. 3].\n"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_build_a_project_without_styles_folder(project):
    root = project({"essai.md": ESSAY})
    result = run("--root", str(root))
    assert result.exit_code == 0, result.output
    assert (root / "dist" / "essai.pdf").stat().st_size > 1000
    assert (root / "dist" / "essai.epub").stat().st_size > 1000
    assert "built essai.md" in result.output


def test_build_one_format_into_another_folder(project, tmp_path):
    root = project({"essai.md": ESSAY, "autre.md": ESSAY})
    out = tmp_path / "out"
    result = run("build", "essai", "--root", str(root), "--out", str(out), "--format", "epub")
    assert result.exit_code == 0, result.output
    # Only the edition asked for, and the shelf listing it (a named build refreshes the shelf as a full one does).
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["essai.epub", "index.html", "shelf"]
    shelf = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="essai.epub"' in shelf and "autre" not in shelf


def test_version_and_help():
    assert run("--version").output.startswith("make-book, version ")
    for command in ([], ["build"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("files, args, words", [
    ({"essai.md": ESSAY.replace("@eco1985lector", "@eco1958lector")}, [],
     ["essai.md:9", "unknown citation key @eco1958lector", "did you mean @eco1985lector"]),
    ({"essai.md": "---\ntitle: [oops\n---\nTexte\n"}, [], ["essai.md:2", "invalid YAML"]),
    ({"essai.md": ESSAY}, ["absent"], ["no manuscript called 'absent'"]),
    ({"essai.md": ESSAY}, ["essai", "essai.md"], ["named twice"]),
    ({"essai.md": ESSAY.replace("Texte", "![Figure](fig.png)\n\nTexte")}, [], ["essai.md:9", "image 'fig.png' not found"]),
])
def test_user_errors_exit_1_with_one_clear_message(project, files, args, words):
    root = project(files)
    result = run("build", *args, "--root", str(root))
    assert result.exit_code == 1
    for word in words:
        assert word in result.output
    assert "Traceback" not in result.output
    assert "How to fix" in result.output


def test_bad_bibtex_and_bad_config(project):
    root = project({"essai.md": ESSAY}, bib={"refs.bib": "@book{eco1985lector,\n  title = {Unclosed,\n}\n"})
    result = run("--root", str(root))
    assert result.exit_code == 1 and "refs.bib:2: the brace opened here in field 'title'" in result.output
    root = project({"essai.md": ESSAY}, config='colour = "red"\n')
    result = run("--root", str(root))
    assert result.exit_code == 1 and "make-book.toml:1" in result.output and "unknown key 'colour'" in result.output


def test_missing_root_and_usage_errors(tmp_path):
    result = run("--root", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "does not exist" in result.output
    result = run("build", "--format", "docx")
    assert result.exit_code == 2


def test_one_failing_manuscript_does_not_stop_the_others(project):
    root = project({"bon.md": ESSAY, "mauvais.md": ESSAY.replace("@eco1985lector", "@nobody")})
    result = run("--root", str(root))
    assert result.exit_code == 1
    assert (root / "dist" / "bon.pdf").exists()
    assert not (root / "dist" / "mauvais.pdf").exists()


def test_a_failed_build_keeps_the_previous_edition(project):
    root = project({"essai.md": ESSAY})
    assert run("--root", str(root)).exit_code == 0
    before = (root / "dist" / "essai.pdf").read_bytes()
    (root / "manuscripts" / "essai.md").write_text(ESSAY.replace("@eco1985lector", "@nobody"), encoding="utf-8")
    assert run("--root", str(root)).exit_code == 1
    assert (root / "dist" / "essai.pdf").read_bytes() == before
    assert not list((root / "dist").glob(".*.part"))


def test_debug_shows_the_traceback(project):
    root = project({"essai.md": ESSAY.replace("@eco1985lector", "@nobody")})
    result = CliRunner().invoke(cli, ["--root", str(root), "--debug"])
    assert result.exit_code == 1


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert command.short_help and command.help, name
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage: " in result.output and "--root" in result.output


@pytest.mark.parametrize("suffix", [".markdown", ".mdown", ".mkd"])
def test_a_post_with_another_markdown_ending_is_a_manuscript(project, suffix):
    # Jekyll keeps posts as _posts/2019-06-12-title.markdown: copied as they are, they are manuscripts.
    name = f"2019-06-12-quai{suffix}"
    root = project({name: ESSAY.replace("eco1985lector", "absent2024"), "autre.md": ESSAY})
    listed = run("check", "--root", str(root))  # read by check: its unknown key is an error with its file
    assert listed.exit_code == 1 and f"{name}:" in listed.output and "absent2024" in listed.output, listed.output
    (root / "manuscripts" / name).write_text(ESSAY.replace("Essai", "Le quai"), encoding="utf-8")
    result = run("--root", str(root), "--format", "epub")
    assert result.exit_code == 0, result.output
    assert f"built {name}" in result.output and "built autre.md" in result.output
    assert (root / "dist" / "2019-06-12-quai.epub").is_file()
    by_name = run("build", "2019-06-12-quai", "--root", str(root), "--format", "epub")
    assert by_name.exit_code == 0 and f"{name}" in by_name.output, by_name.output


def test_a_book_chapter_may_be_a_markdown_post(project):
    root = project({"2019-06-12-quai.markdown": ESSAY.replace("Essai", "Le quai"), "autre.md": ESSAY},
                   config='[books.recueil]\ntitle = "Recueil"\nchapters = ["2019-06-12-quai.markdown", "autre"]\n')
    result = run("build", "recueil", "--root", str(root), "--format", "epub")
    assert result.exit_code == 0, result.output
    assert (root / "dist" / "recueil.epub").is_file()


def test_check_counts_every_warning_it_prints(project):
    # Warnings found while reading the manuscripts (a date that does not exist, no date) are printed as they
    # come; the closing count said "0 warning(s)" under three of them.
    bad = "---\ntitle: Mauvais\ndate: 2024-02-30\nlang: fr\n---\n\nTexte.\n"
    undated = "---\ntitle: Sans date\nlang: fr\n---\n\nTexte.\n"
    root = project({"bad.md": bad, "good.md": undated})
    result = run("check", "--root", str(root))
    lines = result.output.splitlines()
    printed = {line for line in lines if line.startswith("warning:")}
    summary = next(line for line in lines if line.endswith("note(s)"))
    assert printed and f"{len(printed)} warning(s)" in summary, result.output
    assert result.exit_code == 1  # the date that does not exist is an error
