"""Make the HTML body safe: a manuscript from a pull request is untrusted input.

lxml's cleaner removes scripts, event handlers, ``javascript:`` links, frames,
forms, embedded objects and style sheets. What remains to settle is specific to
a book: no resource may come from the network or from outside the project, so
raw HTML images must be local files inside the project, and inline styles may
not load anything.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml.html import HtmlElement
from lxml.html import builder as E
from lxml_html_clean import Cleaner

from .document import Document
from .editions.xhtml import Fixer
from .references.identifiers import without_tracking
from .references.citations import is_script_link, script_link_message
from .references.citations import locate_image
from .sources.images import find_image, placeholder_label
from .render import remove_keeping_tail

_CLEANER = Cleaner(
    scripts=True, javascript=True, comments=True, style=True, inline_style=False, links=True, meta=True,
    page_structure=False, processing_instructions=True, embedded=True, frames=True, forms=True,
    annoying_tags=False, remove_unknown_tags=False, safe_attrs_only=False,
)
RESOURCE_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "longdesc", "xlink:href", "lowsrc",
                       "dynsrc", "codebase", "archive", "classid", "manifest", "icon", "srcdoc", "formaction",
                       "action", "profile")
#: Attributes that make a reader (or WeasyPrint) send a request or read a file: dropped wherever they are.
FETCHING_ATTRIBUTES = ("ping", "rel", "attributionsrc", "imagesrcset", "imagesizes", "background", "lowsrc",
                       "dynsrc", "longdesc", "manifest", "profile", "itemtype")
#: Elements removed with their content: they load or run something, or change every address (<base>).
REMOVED_ELEMENTS = ("base", "template", "noscript", "portal", "fencedframe", "track", "source", "applet", "bgsound", "frameset", "layer", "ilayer")
#: What lxml's cleaner removes (or what is removed below) that held content a reader would miss, and how
#: to keep that content: ``{tag: (what it was, how to keep it)}``. A link can follow the address.
EMBEDS = {
    "iframe": ("an embedded page or player", "link to it instead"),
    "frame": ("an embedded page", "link to it instead"),
    "object": ("an embedded object", "link to it instead, or export it as an image"),
    "embed": ("an embedded object", "link to it instead, or export it as an image"),
    "applet": ("a Java applet", "link to it instead, or show it as an image"),
    "video": ("a video from the network", "link to it instead, or put its poster image in the project"),
    "audio": ("a sound from the network", "link to it instead"),
    "script": ("a script (a book runs none)", "write what it shows as text, or as an image"),
    "noscript": ("a script's fallback", "write its content as ordinary text"),
    "form": ("a form (a book takes no input)", "write its questions or choices as text or a list"),
    "input": ("a form field", "write the field's label and value as text"),
    "button": ("a button", "write its label as text or as a link"),
    "select": ("a drop-down list", "write its choices as a list"),
    "textarea": ("a text field", "write its text as a paragraph or a code block"),
    "style": ("a style sheet (the editions use the house styles)", "put the rules in styles/book.css or "
              "styles/epub.css"),
    "link": ("a link to a style sheet or resource", "put style rules in styles/book.css or styles/epub.css"),
}
#: CSS functions that load an image or a document (CSS Images 3/4, CSS Values 4 src(), old IE expression()).
LOADING_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade",
                     "element", "-moz-element", "expression", "paint"}
#: CSS properties that attach behaviour: Internet Explorer's behavior, Firefox's old -moz-binding.
BINDING_PROPERTIES = {"behavior", "behaviour", "-moz-binding", "-ms-behavior"}
#: An id (or class name) a validator accepts and a link can name: one word of letters, digits and the
#: characters RFC 3986 allows in a fragment unencoded ("-._~!$&()*+,;=:@/?"); no space (HTML), no
#: control character (XML 1.0), no quote, "<", ">" or "#" (EPUBCheck RSC-020 refuses them in a fragment).
VALID_ID = re.compile(r"[\w\-.~!$&()*+,;=:@/?]+")


def css_references(css: str) -> list[str]:
    """Every address a CSS text (a style sheet or a ``style`` attribute) would load, escapes decoded.

    Found with tinycss2's tokenizer, so ``u\\72l(…)`` is read as ``url(…)``:
    ``url()`` tokens, the string arguments of :data:`LOADING_FUNCTIONS`
    (``image-set("a.png" 1x)``), ``@import "x.css"``. A binding property
    (``behavior``, ``-moz-binding``) is reported as ``"<binding>"``.
    Shapes: CSS text in, list of addresses (str) out.
    """
    import tinycss2

    found: list[str] = []

    def walk(tokens, loading: bool = False) -> None:
        after_import = False
        for token in tokens:
            kind = token.type
            if kind == "url":
                found.append(token.value)
            elif kind == "string" and (loading or after_import):
                found.append(token.value)
            elif kind == "function":
                name = token.lower_name
                walk(token.arguments, loading or name in LOADING_FUNCTIONS)
                if name in LOADING_FUNCTIONS and not any(t.type in ("url", "string") for t in token.arguments):
                    found.append(f"{name}()")
            elif kind in ("() block", "[] block", "{} block"):
                walk(token.content, loading)
            elif kind == "ident" and token.lower_value in BINDING_PROPERTIES:
                found.append("<binding>")
            if kind == "at-keyword":
                after_import = token.lower_value == "import"
            elif kind not in ("whitespace", "comment"):
                after_import = False

    # Tokens, not rules: a style attribute and a style sheet are read alike, and nothing is skipped
    # as a parse error.
    walk(tinycss2.parse_component_value_list(css, skip_comments=True))
    return found


def remote_or_outside(address: str) -> bool:
    """Whether a style sheet address would leave the book: any scheme but data:, //host, /absolute, or ..

    Relative addresses inside the package (``fonts/x.ttf``) are the only ones kept.
    """
    if address.startswith("<") or address.endswith("()"):
        return True
    parts = urlsplit(address.strip())
    if parts.scheme == "data":
        return False
    path = unquote(parts.path).replace("\\", "/")
    return bool(parts.scheme or parts.netloc or address.strip().startswith(("/", "\\"))
                or ".." in path.split("/"))


def sanitize(body: HtmlElement, document: Document, root: Path) -> None:
    """Clean ``body`` in place; warn about what was removed, refuse files outside ``root``."""
    finder = Fixer(document)
    for kind in ("svg", "math"):  # may carry scripts or remote references of their own
        for element in body.xpath(f".//{kind}"):
            if kind == "math" and _made_by_pandoc(element, document.math_class):
                continue
            document.warn(f"raw <{kind}> removed: write it as an image file instead", finder.line(f"<{kind}"))
            remove_keeping_tail(element)
    _settle_math(body, document)
    _settle_media(body, document, root)
    _warn_embeds(body, document, finder)
    _warn_script_links(body, document, finder)
    _CLEANER(body)
    for element in body.xpath("|".join(f".//{name}" for name in REMOVED_ELEMENTS)):
        if element.getparent() is not None:
            document.warn(f"raw <{element.tag}> removed: it would load or change what the book reads",
                          finder.line(f"<{element.tag}"))
            remove_keeping_tail(element)
    for picture in body.xpath(".//picture"):  # its <img> stays, as any other image; its <source>s are gone
        picture.drop_tag()
    raw_images: Counter[str] = Counter()  # raw <img> met so far, by src, to find each one's line
    for element in list(body.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None and element is not body:
            continue
        for name in list(element.attrib):
            lower = name.lower()
            if ":" in name or lower.startswith("on") or lower in FETCHING_ATTRIBUTES:
                del element.attrib[name]
        style = element.get("style")
        if style and css_references(style):
            document.warn(f"the style of a raw <{element.tag}> loads {css_references(style)[0][:80]!r}: "
                          "style removed, nothing is fetched")
            del element.attrib["style"]
        identifier = element.get("id")
        if identifier is not None and not VALID_ID.fullmatch(identifier):
            line = document.manuscript.line_of(identifier[:40]) if identifier else None
            document.warn(f"id {identifier[:60]!r} of a raw <{element.tag}> removed: an id is one word "
                          "of letters, digits and - _ . : (no spaces, quotes, < > # or control characters)", line)
            del element.attrib["id"]
        classes = element.get("class")
        if classes is not None and any(not VALID_ID.fullmatch(c) for c in classes.split()):
            kept = " ".join(c for c in classes.split() if VALID_ID.fullmatch(c))
            if kept:
                element.set("class", kept)
            else:
                del element.attrib["class"]
        if element.tag == "a" and element.get("href") == "":
            element.attrib.pop("href")
            element.tag = "span"
        elif element.tag == "a" and (element.get("href") or "").startswith(("http:", "https:")):
            element.set("href", without_tracking(element.get("href"), keep_fragment=True))
        elif element.tag != "a" and element.get("href") is not None:
            del element.attrib["href"]  # only a link the reader follows may hold an address
        if element.tag == "img":
            _settle_image(element, document, root, raw_images)
        elif any(element.get(a) for a in RESOURCE_ATTRIBUTES) and element.tag not in ("img",):
            address = next(element.get(a) for a in RESOURCE_ATTRIBUTES if element.get(a))
            document.warn(f"raw <{element.tag}> removed: it loads {address[:80]!r} from outside the book; to keep "
                          "its content, write it as text, or link to it", finder.line(f"<{element.tag}", address))
            remove_keeping_tail(element)
    _settle_anchors(body, document, finder)


def _warn_script_links(body: HtmlElement, document: Document, finder: Fixer) -> None:
    """A raw link to ``javascript:`` (or ``vbscript:``) is warned with its line: the cleaner takes its address."""
    for link in body.iter("a"):
        href = link.get("href")
        if href is not None and is_script_link(href):
            document.warn(script_link_message(href), finder.line(*_href_needles(href)))


def _settle_anchors(body: HtmlElement, document: Document, finder: Fixer) -> None:
    """A raw link to an ``#id`` the text does not have is warned with its line and printed as text.

    The ids are those of the whole tree (a book's chapter may link to another chapter's anchor).
    Links pandoc wrote from Markdown were settled before (``references.citations``), the same way.
    """
    root = body.getroottree().getroot()
    ids = {e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    ids |= {a.get("name") for a in root.iter("a") if a.get("name")}
    for link in list(body.iter("a")):
        href = (link.get("href") or "").strip()
        if not href.startswith("#") or href[1:] in ids or link.get("role") in ("doc-noteref", "doc-backlink"):
            continue
        document.warn(f"link to {href} points to no heading or anchor; printed as text",
                      finder.line(*_href_needles(link.get("href"))))
        link.attrib.pop("href")
        link.tag = "span"


def _href_needles(href: str) -> tuple[str, ...]:
    return (f'href="{href}"', f"href='{href}'", f"href={href}", href)


def _warn_embeds(body: HtmlElement, document: Document, finder: Fixer) -> None:
    """Warn, with its line, about each raw element of :data:`EMBEDS` the cleaner is about to remove.

    The message names what was removed, its address (``src``, ``data``, ``href``, ``action``) when it
    has one, and how to keep the content, e.g. a Markdown link to the video. Controls inside a
    removed ``<form>`` are named with it, not one by one.
    """
    tags = "|".join(f".//{tag}" for tag in EMBEDS)
    forms = set(body.iter("form"))
    for element in body.xpath(tags):
        if element.tag in ("input", "button", "select", "textarea") and any(f in forms for f in element.iterancestors("form")):
            continue
        if element.tag == "link" and element.getparent() is None:
            continue
        what, keep = EMBEDS[element.tag]
        address = next((element.get(a) for a in ("src", "data", "href", "action") if element.get(a)), None)
        if address is None and element.tag in ("video", "audio"):
            address = next((s.get("src") for s in element.iter("source") if s.get("src")), None)
        if element.tag in ("video", "audio") and not address:
            continue  # nothing to play: the cleaner keeps it as a container of its text
        if element.tag == "form":
            controls = sorted({c.tag for c in element.iter("input", "button", "select", "textarea")})
            if controls:
                what += f" with {', '.join(f'<{c}>' for c in controls)}"
        line = finder.line(f"<{element.tag}", *([address] if address else []))
        shown = f" ({address[:80]})" if address else ""
        link = f": [{_link_text(element, document)}]({_page_of(address)})" if address and keep.startswith("link") else ""
        document.warn(f"raw <{element.tag}>{shown} removed: {what}; to keep its content, {keep}{link}", line)
        if element.tag in ("video", "audio", "noscript"):
            remove_keeping_tail(element)  # the cleaner keeps these: removed here, warned once


def _link_text(element: HtmlElement, document: Document) -> str:
    """Words for a suggested link: the element's title (or ARIA label), else the kind of thing it shows."""
    text = " ".join((element.get("title") or element.get("aria-label") or "").split())[:60]
    if text:
        return text
    french = {"video": "la vidéo", "audio": "l'enregistrement", "iframe": "la page"}
    english = {"video": "the video", "audio": "the recording", "iframe": "the page"}
    return (french if document.is_french else english).get(element.tag, "le document" if document.is_french
                                                           else "the document")


#: Players embedded from a video site, and the page a reader opens instead: (host, path prefix, page).
_PLAYERS = (
    (("www.youtube.com", "youtube.com", "www.youtube-nocookie.com"), "/embed/", "https://www.youtube.com/watch?v={}"),
    (("player.vimeo.com",), "/video/", "https://vimeo.com/{}"),
    (("www.dailymotion.com",), "/embed/video/", "https://www.dailymotion.com/video/{}"),
)


def _page_of(address: str) -> str:
    """The page to link for an embedded player's address (a YouTube, Vimeo or Dailymotion player → the
    video's page); any other address as it is."""
    parts = urlsplit(address if "//" not in address[:2] else "https:" + address)
    for hosts, prefix, page in _PLAYERS:
        if parts.hostname in hosts and parts.path.startswith(prefix):
            identifier = parts.path[len(prefix):].split("/")[0]
            if identifier:
                return page.format(identifier)
    return address


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


def _raw_line(src: str, document: Document, seen: Counter[str]) -> int | None:
    """The line of the next raw ``<img src=…>`` naming ``src`` (a Markdown image with the same file is skipped)."""
    occurrence = seen[src]
    seen[src] += 1
    for needle in (f'src="{src}"', f"src='{src}'", f"src={src}"):
        line = document.manuscript.line_of(needle, occurrence)
        if line is not None:
            return line
    return document.manuscript.line_of(src)


def _settle_image(img: HtmlElement, document: Document, root: Path, seen: Counter[str]) -> None:
    src = img.get("src") or ""
    img.attrib.pop("srcset", None)
    img.attrib.pop("sizes", None)
    if src.startswith(str(root)) and Path(src).is_file():
        _refuse_unsafe_svg(img, Path(src), document)  # a Markdown image, already resolved inside the project
        return
    line = _raw_line(src, document, seen) if src else None
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
        found = locate_image(src, [path], document, root, line)
        img.set("src", str(found))
        _refuse_unsafe_svg(img, found, document)
        _warn_undescribed(img, src, document, line)
        return
    found = find_image(unquote(parts.path), document, root, line)  # /img/x.png: the blog's static folders
    if found is None:  # reported with every other missing image; a draft shows a framed placeholder
        span = E.SPAN(placeholder_label(document.lang) + " ", E.CODE(src), **{"class": "missing-image"})
        span.tail = img.tail
        img.getparent().replace(img, span)
        return
    img.set("src", str(found))
    _refuse_unsafe_svg(img, found, document)
    _warn_undescribed(img, src, document, line)


def _warn_undescribed(img: HtmlElement, src: str, document: Document, line: int | None) -> None:
    """A raw ``<img>`` without ``alt`` (and not in a captioned ``<figure>``) is warned with its line.

    The Markdown images get the same warning in ``references.citations.resolve_images``;
    ``alt=""`` is the author marking the image as decoration (WCAG technique H67).
    """
    if img.getparent() is None or img.get("alt") is not None:
        return
    figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
    caption = figure.find("figcaption") if figure is not None else None
    if caption is not None and caption.text_content().strip():
        return
    document.warn(f"raw <img> {src[:80]!r} has no description (alt text): the e-book can only tell readers "
                  "using a screen reader 'image without description', and claims no accessibility conformance; "
                  'add alt="description" (or alt="" if the image is only decoration)', line)


def _refuse_unsafe_svg(img: HtmlElement, path: Path, document: Document) -> None:
    """Replace an SVG image that could run a script or load anything by its description, with a warning."""
    if path.suffix.lower() not in (".svg", ".svgz"):
        return
    problem = svg_problem(path)
    if problem:
        document.warn(f"image {path.name!r} is not used: {problem}; its description is printed instead",
                      document.manuscript.line_of(path.name))
        _replace_by_alt(img)


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def svg_problem(path: Path) -> str | None:
    """Why the SVG file at ``path`` may not go into a book, or None when it is self-contained.

    Refused (SVG 1.1/2 features that run code or load resources): a document
    type declaration, ``<script>``, ``<foreignObject>``, ``on*`` handlers, any
    ``href``/``xlink:href`` other than a ``#fragment`` or a ``data:`` image,
    and a ``<style>`` or ``style`` whose CSS loads an address (see css_references).
    """
    from lxml import etree

    if path.suffix.lower() == ".svgz":
        return "compressed SVG is not accepted; save it as .svg"
    if path.stat().st_size > 10 * 1024 * 1024:
        return "the SVG file is larger than 10 MB"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        return f"it is not well-formed SVG (line {exc.lineno})"
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        return "it has a <!DOCTYPE> declaration"
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname.lower()
        if local in ("script", "foreignobject", "iframe", "handler", "listener"):
            return f"it holds a <{local}> element"
        for name, value in element.attrib.items():
            attribute = etree.QName(name).localname.lower()
            if attribute.startswith("on"):
                return f"it holds an event handler ({attribute})"
            if attribute == "href" and not value.strip().startswith(("#", "data:image/")):
                return f"it refers to {value[:60]!r}"
            if attribute == "style" and css_references(value):
                return "a style in it loads an address"
        if local == "style" and css_references(element.text or ""):
            return "its style sheet loads an address"
    return None


def _replace_by_alt(img: HtmlElement) -> None:
    alt = (img.get("alt") or "").strip()
    if alt:
        span = E.EM(alt)
        span.tail = img.tail
        img.getparent().replace(img, span)
    else:
        remove_keeping_tail(img)
