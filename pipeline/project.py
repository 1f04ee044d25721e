"""A project: a folder with manuscripts/, bibliography/, optional styles/ and config."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .config import Settings, load_config
from .errors import ProjectError

MANUSCRIPTS = "manuscripts"
BIBLIOGRAPHY = "bibliography"
STYLES = "styles"
#: The file name endings of Markdown manuscripts, as blog generators write them (Jekyll's
#: ``_posts/*.markdown``, Hugo's and Pelican's ``.md``, the older ``.mdown``/``.mkd``/``.mkdn``).
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")


def house_styles() -> Path:
    """The styles shipped with make-book: the repository's styles/ folder.

    A wheel carries it as ``pipeline/house_styles``; a source checkout (and an
    editable install) has it beside the package.
    """
    package = Path(__file__).parent
    installed = package / "house_styles"
    return installed if installed.is_dir() else package.parent / STYLES


@dataclass(frozen=True)
class Project:
    root: Path
    config: Settings

    @property
    def manuscripts_dir(self) -> Path:
        return self.root / MANUSCRIPTS

    @property
    def bibliography_dir(self) -> Path:
        return self.root / BIBLIOGRAPHY

    @property
    def output_dir(self) -> Path:
        """The output folder of make-book.toml (default dist/), inside the project and checked by check_output."""
        return self.check_output(self.inside(self.root / self.config.output, what="the output folder",
                                             allow_missing=True))

    def check_output(self, folder: Path) -> Path:
        """``folder`` resolved, unless writing there could destroy inputs: ProjectError then.

        Refused: the project root or a folder holding it, and manuscripts/,
        bibliography/, styles/ or any folder inside them (editions would be
        read back as images of the manuscripts, a build would replace inputs).
        """
        resolved = folder.resolve()
        inputs = [self.root / name for name in (MANUSCRIPTS, BIBLIOGRAPHY, STYLES)]
        if self.root.is_relative_to(resolved):
            problem = "is the project folder itself" if resolved == self.root else "holds the project folder"
        elif any(resolved.is_relative_to(p.resolve()) for p in inputs):
            problem = "is one of the input folders (manuscripts/, bibliography/, styles/) or inside one"
        else:
            return resolved
        raise ProjectError(f"the output folder {str(folder)!r} {problem}; make-book will not write its editions, "
                           "cache and shelf there", path=folder,
                           hint="use a folder of its own, e.g. output = \"dist\" in make-book.toml or --out dist")

    def manuscripts(self) -> list[Path]:
        """Every Markdown file (``*.md``, ``*.markdown``…: :data:`MARKDOWN_SUFFIXES`) in manuscripts/, and every page bundle (``manuscripts/NAME/index.md``, as Hugo
        keeps a post beside its images), sorted by name.

        Listed as found: a symbolic link among them is judged when it is read
        (:meth:`inside`), so that it fails alone, with its name.
        """
        folder = self.inside(self.manuscripts_dir, what="the manuscripts folder", allow_missing=True)
        if not folder.is_dir():
            return []
        bundles = [p for name in ("index.md", "_index.md") for p in self.manuscripts_dir.glob(f"*/{name}")]
        files = [p for suffix in MARKDOWN_SUFFIXES for p in self.manuscripts_dir.glob(f"*{suffix}")]
        return sorted((p for p in [*files, *bundles] if p.is_file() or p.is_symlink()),
                      key=lambda p: p.relative_to(self.manuscripts_dir).as_posix())

    def bibliography_files(self) -> list[Path]:
        """Every ``*.bib`` in bibliography/, sorted; ProjectError if one's real path leaves the project."""
        folder = self.inside(self.bibliography_dir, what="the bibliography folder", allow_missing=True)
        if not folder.is_dir():
            return []
        return sorted(self.inside(p, what="bibliography file", keep_name=True)
                      for p in self.bibliography_dir.glob("*.bib") if p.is_file() or p.is_symlink())

    def style_dirs(self) -> list[Path]:
        """Where style files are looked up: the project's own first, then the house styles."""
        own = self.root / STYLES
        if own.is_dir() or own.is_symlink():
            self.inside(own, what="the styles folder")
            return [own, house_styles()]
        return [house_styles()]

    def style_file(self, name: str) -> Path | None:
        """``name`` from the project's styles/, else from the house styles; None if neither has it.

        A file of styles/ whose real path leaves the project is refused (ProjectError).
        """
        for folder in self.style_dirs():
            candidate = folder / name
            if candidate.is_file() or candidate.is_symlink():
                if folder == house_styles():
                    if candidate.resolve().is_relative_to(folder.resolve()):
                        return candidate
                    continue
                return self.inside(candidate, what="style file", keep_name=True)
        return None

    def files_under(self, folder: Path) -> list[Path]:
        """Every file below ``folder`` whose real path stays inside the project (or inside ``folder``, for
        the house styles), sorted; links that lead out are left out.

        Used to hash inputs: nothing outside the project is ever opened, even to be hashed.
        """
        base = folder.resolve()
        if base.is_relative_to(self.root):
            base = self.root
        found = []
        for directory, subfolders, names in os.walk(folder, followlinks=False):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in names:
                path = Path(directory) / name
                if path.resolve().is_relative_to(base) and path.is_file():
                    found.append(path)
        return sorted(found)

    def inside(self, path: Path, *, what: str, allow_missing: bool = False,
               source: Path | None = None, line: int | None = None, keep_name: bool = False) -> Path:
        """``path`` resolved, provided it stays inside the project (symlinks followed).

        Its real path is judged: a symbolic link (or a folder of the path that is
        one) leading out of the project raises :class:`ProjectError`, naming
        ``path`` (``source``/``line`` when given: where it was named). With
        ``keep_name`` the path is returned as given (not resolved) once checked.
        """
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            shown = self.shown(path)
            link = " (a symbolic link that leads out of it)" if _through_link(path) else ""
            raise ProjectError(
                f"{what} {shown!r} is outside the project folder{link}",
                path=source or path, line=line,
                hint="keep every file the book uses inside the project folder; replace links by the files",
            )
        if not allow_missing and not resolved.exists():
            raise ProjectError(f"{what} {str(path)!r} does not exist", path=source, line=line,
                               hint="check the path; it is relative to the project folder")
        return path if keep_name else resolved

    def shown(self, path: Path) -> str:
        """``path`` relative to the project root when it is below it (as named, links not followed)."""
        try:
            return str(Path(os.path.abspath(path)).relative_to(self.root))
        except ValueError:
            return str(path)

    def named_manuscript(self, name: str) -> Path | None:
        """The file in manuscripts/ that ``name`` (without its ending) names: ``NAME.md`` or another
        Markdown ending (:data:`MARKDOWN_SUFFIXES`), or a page bundle ``NAME/index.md``; None if none."""
        candidates = [self.manuscripts_dir / f"{name}{suffix}" for suffix in MARKDOWN_SUFFIXES]
        candidates += [self.manuscripts_dir / name / "index.md", self.manuscripts_dir / name / "_index.md"]
        return next((c for c in candidates if c.is_file()), None)

    def resolve_manuscript(self, name: str) -> Path:
        """A manuscript named on the command line: a path, or a name in manuscripts/."""
        candidates = [Path(name), self.root / name, self.manuscripts_dir / name]
        named = self.named_manuscript(name)
        if named is not None:
            candidates.append(named)
        for candidate in candidates:
            if candidate.is_file():
                return self.inside(candidate, what="manuscript")
        import difflib

        stems = [p.stem for p in self.manuscripts()]
        books = [book.name for book in self.config.books]
        close = difflib.get_close_matches(Path(name).stem, stems + books, n=1)
        guess = ""
        if close:
            guess = f": did you mean the book {close[0]!r}?" if close[0] in books and close[0] not in stems \
                else f": did you mean {close[0]!r}?"
        known = ", ".join(stems) or "none"
        if books:
            known += "; books of make-book.toml: " + ", ".join(books)
        raise ProjectError(f"no manuscript {'or book ' if books else ''}called {name!r}" + guess,
                           path=self.manuscripts_dir, hint=f"name a file in manuscripts/ or a book (found: {known})")


def _through_link(path: Path) -> bool:
    """Whether ``path`` or one of its folders is a symbolic link."""
    return any(p.is_symlink() for p in (path, *path.parents))


def open_project(root: Path | str = ".") -> Project:
    """Open the project at ``root`` and read its configuration."""
    folder = Path(root)
    if not folder.is_dir():
        raise ProjectError(f"the project folder {str(folder)!r} does not exist",
                           hint="pass --root with a folder that holds manuscripts/ and bibliography/")
    folder = folder.resolve()
    return Project(root=folder, config=load_config(folder))
