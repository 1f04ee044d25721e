"""The quick reader of well-formed entries gives exactly what bibtexparser gives, or hands the block over."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.references.bibcache import parse_cached
from pipeline.references.bibliography import _parse, read_text
from pipeline.references.bibscan import read_entry

from .conftest import REPO, write

TRICKY = r"""@String{pi = {Presses inventées}}
@Book{DBLP:conf/inv/Berthier19,
  AUTHOR = {Berthier, Jean-Marc and {Organisation des lecteurs}},
  title = {{Indexer} des {\'e}tudes {\"{o}} \{ouvert\} en $\phi$},
  publisher = pi,
  year = 2019,
  month = jan,
  note = "un {"} entre guillemets, {et {des {accolades {très {profondes {encore}}}}}}",
  empty = {},
  quoted_empty = "",
  url = {https://x.org/a\_b?c=1\&d=2}
}
@article{tab,	title	=	{Avec des tabulations},	year={2000},}
@article{crlf,
  title = {Fin de ligne
  Windows},
  year = {2001},
}
@book(paren, title = {Parenthèses}, year = 2002)
@comment{jabref-meta: databaseType:biblatex;}
@preamble{"\newcommand{\noopsort}[1]{}"}
% a comment
@misc{deep, title = {a{b{c{d{e{f{g{h}}}}}}}}}
@misc{concat, title = {a} # pi}
@misc{bare, publisher = presses}
@misc{twice, title = {A}, Title = {B}}
Texte libre entre deux entrées.
@misc{last, title = {Dernière}}
"""


def bib_files() -> list[Path]:
    return sorted((REPO / "tests" / "data").rglob("*.bib")) + sorted((REPO / "bibliography").glob("*.bib"))


def shape(result) -> tuple:
    entries, problems = result
    return ([(e.key, e.type, e.fields, e.line, e.field_lines) for e in entries],
            [(p.line, p.message, p.hint, p.key, p.blocking) for p in problems])


@pytest.mark.parametrize("path", bib_files(), ids=lambda p: p.name)
def test_quick_reader_agrees_with_bibtexparser_on_real_shaped_files(path):
    text = read_text(path)
    assert shape(parse_cached(path, text, None)) == shape(_parse(path, text))


def test_quick_reader_agrees_on_tricky_syntax(tmp_path):
    text = TRICKY.replace("  Windows},", "  Windows},\r").replace("@article{crlf,\n", "@article{crlf,\r\n")
    path = write(tmp_path / "tricky.bib", text)
    text = read_text(path)
    assert shape(parse_cached(path, text, None)) == shape(_parse(path, text))


@pytest.mark.parametrize("block, read", [
    ("@book{a,\n  title = {A},\n  year = 2000\n}\n", True),
    ("@book{a, title = {A}, month = feb,}\n% trailing comment\n", False),  # text after: bibtexparser's
    ("@book{a, title = {A}, publisher = presses}\n", False),  # an @string name, defined or not
    ("@book{a, title = {A}\n  year = {2000}}\n", False),  # missing comma
    ("@book{a, title = {A}, title = {B}}\n", False),  # a field twice
    ("@book{a, title = {Open, year = {2000}}\n", False),  # a brace never closed
    ('@book{a, title = "Open, year = {2000}}\n', False),  # a quote never closed
    ("@book{a, title {A}}\n", False),  # no '='
    ("@book(a, title = {A})\n", False),  # parentheses
    ("@comment{a, b = {c}}\n", False),
])
def test_quick_reader_reads_only_the_usual_shape(block, read):
    assert (read_entry(block, macros=False) is not None) == read
