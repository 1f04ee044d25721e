"""Images where blogs keep them: beside the post (Hugo page bundles), in the site's static
folders (``static/``, ``assets/``…), or at root-relative addresses (``/img/x.png``).

The places looked in, for an image written ``src`` in manuscript ``M``:

* a relative ``img/x.png``: ``M``'s folder, the project folder, each static folder;
* a root-relative ``/img/x.png`` (served from the site's root): each static
  folder, the project folder, ``M``'s folder.

Static folders are named by ``static_dirs`` in ``make-book.toml`` (default:
``static``, ``assets``), relative to the project and kept inside it. Every
image missing from a manuscript is reported in one error, each with its line
and the places looked in; a draft build prints a framed placeholder instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ManuscriptError, ProjectError

if TYPE_CHECKING:
    from ..document import Document


@dataclass(frozen=True)
class MissingImage:
    """An image not found: as written, its line, and where it was looked for (project-relative)."""

    src: str
    line: int | None
    looked: tuple[str, ...]


def static_folders(root: Path, names: tuple[str, ...]) -> list[Path]:
    """The existing static folders of the project, each checked to stay inside it."""
    folders = []
    for name in names:
        folder = root / name
        resolved = folder.resolve()
        if not resolved.is_relative_to(root.resolve()):
            raise ProjectError(f"static folder {name!r} is outside the project folder {root}",
                               path=root / "make-book.toml",
                               hint="name folders inside the project in static_dirs, e.g. [\"static\"]")
        if resolved.is_dir():
            folders.append(resolved)
    return folders


def image_candidates(src: str, manuscript: Path, root: Path, static: list[Path]) -> list[Path]:
    """The places an image written ``src`` may be, in the order they are tried."""
    relative = src.lstrip("/")
    if src.startswith("/"):
        folders = [*static, root, manuscript.parent]
    else:
        folders = [manuscript.parent, root, *static]
    seen: list[Path] = []
    for folder in folders:
        candidate = folder / relative
        if candidate not in seen:
            seen.append(candidate)
    return seen


def find_image(src: str, document: Document, root: Path, line: int | None) -> Path | None:
    """The image file ``src`` names, inside the project; None (recorded in the document) when missing.

    Raises :class:`ManuscriptError` when the file found, or every place it could be,
    is outside the project (a symlink or ``..`` leaving it).
    """
    static = static_folders(root, document.settings.static_dirs)
    candidates = image_candidates(src, document.manuscript.path, root, static)
    resolved = [c.resolve() for c in candidates]
    found = next((r for r in resolved if r.is_file()), None)
    # An absolute path to a file elsewhere on the machine (not a root-relative address of the blog)
    # is refused as such, so the message says why; it is never read.
    outside_file = found is None and src.startswith("/") and not src.startswith("//") and Path(src).exists() \
        and not Path(src).resolve().is_relative_to(root)
    if outside_file or (found is not None and not found.is_relative_to(root)) or (
            found is None and not any(r.is_relative_to(root) for r in resolved)):
        raise ManuscriptError(f"image {src!r} is outside the project folder", path=document.manuscript.path,
                              line=line, hint="copy the image into the project folder")
    if found is None:
        looked = tuple(_shown(c, root) for c in candidates)
        document.missing_images.append(MissingImage(src, line, looked))
    return found


def report_missing_images(document: Document) -> None:
    """One error for every image missing from the document (a warning each in a draft)."""
    missing = document.missing_images
    if not missing:
        return
    if document.draft:
        for image in missing:
            document.warn(f"image {image.src!r} not found (looked in {', '.join(image.looked)}); "
                          "a framed placeholder is printed", image.line)
        return
    if len(missing) == 1:
        message = f"image {missing[0].src!r} not found (looked in {', '.join(missing[0].looked)})"
    else:
        message = f"{len(missing)} images not found: " + "; ".join(
            f"line {m.line or '?'}: {m.src!r} (looked in {', '.join(m.looked)})" for m in missing)
    raise ManuscriptError(
        message, path=document.manuscript.path, line=missing[0].line,
        hint="put each image beside the manuscript or in the project; name your blog's static folders in "
             "make-book.toml (static_dirs = [\"static\", \"assets\"]); make-book --draft builds with placeholders")


def placeholder_label(lang: str) -> str:
    """The words of a missing image's placeholder; the file name follows as code (never spell-checked or typeset)."""
    return "image manquante :" if lang.lower().startswith("fr") else "missing image:"


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
