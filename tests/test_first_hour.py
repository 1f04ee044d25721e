"""The first hour: every command as a newcomer types it, on any folder state, with messages a person reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

from .conftest import pdf_pages, run_epubcheck, write

ESSAY = "---\ntitle: Essai\ndate: 2024-05-01\nlang: fr\n---\n\n## Partie\n\nTexte [@eco1985lector, p. 3].\n"
README = Path(__file__).resolve().parent.parent / "README.md"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- Commands and options as users type them -------------------------------------------------------------------

@pytest.mark.parametrize("args, routed", [
    (["--root", "D", "refs"], ["refs", "--root", "D"]),
    (["refs", "--root", "D"], ["refs", "--root", "D"]),
    (["--root=D", "-v", "check", "--strict"], ["check", "--root=D", "-v", "--strict"]),
    (["--debug", "--root", "D", "shelf", "--out", "O"], ["shelf", "--debug", "--root", "D", "--out", "O"]),
    (["--root", "D", "--draft", "watch"], ["watch", "--root", "D", "--draft"]),
    (["--force", "-j", "2"], ["build", "--force", "-j", "2"]),
    (["--root", "D", "essai", "--format", "pdf"], ["build", "--root", "D", "essai", "--format", "pdf"]),
    ([], ["build"]),
])
def test_global_options_before_or_after_the_command(args, routed):
    assert cli.route(args) == routed


def test_root_before_the_command_runs_that_command(project):
    root = project({"essai.md": ESSAY})
    for args in (["--root", str(root), "refs"], ["refs", "--root", str(root)]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "reference(s)" in result.output and not (root / "dist").exists()


@pytest.mark.parametrize("typed, meant", [("chek", "check"), ("buidl", "build"), ("ref", "refs"),
                                          ("shelv", "shelf"), ("wacth", "watch"), ("nwe", "new")])
def test_a_mistyped_command_exits_2_with_the_command_meant(project, typed, meant):
    root = project({"essai.md": ESSAY})
    for args in ([typed, "--root", str(root)], ["--root", str(root), typed]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert f"no command '{typed}': did you mean '{meant}'?" in result.output
        assert "Traceback" not in result.output and not (root / "dist").exists()


def test_a_manuscript_named_like_a_command_still_builds(project):
    root = project({"chek.md": ESSAY})
    result = run("chek", "--root", str(root), "--format", "epub")
    assert result.exit_code == 0, result.output
    assert (root / "dist" / "chek.epub").is_file()


def test_an_unknown_manuscript_names_the_ones_that_exist(project):
    root = project({"lire-lentement.md": ESSAY, "autre.md": ESSAY})
    result = run("--root", str(root), "lire-lentemnt")
    assert result.exit_code == 1
    assert "no manuscript called 'lire-lentemnt': did you mean 'lire-lentement'?" in result.output
    assert "found: autre, lire-lentement" in result.output
    result = run("--root", str(root), "zzz")
    assert result.exit_code == 1 and "no manuscript called 'zzz'" in result.output


def test_help_shows_the_build_options_and_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--draft", "--force", "-j, --jobs", "--out", "--format", "--root", "--debug", "--version"):
        assert option in result.output, option
    commands = result.output.split("Commands:")[1]
    for name in cli.commands:
        assert re.search(rf"^  {name} ", commands, re.M), name
    assert result.output.count("--help") == 1
    assert run("-v", "--help").output == result.output


def test_the_readme_command_list_matches_make_book_help():
    """Every command of the README's command block is a command of `make-book --help`, and every command is there."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## Commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    help_text = run("--help").output
    listed = set(re.findall(r"^  (\w+)  ", help_text.split("Commands:")[1], re.M))
    assert listed == set(cli.commands)
    used: set[str] = set()
    for line in block.strip().splitlines():
        command = line.split("#", 1)[0].strip()
        for invocation in command.split("|"):
            words = invocation.split()
            assert words[0] == "make-book", line
            if words[1:] in (["--help"], ["--version"]):
                continue
            routed = cli.route(words[1:])
            name = routed[0] if routed and routed[0] in cli.commands else None
            assert name is not None, f"README line not a command: {line}"
            used.add(name)
            # Each option the README uses is an option of that command (or of the group, for --help/--version).
            params = {opt for p in cli.commands[name].params for opt in (*p.opts, *p.secondary_opts)}
            params |= {"--help", "-h", "--version"}
            for word in routed[1:]:
                if word.startswith("-"):
                    assert word.split("=")[0] in params, f"{word} in README line {line!r}"
    assert used == set(cli.commands), f"commands missing from the README's list: {set(cli.commands) - used}"


def test_paths_on_the_command_line_are_relative_to_the_current_folder(project, monkeypatch):
    root = project({"essai.md": ESSAY.replace("Texte [@eco1985lector, p. 3].",
                                              "[Un article](https://doi.org/10.1000/xyz123).")})
    elsewhere = root.parent / "ailleurs"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("refs", "--root", "../book", "--stubs", "../book/bibliography/todo.bib")
    assert result.exit_code == 0, result.output
    assert (root / "bibliography" / "todo.bib").is_file() and not (elsewhere / "bibliography").exists()
    # Shown as typed: under ../book, not as an absolute path nor relative to the project.
    assert "stub(s) added to ../book/bibliography/todo.bib" in result.output
    assert "\n../book/manuscripts/essai.md\n" in result.output
    result = run("--root", "../book", "--out", "editions", "--format", "epub")
    assert result.exit_code == 0, result.output
    assert (elsewhere / "editions" / "essai.epub").is_file()
    assert "editions/essai.epub (" in result.output and "shelf: editions/index.html" in result.output
    (root / "manuscripts" / "essai.md").write_text("---\ntitle: \"Essai\n---\n\nTexte.\n", encoding="utf-8")
    result = run("--root", "../book")
    assert result.exit_code == 1
    assert "error: ../book/manuscripts/essai.md:2: invalid YAML front matter" in result.output


# -- Every command on any folder state -----------------------------------------------------------------------

@pytest.mark.parametrize("command", ["refs", "check", "build"])
def test_commands_in_a_folder_without_manuscripts(tmp_path, command):
    result = run(command, "--root", str(tmp_path))
    assert result.exit_code == 1
    assert "not a make-book project" in result.output and "manuscripts" in result.output
    assert 'make-book new "Title"' in result.output and "Traceback" not in result.output


def test_shelf_before_any_build_and_in_a_new_output_folder(project, tmp_path):
    root = project({"essai.md": ESSAY})
    for args, page in ((["shelf", "--root", str(root)], root / "dist" / "index.html"),
                       (["shelf", "--root", str(root), "--out", str(tmp_path / "neuf" / "dist")],
                        tmp_path / "neuf" / "dist" / "index.html")):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert f"wrote {page}" in result.output
        text = page.read_text(encoding="utf-8")
        assert "No editions yet: run make-book" in text and "<li>" not in text


def test_new_builds_as_it_is_into_a_valid_epub_and_a_pdf_without_blank_page(tmp_path):
    root = tmp_path / "livre"
    result = run("new", "Lire lentement", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert (root / "bibliography").is_dir() and "bibliography/" in result.output
    text = (root / "manuscripts" / "lire-lentement.md").read_text(encoding="utf-8")
    assert not re.search(r"^#+\s*$", text, re.M)  # no empty heading in the template
    result = run("--root", str(root))
    assert result.exit_code == 0, result.output
    assert run_epubcheck(root / "dist" / "lire-lentement.epub") == []
    pages = pdf_pages(root / "dist" / "lire-lentement.pdf", flat=True)
    assert all(page.strip() for page in pages), pages
    assert "Le texte de l’essai commence ici" in " ".join(pages)
    english = run("new", "Slow reading", "--lang", "en", "--root", str(root))
    assert english.exit_code == 0
    assert "The essay starts here" in (root / "manuscripts" / "slow-reading.md").read_text(encoding="utf-8")


# -- Drafts never pass for finals ------------------------------------------------------------------------------

def test_a_draft_has_its_own_files_and_is_marked_on_the_shelf(project):
    root = project({"essai.md": ESSAY})
    dist = root / "dist"
    assert run("--root", str(root)).exit_code == 0
    final = {name: (dist / name).read_bytes() for name in ("essai.pdf", "essai.epub")}
    result = run("--root", str(root), "--draft")
    assert result.exit_code == 0, result.output
    assert "built draft of essai.md" in result.output and "1 built as drafts" in result.output
    assert "dist/essai.draft.pdf" in result.output and "dist/essai.draft.epub" in result.output
    assert {name: (dist / name).read_bytes() for name in final} == final  # the final edition untouched
    # The mark is letter-spaced: the extracted text may space its letters.
    assert all("BROUILLON" in page.replace(" ", "").upper() for page in pdf_pages(dist / "essai.draft.pdf"))
    shelf = (dist / "index.html").read_text(encoding="utf-8")
    assert 'href="essai.draft.pdf"' in shelf and 'class="draft">Brouillon<' in shelf
    assert 'href="essai.pdf"' in shelf
    # A final build, even with nothing to rebuild, never publishes the draft on the shelf.
    result = run("--root", str(root))
    assert "0 built, 1 up to date" in result.output
    shelf = (dist / "index.html").read_text(encoding="utf-8")
    assert ".draft." not in shelf and 'class="draft"' not in shelf and 'href="essai.pdf"' in shelf
    assert run("shelf", "--root", str(root)).exit_code == 0
    assert ".draft." not in (dist / "index.html").read_text(encoding="utf-8")
    assert run("shelf", "--drafts", "--root", str(root)).exit_code == 0
    assert 'href="essai.draft.epub"' in (dist / "index.html").read_text(encoding="utf-8")


def test_a_build_of_named_manuscripts_refreshes_the_shelf_as_a_full_build_does(project):
    root = project({"essai.md": ESSAY, "autre.md": ESSAY.replace("title: Essai", "title: Autre")})
    dist = root / "dist"
    assert run("--root", str(root), "--format", "epub").exit_code == 0
    # A named draft: the shelf lists the new draft edition, marked, beside the final ones.
    result = run("build", "essai", "--draft", "--format", "epub", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "shelf: " in result.output
    shelf = (dist / "index.html").read_text(encoding="utf-8")
    assert 'href="essai.draft.epub"' in shelf and shelf.count('class="draft"') == 1, shelf
    assert 'href="essai.epub"' in shelf and 'href="autre.epub"' in shelf
    # A named final build of a new essay lists it, and hides the drafts again as a full final build does.
    write(root / "manuscripts" / "neuf.md", ESSAY.replace("title: Essai", "title: Neuf"))
    assert run("build", "neuf", "--format", "epub", "--root", str(root)).exit_code == 0
    shelf = (dist / "index.html").read_text(encoding="utf-8")
    assert 'href="neuf.epub"' in shelf and 'href="autre.epub"' in shelf and 'href="essai.epub"' in shelf
    assert ".draft." not in shelf, shelf


# -- Messages a person understands -----------------------------------------------------------------------------

def test_warnings_of_an_up_to_date_manuscript_are_shown_again(project):
    root = project({"essai.md": ESSAY.replace("Texte", "Voir [le blog](/highlights/livre/). Texte")})
    first = run("--root", str(root), "--format", "epub")
    assert first.exit_code == 0
    assert re.search(r"warning: manuscripts/essai.md:\d+: link '/highlights/livre/'", first.output), first.output
    second = run("--root", str(root), "--format", "epub")
    assert "0 built, 1 up to date" in second.output
    assert re.search(r"warning: manuscripts/essai.md:\d+: link '/highlights/livre/'.*from the last build", second.output)


def test_the_detected_language_is_said_once_without_verbose(project):
    root = project({"essai.md": "---\ntitle: Essai\n---\n\nIl était une fois un lecteur qui ne savait pas encore "
                                "ce qu'il cherchait dans les livres de la bibliothèque municipale.\n"})
    result = run("--root", str(root), "--format", "epub")
    assert result.exit_code == 0
    assert result.output.count("lang not set: detected fr") == 1
    result = run("refs", "--root", str(root), "--stubs", str(root / "bibliography" / "todo.bib"))
    assert result.output.count("lang not set: detected fr") == 1


def test_the_summary_names_the_shelf(project):
    root = project({"essai.md": ESSAY})
    result = run("--root", str(root), "--format", "epub")
    assert re.search(r"1 built, 0 up to date, 0 failed \(.*\); shelf: .*dist/index.html", result.output)


def test_a_front_matter_mistake_is_reported_at_its_line(tmp_path):
    write(tmp_path / "manuscripts" / "essai.md",
          '---\ntitle: "Lire lentement\ndate: 2024-05-01\nlang: fr\ntags: ["lecture", "outils"]\n---\n\nTexte.\n')
    result = run("--root", str(tmp_path))
    assert result.exit_code == 1
    assert 'manuscripts/essai.md:2: invalid YAML front matter: the quote (") opened on this line is never closed' \
        in result.output
    assert 'title: "Lire lentement"' in result.output


# -- A fresh machine -------------------------------------------------------------------------------------------

def test_a_missing_system_package_is_named_with_the_command_that_installs_it(monkeypatch, capsys):
    from pipeline import system

    monkeypatch.setattr(system, "REQUIREMENTS", tuple(
        system.Requirement(r.name, r.why, (lambda: False) if r.name in ("Pango", "Java") else r.found,
                           r.debian, r.fedora, r.macos, r.for_tests) for r in system.REQUIREMENTS))
    assert system.main(["check"]) == 1
    message = capsys.readouterr().err
    assert "Pango: lays out text for WeasyPrint" in message and "Java" not in message
    assert "Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0" in message
    assert "Fedora:        sudo dnf install -y pango" in message
    assert "macOS:         brew install pango" in message
    assert system.main(["check", "--tests"]) == 1
    message = capsys.readouterr().err
    assert "Java: runs EPUBCheck" in message and "default-jre-headless" in message and "openjdk" in message
    with pytest.raises(AssertionError, match="sudo apt-get install -y default-jre-headless"):
        system.require("Java")


def test_this_machine_has_what_the_tests_need():
    """The test suite's own tools: a missing one fails here with the install command, never a silent skip."""
    from pipeline import system

    lacking = system.missing(tests=True)
    assert not lacking, system.missing_message(lacking)


def test_install_script_and_ci_share_one_list():
    root = Path(__file__).resolve().parent.parent
    install = (root / "install.sh").read_text(encoding="utf-8")
    ci = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pipeline.system install" in install and "python3 -m pipeline.system install" in ci
    readme = README.read_text(encoding="utf-8")
    setup = readme.split("## Set up and build", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in setup.strip().splitlines()]
    assert commands == ["./install.sh", ".venv/bin/pytest -n 2 --dist loadfile"]
    # CI ends with the README's two commands, as a newcomer types them.
    assert ci.rstrip().splitlines()[-2:] == commands


def test_a_draft_only_project_lists_its_drafts_marked_and_titled_as_drafts(project):
    from pypdf import PdfReader

    from .conftest import NS, epub_xml

    root = project({"quai.md": "---\ntitle: Le quai\ndate: 2024-05-01\nlang: fr\ndraft: true\n---\n\nTexte.\n",
                    "pier.md": "---\ntitle: The pier\ndate: 2024-04-01\nlang: en\n---\n\nText.\n"}, bib={})
    dist = root / "dist"
    result = run("--root", str(root), "--draft")
    assert result.exit_code == 0, result.output
    for command in (["--root", str(root), "--draft"], ["shelf", "--root", str(root)]):  # shelf without --drafts too
        assert run(*command).exit_code == 0
        shelf = (dist / "index.html").read_text(encoding="utf-8")
        assert 'href="quai.draft.epub"' in shelf and 'href="pier.draft.pdf"' in shelf, shelf
        assert shelf.count('class="draft"') == 2, shelf
    # A reader's library shows the title of the metadata: it says draft, in the text's language.
    for slug, title in (("quai", "Le quai (brouillon)"), ("pier", "The pier (draft)")):
        opf = epub_xml(dist / f"{slug}.draft.epub", "EPUB/content.opf")
        assert opf.xpath("//dc:title/text()", namespaces=NS) == [title]
        assert PdfReader(str(dist / f"{slug}.draft.pdf")).metadata.title == title
        assert not run_epubcheck(dist / f"{slug}.draft.epub")
    # Once a final edition exists, the shelf offers only final editions again.
    assert run("--root", str(root)).exit_code == 0
    shelf = (dist / "index.html").read_text(encoding="utf-8")
    assert ".draft." not in shelf and 'href="pier.epub"' in shelf
    opf = epub_xml(dist / "pier.epub", "EPUB/content.opf")
    assert opf.xpath("//dc:title/text()", namespaces=NS) == ["The pier"]


def test_the_draft_mark_leaves_the_running_head_on_one_line(project):
    title = "Ce que les carnets de lecture gardent de nos lectures anciennes"
    paragraph = ("Relire ses carnets demande du temps, car on s’arrête sur une phrase et l’on cherche le livre "
                 "sur l’étagère pour retrouver la page notée. ") * 6
    body = "\n\n".join(f"## Partie {n}\n\n{paragraph}\n\n{paragraph}" for n in range(1, 5))
    root = project({"essai.md": f"---\ntitle: {title}\ndate: 2024-05-01\nlang: fr\n---\n\n{body}\n"})
    result = run("--root", str(root), "--draft", "--format", "pdf")
    assert result.exit_code == 0, result.output
    pages = pdf_pages(root / "dist" / "essai.draft.pdf")
    heads = [page for page in pages[2:] if title[:20] in page]
    assert heads, pages  # left-hand pages carry the book's title
    for page in heads:
        assert title in page.splitlines(), page  # on one line, not wrapped beside the mark
    assert all("BROUILLON" in page.replace(" ", "") for page in pages)


def test_missing_pango_is_a_message_with_the_install_command(project, monkeypatch):
    import sys

    from pipeline import preload

    class NoPango:
        """Imports WeasyPrint as on a machine without Pango: cffi's OSError at import."""

        def find_spec(self, name, path=None, target=None):
            if name == "weasyprint":
                raise OSError("cannot load library 'libpango-1.0-0': cannot open shared object file")
            return None

    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [NoPango(), *sys.meta_path])
    monkeypatch.setattr(preload, "_results", {})
    monkeypatch.setattr(preload, "_threads", {})
    root = project({"essai.md": ESSAY})
    result = run("--root", str(root), "--format", "pdf")
    assert result.exit_code == 1
    assert "WeasyPrint cannot make the PDF: a system library is missing (cannot load library 'libpango-1.0-0'" \
        in result.output
    assert "apt-get install -y" in result.output and "libpango-1.0-0" in result.output
    assert "brew install" in result.output and "internal error" not in result.output
