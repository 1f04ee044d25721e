"""Make the HTML body safe: a manuscript from a pull request is untrusted input.

lxml's cleaner removes scripts, event handlers, ``javascript:`` links, frames,
forms, embedded objects and style sheets. What remains to settle is specific to
a book: no resource may come from the network or from outside the project, so
raw HTML images must be local files inside the project, and inline styles may
not load anything.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml.html import HtmlElement
from lxml.html import builder as E
from lxml_html_clean import Cleaner

from .document import Document
from .references.identifiers import without_tracking
from .references.citations import locate_image
from .sources.images import find_image, placeholder_label
from .render import remove_keeping_tail

_CLEANER = Cleaner(
    scripts=True, javascript=True, comments=True, style=True, inline_style=False, links=True, meta=True,
    page_structure=False, processing_instructions=True, embedded=True, frames=True, forms=True,
    annoying_tags=False, remove_unknown_tags=False, safe_attrs_only=False,
)
_LOADS = re.compile(r"url\s*\(|expression\s*\(|@import|behavio(u)?r\s*:", re.I)
RESOURCE_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "longdesc", "xlink:href")


def sanitize(body: HtmlElement, document: Document, root: Path) -> None:
    """Clean ``body`` in place; warn about what was removed, refuse files outside ``root``."""
    for kind in ("svg", "math"):  # may carry scripts or remote references of their own
        for element in body.xpath(f".//{kind}"):
            if kind == "math" and _made_by_pandoc(element, document.math_class):
                continue
            document.warn(f"raw <{kind}> removed: write it as an image file instead")
            remove_keeping_tail(element)
    _settle_math(body, document)
    _CLEANER(body)
    _settle_media(body, document, root)
    for element in list(body.iter()):
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            if ":" in name or name.lower().startswith("on"):
                del element.attrib[name]
        style = element.get("style")
        if style and _LOADS.search(style):
            del element.attrib["style"]
        if element.tag == "a" and element.get("href") == "":
            element.attrib.pop("href")
            element.tag = "span"
        elif element.tag == "a" and (element.get("href") or "").startswith(("http:", "https:")):
            element.set("href", without_tracking(element.get("href"), keep_fragment=True))
        if element.tag == "img":
            _settle_image(element, document, root)
        elif any(element.get(a) for a in RESOURCE_ATTRIBUTES) and element.tag not in ("img",):
            document.warn(f"raw <{element.tag}> with an external resource removed")
            remove_keeping_tail(element)


def _made_by_pandoc(math: HtmlElement, math_class: str) -> bool:
    parent = math.getparent()
    return parent is not None and parent.tag == "span" and math_class in (parent.get("class") or "").split()


def _settle_math(body: HtmlElement, document: Document) -> None:
    """Formulas pandoc could not convert to MathML: shown as TeX code, each with a warning and its line."""
    for span in body.xpath(f'.//span[contains(concat(" ", @class, " "), " {document.math_class} ")]'):
        classes = [c for c in (span.get("class") or "").split() if c != document.math_class]
        span.set("class", " ".join(classes))
        tex = span.attrib.pop("data-tex", "")
        if span.find("math") is not None:
            continue
        document.warn(f"formula {tex[:60]!r} cannot be typeset (TeX that pandoc's MathML writer does not "
                      "know); it is printed as code", document.manuscript.line_of(tex.strip()))
        for child in list(span):
            span.remove(child)
        span.text = None
        span.append(E.CODE(tex, **{"class": "math-source"}))


def _settle_media(body: HtmlElement, document: Document, root: Path) -> None:
    """A local ``<video>``/``<audio>`` cannot play on a page: its poster (or its name, framed) is printed."""
    for media in list(body.iter("video", "audio")):
        sources = [media.get("src")] + [s.get("src") for s in media.iter("source")]
        src = next((s for s in sources if s), "")
        parts = urlsplit(src)
        if not src or parts.scheme or src.startswith("//"):
            continue  # a remote one is an external resource, removed below with its warning
        word = ("Vidéo" if media.tag == "video" else "Audio") if document.is_french else media.tag.capitalize()
        label = f"{word} : {Path(parts.path).name}" if document.is_french else f"{word}: {Path(parts.path).name}"
        line = document.manuscript.line_of(src)
        poster = media.get("poster") or ""
        found = find_image(unquote(poster), document, root, line) if poster and not urlsplit(poster).scheme else None
        if poster and found is None and document.missing_images and document.missing_images[-1].src == unquote(poster):
            document.missing_images.pop()  # a missing poster is not a missing image: the name is printed
        document.warn(f"local {media.tag} {src!r} cannot play in a book: "
                      f"{'its poster image' if found else 'its name'} is printed instead", line)
        replacement = E.IMG(src=str(found), alt=label) if found else E.SPAN(label, **{"class": "missing-image media"})
        replacement.tail = media.tail
        media.getparent().replace(media, replacement)


def _settle_image(img: HtmlElement, document: Document, root: Path) -> None:
    src = img.get("src") or ""
    img.attrib.pop("srcset", None)
    if src.startswith(str(root)) and Path(src).is_file():
        return  # a Markdown image, already resolved inside the project
    line = document.manuscript.line_of(src) if src else None
    parts = urlsplit(src)
    if parts.scheme in ("http", "https", "ftp") or src.startswith("//") or parts.scheme == "data":
        document.warn(f"image {src[:80]!r} is not a file of the project and is not downloaded; its description "
                      "is printed instead", line)
        _replace_by_alt(img)
        return
    if parts.scheme and parts.scheme != "file":
        document.warn(f"image {src[:80]!r} cannot be read; its description is printed instead", line)
        _replace_by_alt(img)
        return
    if parts.scheme == "file":
        path = Path(unquote(parts.path))
        img.set("src", str(locate_image(src, [path], document, root, line)))
        return
    found = find_image(unquote(parts.path), document, root, line)  # /img/x.png: the blog's static folders
    if found is None:  # reported with every other missing image; a draft shows a framed placeholder
        span = E.SPAN(placeholder_label(document.lang) + " ", E.CODE(src), **{"class": "missing-image"})
        span.tail = img.tail
        img.getparent().replace(img, span)
        return
    img.set("src", str(found))


def _replace_by_alt(img: HtmlElement) -> None:
    alt = (img.get("alt") or "").strip()
    if alt:
        span = E.EM(alt)
        span.tail = img.tail
        img.getparent().replace(img, span)
    else:
        remove_keeping_tail(img)
