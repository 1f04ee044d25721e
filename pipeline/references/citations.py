"""Citations, links and images: check them against the bibliography and the project.

A link whose target is a work of the bibliography (same DOI, arXiv id, ISBN or
URL, or a URL the project maps to a key) becomes a citation of that work.
Everything here works on pandoc's document tree; text positions are only
looked up to tell the author which line a problem is on.
"""

from __future__ import annotations

import difflib
import re
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..document import Document
from ..errors import CitationError, ManuscriptError, where
from .identifiers import link_identifiers, url as normal_url
from .works import LINK, LINK_CLASS, link_role
from ..pandoc import Node, inlines, iter_nodes, stringify, transform
from ..sources.images import find_image, placeholder_label
from ..terms import localised

log = logging.getLogger(__name__)

EXTERNAL_SCHEMES = {"http", "https", "mailto", "ftp", "ftps", "tel"}

# What a citation or a link turned out to be.
CITED = "cited"  # [@key] with an entry
UNKNOWN_KEY = "unknown key"  # [@key] without one
UNREADABLE = "unreadable entry"  # [@key] whose entry is in a .bib file but cannot be read (a brace never closed…)
MATCHED = "matched"  # link to a work of the bibliography
UNMATCHED = "no entry"  # external link to a work the bibliography lacks
NOT_A_WORK = "not a work"  # external link to a home page, repository, product, profile… (see works.py)
RESOLVED = "resolved"  # root-relative link, made absolute with base_url
UNRESOLVED = "unresolved"  # root-relative or relative link with nowhere to point
ANCHOR = "anchor"  # link to a heading of the text
DEAD_ANCHOR = "dead anchor"  # link to an id the text does not have
OTHER = "other"  # mailto:, tel:… left as they are
PROBLEMS = {UNKNOWN_KEY, UNREADABLE, UNMATCHED, UNRESOLVED, DEAD_ANCHOR}
BLOCKING = {UNKNOWN_KEY, UNREADABLE}  # the build stops on these


@dataclass(frozen=True)
class Reference:
    """One citation or link of a manuscript, with what make-book made of it."""

    line: int | None
    kind: str  # "citation" or "link"
    target: str  # the key, or the link's address
    status: str
    key: str | None = None  # the entry cited (citations and matched links)
    how: str | None = None  # key, doi, arxiv, isbn, url or mapping
    text: str = ""  # the link's text
    stub: bool = False  # the entry is a stub still to be completed
    problem: str | None = None  # why the entry cannot be read (status unreadable entry), and how to fix it

    @property
    def unresolved(self) -> bool:
        return self.status in PROBLEMS or self.stub

    def as_dict(self) -> dict:
        return {"line": self.line, "kind": self.kind, "target": self.target, "status": self.status,
                "key": self.key, "how": self.how, "text": self.text, "stub": self.stub,
                **({"problem": self.problem} if self.problem else {})}


@dataclass
class ReferenceReport:
    manuscript: Path
    references: list[Reference] = field(default_factory=list)
    uncited: list[str] = field(default_factory=list)  # Bibliography.uncited: crossref/xdata parents count as used
    cited: list[str] = field(default_factory=list)  # keys cited, linked or in nocite ('*': all)
    draft: bool = False  # the front matter marks the post as a draft (draft: true, Status: draft)

    @property
    def unresolved(self) -> list[Reference]:
        return [r for r in self.references if r.unresolved]

    def as_dict(self) -> dict:
        return {"manuscript": str(self.manuscript), "references": [r.as_dict() for r in self.references],
                "uncited": self.uncited, "unresolved": len(self.unresolved), "draft": self.draft}


# -- classification ------------------------------------------------------------------


def classify_link(url: str, document: Document, ids: set[str],
                  classes: tuple[str, ...] | list[str] = ()) -> tuple[str, str | None, str | None, str]:
    """(status, key, how, address to print) for a link of ``document``.

    ``classes`` are the link's own (``{.cite}``, ``{.link}``): a link marked
    ``.link`` never becomes a citation, nor a missing work.
    """
    settings = document.settings
    mapped = _mapped_key(url, settings.url_map, settings.base_url)
    if mapped and LINK_CLASS not in classes:
        return MATCHED, mapped, "mapping", _absolute(url, settings.base_url) or url
    resolved = document.resolved_links.get(normal_url(_absolute(url, settings.base_url) or url) or url)
    if resolved and resolved[1] in document.bibliography and LINK_CLASS not in classes:
        return MATCHED, resolved[1], "resolved", _absolute(url, settings.base_url) or url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if url.startswith("//"):
        url = "https:" + url
        scheme = "https"
    if scheme in ("http", "https"):
        if LINK_CLASS not in classes:
            for identifier in link_identifiers(url):
                key = document.bibliography.key_for(identifier)
                if key:
                    return MATCHED, key, identifier.kind, url
        if link_role(url, classes, resolved[0] if resolved else None) == LINK:
            return NOT_A_WORK, None, None, url
        return UNMATCHED, None, None, url
    if scheme in EXTERNAL_SCHEMES:
        return OTHER, None, None, url
    if url.startswith("#"):
        return (ANCHOR if url[1:] in ids else DEAD_ANCHOR), None, None, url
    if not scheme and url.startswith("/") and settings.base_url:
        return RESOLVED, None, None, urljoin(settings.base_url, url)
    return UNRESOLVED, None, None, url


def _mapped_key(url: str, url_map: tuple[tuple[str, str], ...], base_url: str | None) -> str | None:
    if not url_map:
        return None
    wanted = {_comparable(url), _comparable(_absolute(url, base_url) or "")}
    for mapped_url, key in url_map:
        if _comparable(mapped_url) in wanted:
            return key
    return None


def _comparable(address: str) -> str:
    if not address:
        return "\0"
    return normal_url(address) or address.strip().rstrip("/") or "/"


def _absolute(url: str, base_url: str | None) -> str | None:
    return urljoin(base_url, url) if base_url and url.startswith("/") and not url.startswith("//") else None


def is_script_link(url: str) -> bool:
    """Whether ``url`` runs a script (``javascript:``, ``vbscript:``), however a browser would read it."""
    return re.sub(r"[\x00-\x20]+", "", url).lower().startswith(("javascript:", "vbscript:"))


def script_link_message(url: str) -> str:
    return f"link {url[:80]!r} is a script link (a book runs none); removed for safety, its text is printed"


def analyse(document: Document, ids: set[str] | None = None) -> ReferenceReport:
    """Every citation and link of the document, in reading order, with its status."""
    report = ReferenceReport(manuscript=document.manuscript.path, draft=document.manuscript.draft)
    ids = element_ids(document.ast) if ids is None else ids
    seen: Counter[str] = Counter()
    bibliography = document.bibliography
    manuscript = document.manuscript

    for node in iter_nodes(document.ast["blocks"]):
        kind, value = node["t"], node.get("c")
        if kind == "Cite":
            for citation in value[0]:
                key = citation["citationId"]
                line = manuscript.line_of("@" + key, seen["@" + key])
                seen["@" + key] += 1
                status, how = (CITED, "key") if key in bibliography else (UNKNOWN_KEY, None)
                broken = unreadable_entry(bibliography, key) if status != CITED else None
                if broken is not None:  # the entry is there but cannot be read: where, as the build says
                    status, how = UNREADABLE, where(broken.path, broken.line, root=manuscript.root)
                report.references.append(Reference(line, "citation", key, status, key if status == CITED else None,
                                                   how, stub=bibliography.is_stub(key),
                                                   problem=f"{broken.message}; how to fix: {broken.hint}"
                                                   if broken is not None else None))
        elif kind == "Link":
            url = value[2][0]
            line = manuscript.line_of(url, seen[url]) if url else None
            seen[url] += 1
            status, key, how, _ = classify_link(url, document, ids, value[0][1])
            report.references.append(Reference(line, "link", url, status, key, how, stringify(value[1]),
                                               stub=bool(key) and bibliography.is_stub(key)))
    # What the manuscript uses: its citations, its links to works, its nocite (the keys citeproc gets).
    report.cited = sorted({r.key for r in report.references if r.key} | set(document.settings.nocite))
    report.uncited = bibliography.uncited(report.cited)
    return report


# -- transformation ------------------------------------------------------------------


def resolve_references(document: Document, *, project_root: Path) -> ReferenceReport:
    """Check citations, turn matching links into citations, settle every other link and image."""
    ids = element_ids(document.ast)  # the links, images and citations below add none
    report = analyse(document, ids)
    if not document.draft:
        check_citations(document, report)
        warn_unfinished_entries(document, report, project_root)
    cite_links(document, ids)
    for ref in report.references:
        if ref.status == UNMATCHED and document.settings.links != "keep":
            document.warn(f"link {ref.target} has no entry in the bibliography (make-book resolve looks it up "
                          "and writes one; mark it [text](url){.link} if it is not a work to cite)", ref.line)
        elif ref.status == UNRESOLVED and is_script_link(ref.target):
            document.warn(script_link_message(ref.target), ref.line)
        elif ref.status == UNRESOLVED:
            document.warn(f"link {ref.target!r} points nowhere outside the blog; printed as text (set base_url "
                          "in the front matter or make-book.toml, or map it in url_map)", ref.line)
        elif ref.status == DEAD_ANCHOR:
            document.warn(f"link to {ref.target} points to no heading or anchor; printed as text", ref.line)
    resolve_images(document, project_root)
    place_bibliography(document, ids)
    if document.draft:
        list_references_to_add(document, report)
    return report


def unreadable_entry(bibliography, key: str):
    """The problem (``references.bibliography.Problem``) that kept the entry ``key`` from being read, if
    a .bib file holds that entry but make-book could not read it (a brace never closed…); else None."""
    return next((p for p in bibliography.problems if p.key == key), None)


def check_citations(document: Document, report: ReferenceReport) -> None:
    """An unknown key stops the build, naming the key, the line and close known keys."""
    unknown = [r for r in report.references if r.status in BLOCKING]
    if not unknown:
        return
    first = unknown[0]
    broken = unreadable_entry(document.bibliography, first.target)
    if broken is not None:  # the entry exists but could not be read: say why, where
        raise broken.error()
    close = difflib.get_close_matches(first.target, document.bibliography.keys, n=3, cutoff=0.5)
    suggestion = f"did you mean {', '.join('@' + k for k in close)}? " if close else ""
    others = f" ({len(unknown) - 1} other unknown citation(s) after it)" if len(unknown) > 1 else ""
    files = ", ".join(p.name for p in document.bibliography.files) or "no .bib file"
    raise CitationError(
        f"unknown citation key @{first.target}{others}", path=document.manuscript.path, line=first.line,
        hint=f"{suggestion}add an entry with this key to a file in bibliography/ (read: {files}); "
             "write \\@ if this '@' is not a citation; make-book --draft builds anyway, marking it",
    )


def warn_unfinished_entries(document: Document, report: ReferenceReport, project_root: Path) -> None:
    """A final edition warns once per cited entry still carrying its ``todo`` field, naming its file and line."""
    seen: set[str] = set()
    for ref in report.references:
        if not ref.stub and ref.key and ref.key not in seen and ref.key in document.bibliography.entries:
            # @k4 inherits from a parent still marked todo (crossref, xdata): k4 prints the parent's gaps
            seen.add(ref.key)
            child = document.bibliography.entries[ref.key]
            for parent in document.bibliography.todo_parents(ref.key):
                todo = " ".join(parent.fields.get("todo", "").split())
                document.warn(f"@{ref.key} ({where(child.path, child.line, root=project_root)}) is cited but "
                              f"inherits from @{parent.key} ({where(parent.path, parent.line, root=project_root)}), "
                              "still marked todo" + (f" ({todo})" if todo else "")
                              + f": it prints incomplete; complete @{parent.key} and delete its todo field", ref.line)
            continue
        if not ref.stub or ref.key in seen:
            continue
        seen.add(ref.key)
        entry = document.bibliography.entries[ref.key]
        todo = " ".join(entry.fields.get("todo", "").split())
        if entry.path.with_suffix(".json").is_file():  # written by make-book resolve from its record
            fix = (f"add what is missing to its item in {entry.path.with_suffix('.json').name}, then run "
                   "make-book resolve --offline")
        else:
            fix = ("complete the entry and delete its todo field (for a linked work: or delete the stub and run "
                   "make-book resolve)")
        document.warn(f"@{ref.key} ({where(entry.path, entry.line, root=project_root)}) is cited but still marked todo"
                      + (f" ({todo})" if todo else "") + f": it prints incomplete; {fix}", ref.line)


def cite_links(document: Document, ids: set[str]) -> None:
    """Rewrite links by their status: cite, resolve, or print as text; mark gaps in drafts."""
    mode = document.settings.links
    draft = document.draft
    bibliography = document.bibliography
    # pandocfilters walks into what an action returns: remember the nodes
    # already wrapped in a draft mark so that they are not wrapped again.
    marked: set[int] = set()

    def mark(content: list[Node], what: str, node_value) -> Node:
        marked.add(id(node_value))
        return draft_mark(content, what)

    def fix(kind, value, _fmt, _meta):
        if id(value) in marked:
            return None
        if kind == "Cite" and draft:
            keys = [c["citationId"] for c in value[0]]
            missing = [k for k in keys if k not in bibliography]
            stubs = [k for k in keys if bibliography.is_stub(k)]
            if missing:
                return mark([{"t": "Str", "c": "[" + "; ".join("@" + k for k in keys) + "]"}],
                            ", ".join("@" + k for k in missing), value)
            if stubs:
                return mark([{"t": "Cite", "c": value}], ", ".join("@" + k for k in stubs), value)
            return None
        if kind != "Link":
            return None
        attr, content, (url, title) = value
        status, key, _how, address = classify_link(url, document, ids, attr[1])
        if status == MATCHED and mode != "keep":
            link = {"t": "Link", "c": [attr, content, [address, title]]} if address.startswith("http") else None
            shown = [link] if link else content
            cite = citation(key, in_text=mode == "footnote")
            marked.add(id(cite["c"]))
            if mode == "footnote":
                out = [*shown, {"t": "Note", "c": [{"t": "Para", "c": [cite, {"t": "Str", "c": "."}]}]}]
            else:
                out = [*shown, {"t": "Space"}, cite]
            if link:
                marked.add(id(link["c"]))
            if draft and bibliography.is_stub(key):
                return mark(out, "@" + key, value)
            return out
        if status in (MATCHED, RESOLVED, OTHER, ANCHOR, UNMATCHED, NOT_A_WORK):
            value[2][0] = address
            if draft and status == UNMATCHED:
                return mark([{"t": "Link", "c": value}], address, value)
            return None
        return mark(content, url, value) if draft else content  # UNRESOLVED, DEAD_ANCHOR

    transform(document.ast, fix)


def citation(key: str, *, in_text: bool = False) -> Node:
    mode = "AuthorInText" if in_text else "NormalCitation"
    return {"t": "Cite", "c": [[{
        "citationId": key, "citationPrefix": [], "citationSuffix": [], "citationMode": {"t": mode},
        "citationNoteNum": 0, "citationHash": 0,
    }], [{"t": "Str", "c": f"[@{key}]"}]]}


def draft_mark(content: list[Node], what: str) -> Node:
    """A span marking an unresolved reference, with a margin note naming it (drafts only)."""
    note = {"t": "Span", "c": [["", ["draft-note"], []], [{"t": "Str", "c": what}]]}
    return {"t": "Span", "c": [["", ["unresolved"], []], [*content, note]]}


def list_references_to_add(document: Document, report: ReferenceReport) -> None:
    """The draft's closing list: every reference still to add or complete."""
    items = []
    for ref in report.unresolved:
        if ref.status in (ANCHOR, OTHER):
            continue
        at_line = f"l. {ref.line} — " if ref.line else ""
        what = ("@" + ref.target) if ref.kind == "citation" else ref.target
        label = "stub" if ref.stub else ref.status
        text = f"{at_line}{what} ({label})" + (f" : « {ref.text} »" if ref.text else "")
        items.append([{"t": "Plain", "c": [{"t": "Code", "c": [["", [], []], text]}]}])
    if not items:
        return
    document.ast["blocks"] += [
        {"t": "Header", "c": [2, ["references-to-add", ["unnumbered", "draft"], []],
                              [{"t": "Str", "c": localised("to_add", document.lang)}]]},
        {"t": "BulletList", "c": items},
    ]


def resolve_images(document: Document, root: Path) -> None:
    """Local images must exist inside the project; remote ones are not fetched.

    An image with no description (no alt text, no ``{alt="…"}``, not in a figure with a
    caption) is warned with its line: the EPUB gives it an honest "Image without
    description" and claims no accessibility conformance (``editions.xhtml.describe_images``).
    """
    seen: Counter[str] = Counter()
    captioned = {id(image) for figure in iter_nodes(document.ast["blocks"]) if figure["t"] == "Figure"
                 and stringify(figure["c"][1][1]).strip()
                 for image in iter_nodes(figure["c"][2]) if image["t"] == "Image"}
    for node in iter_nodes(document.ast["blocks"]):
        if node["t"] != "Image":
            continue
        attr, alt, (src, title) = node["c"]
        occurrence = seen[src]
        seen[src] += 1
        line = document.manuscript.line_of(src, occurrence)
        if urlsplit(src).scheme in ("http", "https") or src.startswith("//"):
            document.warn(f"image {src!r} is on the network and is not downloaded; its description is printed "
                          "instead (save the image in the project and link to the file)", line)
            node.clear()  # replaced in place: the description, in italics
            node.update({"t": "Emph", "c": alt or [{"t": "Str", "c": src}]})
            continue
        resolved = find_image(unquote(src), document, root, line)
        if resolved is None:  # reported with every other missing image; a draft shows a framed placeholder
            node.clear()
            node.update({"t": "Span", "c": [["", ["missing-image"], []],
                                            [*inlines(placeholder_label(document.lang)), {"t": "Space"},
                                             {"t": "Code", "c": [["", [], []], src]}]]})
            continue
        if not (stringify(alt).strip() or dict(attr[2]).get("alt", "").strip() or id(node) in captioned):
            document.warn(f"image {src!r} has no description (alt text): the e-book can only tell readers using "
                          "a screen reader 'image without description', and claims no accessibility "
                          "conformance; write ![description](file)", line)
        node["c"][2][0] = str(resolved)


def locate_image(src: str, candidates: list[Path], document: Document, root: Path, line: int | None) -> Path:
    """The first of ``candidates`` that exists, provided it is inside the project (symlinks followed)."""
    resolved = [c.resolve() for c in candidates]
    found = next((r for r in resolved if r.exists()), None)
    if (found is not None and not found.is_relative_to(root)) or (
            found is None and not any(r.is_relative_to(root) for r in resolved)):
        raise ManuscriptError(f"image {src!r} is outside the project folder", path=document.manuscript.path,
                              line=line, hint="copy the image into the project folder")
    if found is None:
        raise ManuscriptError(f"image {src!r} not found", path=document.manuscript.path, line=line,
                              hint="put the image in the project (next to the manuscript) and check its name")
    return found


BIBLIOGRAPHY_HEADINGS = {"bibliographie", "bibliography", "references", "référence", "références", "reference",
                         "works cited", "ouvrages cités", "sources", "literatur", "literaturverzeichnis",
                         "bibliografía", "bibliografia", "referencias", "riferimenti bibliografici"}
"""Headings an author gives the bibliography (compared case-folded, without a trailing colon)."""


def place_bibliography(document: Document, ids: set[str]) -> None:
    """Put the bibliography in its place, under one heading, when the text cites anything.

    - The author placed it (a ``::: {#refs}`` div): there, and the heading of
      the section holding it takes the bibliography's id;
    - the author gave a heading pandoc's id (``## References {#refs}``):
      right after that heading, which becomes the bibliography's;
    - the text ends with an empty heading named like a bibliography (``##
      Bibliographie``, ``## References``…): under that heading, as pandoc does;
    - otherwise: at the end, under ``reference-section-title`` or the
      language's word (Bibliographie, References…).

    The section of the bibliography has the id ``bibliography`` (the EPUB's
    bibliography.xhtml); an author's other heading with that id is renamed so
    two sections never share it. Nothing is added with ``suppress-bibliography``.
    """
    settings = document.settings
    blocks = document.ast["blocks"]
    cites = settings.nocite or any(node["t"] == "Cite" for node in iter_nodes(blocks))
    if not cites or settings.suppress_bibliography:
        return
    heading = next((i for i, b in enumerate(blocks) if b["t"] == "Header" and b["c"][1][0] == "refs"), None)
    if heading is not None and not any(node["t"] == "Div" and node["c"][0][0] == "refs"
                                       for node in iter_nodes(blocks)):
        # ``## References {#refs}``: the author's heading is the bibliography's, the references follow it
        header = blocks[heading]
        _claim_bibliography_id(blocks, header)
        blocks.insert(heading + 1, {"t": "Div", "c": [["refs", [], []], []]})
        return
    if "refs" in ids:
        index = next((i for i, b in enumerate(blocks) if b["t"] == "Div" and b["c"][0][0] == "refs"), 0)
        section = next((b for b in reversed(blocks[:index]) if b["t"] == "Header" and b["c"][0] <= 2), None)
        if section is not None:  # the EPUB's bibliography page is the section holding the div
            _claim_bibliography_id(blocks, section)
        return
    last = blocks[-1] if blocks else None
    if last is not None and last["t"] == "Header" and \
            stringify(last["c"][2]).strip().rstrip(":").strip().casefold() in BIBLIOGRAPHY_HEADINGS:
        _claim_bibliography_id(blocks, last)
        if settings.reference_section_title:
            last["c"][2] = inlines(settings.reference_section_title)
    else:
        title = settings.reference_section_title or localised("bibliography", document.lang)
        header = {"t": "Header", "c": [2, ["bibliography", ["unnumbered", "bibliography"], []], inlines(title)]}
        _claim_bibliography_id(blocks, header)
        blocks.append(header)
    blocks.append({"t": "Div", "c": [["refs", [], []], []]})


def _claim_bibliography_id(blocks: list, header: dict) -> None:
    """Give ``header`` the id ``bibliography``; another heading holding it gets ``bibliography-1``."""
    for node in iter_nodes(blocks):
        if node["t"] == "Header" and node is not header and node["c"][1][0] == "bibliography":
            node["c"][1][0] = "bibliography-1"
    attr = header["c"][1]
    attr[0] = "bibliography"
    for name in ("unnumbered", "bibliography"):
        if name not in attr[1]:
            attr[1].append(name)


_RAW_TAG = re.compile(r"<([A-Za-z][\w-]*)(\s[^<>]*?)/?>", re.S)
_RAW_ID = re.compile(r"""(?:^|\s)(id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


def raw_html_ids(html: str) -> set[str]:
    """The anchors raw HTML gives a reader: ``id=`` on any element, ``name=`` on ``<a>`` (HTML 4's anchors)."""
    ids: set[str] = set()
    for tag in _RAW_TAG.finditer(html):
        for found in _RAW_ID.finditer(tag.group(2)):
            value = (found.group(2) or found.group(3) or found.group(4) or "").strip()
            if value and (found.group(1).lower() == "id" or tag.group(1).lower() == "a"):
                ids.add(value)
    return ids


def element_ids(ast) -> set[str]:
    """Every target a link inside the text can reach: the ids of headings, divs, spans, code, tables,
    figures, links and images (``{#id}``), and the ``id=`` / ``<a name=>`` of raw HTML."""
    ids: set[str] = set()
    for node in iter_nodes(ast["blocks"]):
        key = node["t"]
        if key in ("Header", "Div", "Span", "CodeBlock", "Code", "Table", "Figure", "Link", "Image"):
            attr = node["c"][1] if key == "Header" else node["c"][0]
            if isinstance(attr, list) and attr and isinstance(attr[0], str) and attr[0]:
                ids.add(attr[0])
        elif key in ("RawInline", "RawBlock") and str(node["c"][0]).lower() in ("html", "html5", "html4"):
            ids |= raw_html_ids(node["c"][1])
    return ids
