"""A corpus of broken inputs: each gives one clear message with its place, exit status 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

from .readers import not_for_readers

GOOD = "---\ntitle: Essai\nlang: fr\n---\n\nTexte [@eco1985lector].\n"
BIB = "@book{eco1985lector,\n  author = {Eco, Umberto},\n  title = {Lector in fabula},\n  year = {1985}\n}\n"


def manuscript(content: str | bytes, name: str = "essai.md"):
    def make(root: Path) -> None:
        path = root / "manuscripts" / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return make


def bib(content: str | bytes, name: str = "refs.bib"):
    def make(root: Path) -> None:
        (root / "bibliography" / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return make


def config(content: str):
    def make(root: Path) -> None:
        (root / "make-book.toml").write_text(content, encoding="utf-8")
    return make


def nested(kind: str, depth: int) -> str:
    if kind == "list":
        return "\n".join("  " * i + "- niveau" for i in range(depth))
    return "> " * depth + "citation"


# (id, setup steps, extra CLI arguments, words the message must hold)
CASES = [
    ("unterminated-front-matter", [manuscript("---\ntitle: Essai\n\nTexte.\n")], [],
     ["manuscripts/essai.md:1", "never closed"]),
    ("invalid-yaml", [manuscript("---\ntitle: Essai\n  lang: fr\n---\n\nTexte.\n")], [],
     ["manuscripts/essai.md:3", "invalid YAML"]),
    ("yaml-tab", [manuscript("---\ntitle:\tEssai\n\tlang: fr\n---\n\nTexte.\n")], [],
     ["manuscripts/essai.md:", "invalid YAML"]),
    ("front-matter-list", [manuscript("---\n- a\n- b\n---\n\nTexte.\n")], [], ["essai.md:2", "is a list"]),
    ("front-matter-string", [manuscript("---\nbonjour\n---\n\nTexte.\n")], [], ["essai.md:2", "single value"]),
    ("title-number", [manuscript("---\ntitle: 1984\n---\n\nTexte.\n")], [], ["essai.md:2", "number 1984"]),
    ("title-list", [manuscript("---\ntitle: [a, b]\n---\n\nTexte.\n")], [], ["essai.md:2", "got a list"]),
    ("bad-lang", [manuscript("---\ntitle: T\nlang: klingon-xx\n---\n\nTexte.\n")], [], ["essai.md:3", "lang"]),
    ("non-utf8", [manuscript("---\ntitle: Été\n---\n\nÇa.\n".encode("latin-1"))], [], ["essai.md:2", "UTF-8"]),
    ("binary", [manuscript(bytes(range(256)) * 4)], [], ["essai.md", "not a text file"]),
    ("empty", [manuscript("")], [], ["essai.md:1", "empty"]),
    ("front-matter-only", [manuscript("---\ntitle: Essai\n---\n")], [], ["essai.md:4", "no text"]),
    ("deep-lists", [manuscript("---\ntitle: T\n---\n\n" + nested("list", 400) + "\n")], [],
     ["essai.md", "nested too deeply"]),
    ("deep-quotes", [manuscript("---\ntitle: T\n---\n\n" + nested("quote", 600) + "\n")], [],
     ["essai.md", "nested too deeply"]),
    ("bib-unbalanced-braces", [bib("@book{eco1985lector,\n  title = {Open\n}\n\n@book{b, title = {B}}\n")], [],
     ["bibliography/refs.bib:2", "field 'title' of entry 'eco1985lector' is never closed"]),
    ("bib-cited-field-unclosed", [bib("@book{eco1985lector,\n  author = {Eco, U.},\n  title = {Open,\n  year = {1985}\n}\n")],
     [], ["bibliography/refs.bib:3", "brace opened here in field 'title' of entry 'eco1985lector' is never closed"]),
    ("bib-missing-comma", [bib("@book{eco1985lector,\n  title = {A}\n  year = {1985}\n}\n")], [],
     ["bibliography/refs.bib:2", "missing comma"]),
    # a cited entry whose syntax is broken: one error at the line of the fault, saying what it is
    ("bib-unclosed-quote", [bib('@book{eco1985lector,\n  author = {Eco, Umberto},\n  title = "Lector in fabula,\n'
                                '  year = {1985}\n}\n@book{b, title = {B}}\n')], [],
     ["bibliography/refs.bib:3", "the quote that opens the value of field 'title' is never closed"]),
    ("bib-unclosed-quote-at-end", [bib('@book{eco1985lector,\n  author = {Eco, Umberto},\n  note = "fin,\n}\n')], [],
     ["bibliography/refs.bib:3", "field 'note' is never closed"]),
    ("bib-missing-equals", [bib("@book{eco1985lector,\n  author = {Eco, Umberto},\n  title {Lector},\n}\n")], [],
     ["bibliography/refs.bib:3", "field 'title' has no '=' before its value"]),
    ("bib-missing-entry-brace", [bib("@book{eco1985lector,\n  author = {Eco, Umberto},\n  year = {1985},\n\n"
                                     "@book{b, title = {B}}\n")], [],
     ["bibliography/refs.bib:3", "entry 'eco1985lector': its closing '}' is missing after its last field"]),
    ("bib-undefined-string", [bib("@book{eco1985lector,\n  author = {Eco, Umberto},\n  publisher = grasset,\n"
                                  "  month = jan,\n}\n")], [],
     ["bibliography/refs.bib:3", "'grasset' is neither a number nor a name defined by @string"]),
    ("bib-latin1", [bib("@book{eco1985lector,\n  author = {Eco, Umberto},\n  title = {Lecteur modèle}\n}\n"
                        .encode("latin-1"))], [], ["bibliography/refs.bib:3", "UTF-8", "iconv"]),
    ("bib-duplicate-across-files", [bib(BIB, "b.bib")], [],
     ["bibliography/refs.bib:1", "duplicate key 'eco1985lector'", "b.bib line 1"]),
    ("unknown-key", [manuscript(GOOD.replace("eco1985lector", "eco1958lector"))], [],
     ["essai.md:6", "@eco1958lector", "did you mean @eco1985lector"]),
    ("missing-image", [manuscript(GOOD + "\n![Une figure](absente.png)\n")], [],
     ["essai.md:8", "image 'absente.png' not found"]),
    ("image-outside", [manuscript(GOOD + "\n![Passwd](../../../../../../etc/hostname)\n")], [],
     ["essai.md:8", "outside the project"]),
    ("raw-html-image-outside", [manuscript(GOOD + '\n<img src="/etc/hostname" alt="x">\n')], [],
     ["essai.md:8", "outside the project"]),
    ("unknown-csl", [manuscript(GOOD.replace("lang: fr", "lang: fr\ncsl: absent.csl"))], [],
     ["essai.md", "citation style 'absent.csl' not found"]),
    ("bibliography-outside", [manuscript(GOOD.replace("lang: fr", "lang: fr\nbibliography: /etc/hostname"))],
     [], ["essai.md", "outside the project"]),
    ("unknown-config-key", [config('lang = "fr"\ncolor = "red"\n')], [], ["make-book.toml:2", "unknown key 'color'"]),
    ("config-bad-toml", [config('lang = "fr\n')], [], ["make-book.toml:1", "invalid TOML"]),
    ("root-missing", [], ["--root", "{tmp}/nowhere"], ["does not exist"]),
    ("name-twice", [], ["essai", "essai.md"], ["named twice"]),
    ("unknown-manuscript", [], ["absent"], ["no manuscript called 'absent'"]),
]


@pytest.mark.parametrize("setup, args, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_input(tmp_path, setup, args, words):
    root = tmp_path / "book"
    (root / "manuscripts").mkdir(parents=True)
    (root / "bibliography").mkdir()
    (root / "manuscripts" / "essai.md").write_text(GOOD, encoding="utf-8")
    (root / "bibliography" / "refs.bib").write_text(BIB, encoding="utf-8")
    for step in setup:
        step(root)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    command = ["build", *args] if "--root" in args else ["build", "--root", str(root), *args]
    result = CliRunner().invoke(cli, command)
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output and result.exception is None or isinstance(result.exception, SystemExit)
    for word in words:
        assert word in output, output
    assert output.count("error:") == 1


def test_five_megabyte_single_line_builds(tmp_path):
    root = tmp_path / "book"
    (root / "manuscripts").mkdir(parents=True)
    (root / "bibliography").mkdir()
    line = ("mot " * 1_250_000).strip()
    (root / "manuscripts" / "long.md").write_text(f"---\ntitle: Long\nlang: fr\n---\n\n{line}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--format", "epub"])
    assert result.exit_code == 0, result.output
    assert (root / "dist" / "long.epub").stat().st_size > 10_000
    # One 5 MB paragraph: DAISY Ace's axe run on that page alone exceeds its 4-minute limit, and its
    # markup is that of any one-paragraph essay, which the session's reader check covers.
    not_for_readers(root / "dist" / "long.epub", "a stress input (one 5 MB paragraph): Ace times out on it")
