"""A project: a folder with manuscripts/, bibliography/, optional styles/ and config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Settings, load_config
from .errors import ProjectError

MANUSCRIPTS = "manuscripts"
BIBLIOGRAPHY = "bibliography"
STYLES = "styles"


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
        return self.inside(self.root / self.config.output, what="the output folder", allow_missing=True)

    def manuscripts(self) -> list[Path]:
        """Every ``*.md`` in manuscripts/, sorted by name."""
        if not self.manuscripts_dir.is_dir():
            return []
        return sorted(p for p in self.manuscripts_dir.glob("*.md") if p.is_file())

    def bibliography_files(self) -> list[Path]:
        if not self.bibliography_dir.is_dir():
            return []
        return sorted(p for p in self.bibliography_dir.glob("*.bib") if p.is_file())

    def style_dirs(self) -> list[Path]:
        """Where style files are looked up: the project's own first, then the house styles."""
        own = self.root / STYLES
        return [own, house_styles()] if own.is_dir() else [house_styles()]

    def style_file(self, name: str) -> Path | None:
        for folder in self.style_dirs():
            candidate = folder / name
            if candidate.is_file():
                return candidate
        return None

    def inside(self, path: Path, *, what: str, allow_missing: bool = False,
               source: Path | None = None, line: int | None = None) -> Path:
        """``path`` resolved, provided it stays inside the project (symlinks followed)."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise ProjectError(
                f"{what} {str(path)!r} is outside the project folder {self.root}",
                path=source, line=line,
                hint="keep every file the book uses inside the project folder",
            )
        if not allow_missing and not resolved.exists():
            raise ProjectError(f"{what} {str(path)!r} does not exist", path=source, line=line,
                               hint="check the path; it is relative to the project folder")
        return resolved

    def resolve_manuscript(self, name: str) -> Path:
        """A manuscript named on the command line: a path, or a name in manuscripts/."""
        candidates = [Path(name), self.root / name, self.manuscripts_dir / name, self.manuscripts_dir / f"{name}.md"]
        for candidate in candidates:
            if candidate.is_file():
                return self.inside(candidate, what="manuscript")
        known = ", ".join(p.stem for p in self.manuscripts()) or "none"
        raise ProjectError(f"no manuscript called {name!r}", path=self.manuscripts_dir,
                           hint=f"name a file in manuscripts/ (found: {known})")


def open_project(root: Path | str = ".") -> Project:
    """Open the project at ``root`` and read its configuration."""
    folder = Path(root)
    if not folder.is_dir():
        raise ProjectError(f"the project folder {str(folder)!r} does not exist",
                           hint="pass --root with a folder that holds manuscripts/ and bibliography/")
    folder = folder.resolve()
    return Project(root=folder, config=load_config(folder))
