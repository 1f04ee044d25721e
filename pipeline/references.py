"""Citations, links and images: check them against the bibliography and the project.

Everything here works on pandoc's document tree. Text positions are only
looked up to tell the author which line a problem is on.
"""

from __future__ import annotations

import difflib
import logging
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .document import Document
from .errors import CitationError, ManuscriptError
from .pandoc import stringify, transform, walk
from .terms import localised

log = logging.getLogger(__name__)

EXTERNAL_SCHEMES = {"http", "https", "mailto", "ftp", "ftps", "tel"}


def resolve_references(document: Document, *, project_root: Path) -> Document:
    """Check citations, settle every link and image, and place the bibliography."""
    check_citations(document)
    resolve_links(document)
    resolve_images(document, project_root)
    place_bibliography(document)
    return document


def cited_keys(document: Document) -> list[str]:
    """Every citation key in reading order, repeats included."""
    keys: list[str] = []

    def collect(key, value, _fmt, _meta):
        if key == "Cite":
            keys.extend(citation["citationId"] for citation in value[0])

    walk(document.ast["blocks"], collect, "", {})
    return keys


def check_citations(document: Document) -> None:
    """An unknown key stops the build, naming the key, the line and close known keys."""
    seen: Counter[str] = Counter()
    problems = []
    for key in cited_keys(document):
        occurrence = seen[key]
        seen[key] += 1
        if key in document.bibliography or key == "*":
            continue
        line = document.manuscript.line_of("@" + key, occurrence)
        problems.append((key, line))
    if not problems:
        return
    key, line = problems[0]
    close = difflib.get_close_matches(key, document.bibliography.keys, n=3, cutoff=0.5)
    suggestion = f"did you mean {', '.join('@' + k for k in close)}? " if close else ""
    others = f" ({len(problems) - 1} other unknown citation(s) after it)" if len(problems) > 1 else ""
    files = ", ".join(p.name for p in document.bibliography.files) or "no .bib file"
    raise CitationError(
        f"unknown citation key @{key}{others}", path=document.manuscript.path, line=line,
        hint=f"{suggestion}add an entry with this key to a file in bibliography/ (read: {files}); "
             "write \\@ if this '@' is not a citation",
    )


def resolve_links(document: Document) -> None:
    """External links stay; root-relative ones use base_url; dead ones become text."""
    ids = _element_ids(document.ast)
    base_url = document.settings.base_url
    seen: Counter[str] = Counter()

    def fix(key, value, _fmt, _meta):
        if key != "Link":
            return None
        attr, content, (url, title) = value
        occurrence = seen[url]
        seen[url] += 1
        line = document.manuscript.line_of(url, occurrence) if url else None
        parts = urlsplit(url)
        if parts.scheme.lower() in EXTERNAL_SCHEMES:
            return None
        if url.startswith("//"):
            value[2][0] = "https:" + url
            return None
        if url.startswith("#"):
            if url[1:] in ids:
                return None
            document.warn(f"link to #{url[1:]} points to no heading or anchor; printed as text", line)
            return content
        if parts.scheme:
            document.warn(f"link {url!r} uses the scheme {parts.scheme!r}, which readers cannot open; "
                          "printed as text", line)
            return content
        if base_url and url.startswith("/"):
            value[2][0] = urljoin(base_url, url)
            return None
        document.warn(f"link {url!r} is relative to the blog and no base_url is set; printed as text "
                      "(set base_url in the front matter or make-book.toml)", line)
        return content

    transform(document.ast, fix)


def resolve_images(document: Document, root: Path) -> None:
    """Local images must exist inside the project; remote ones are not fetched."""
    seen: Counter[str] = Counter()
    folder = document.manuscript.path.parent

    def fix(key, value, _fmt, _meta):
        if key != "Image":
            return None
        attr, alt, (src, title) = value
        occurrence = seen[src]
        seen[src] += 1
        line = document.manuscript.line_of(src, occurrence)
        if urlsplit(src).scheme in ("http", "https") or src.startswith("//"):
            document.warn(f"image {src!r} is on the network and is not downloaded; its description is printed "
                          "instead (save the image in the project and link to the file)", line)
            return {"t": "Emph", "c": alt or [{"t": "Str", "c": src}]}
        candidates = [folder / src, root / src.lstrip("/")]
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            raise ManuscriptError(f"image {src!r} not found", path=document.manuscript.path, line=line,
                                  hint="put the image in the project (next to the manuscript) and check its name")
        resolved = found.resolve()
        if not resolved.is_relative_to(root):
            raise ManuscriptError(f"image {src!r} is outside the project folder", path=document.manuscript.path,
                                  line=line, hint="copy the image into the project folder")
        if not stringify(alt).strip():
            document.warn(f"image {src!r} has no description (alt text); readers using a screen reader "
                          "will miss it: write ![description](file)", line)
        value[2][0] = str(resolved)
        return None

    transform(document.ast, fix)


def place_bibliography(document: Document) -> None:
    """Add a titled bibliography section at the end when the text cites anything."""
    if not cited_keys(document) or "refs" in _element_ids(document.ast):
        return
    title = localised("bibliography", document.lang)
    document.ast["blocks"].append({
        "t": "Header",
        "c": [2, ["bibliography", ["unnumbered", "bibliography"], []], [{"t": "Str", "c": title}]],
    })
    document.ast["blocks"].append({"t": "Div", "c": [["refs", [], []], []]})


def _element_ids(ast) -> set[str]:
    ids: set[str] = set()

    def collect(key, value, _fmt, _meta):
        if key in ("Header", "Div", "Span", "CodeBlock", "Code", "Table", "Figure"):
            attr = value[1] if key == "Header" else value[0]
            if isinstance(attr, list) and attr and isinstance(attr[0], str) and attr[0]:
                ids.add(attr[0])

    walk(ast["blocks"], collect, "", {})
    return ids
