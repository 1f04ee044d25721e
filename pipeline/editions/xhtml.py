"""Make the HTML body valid XHTML for EPUB 3, whatever raw HTML the manuscript holds.

Pandoc passes raw HTML through untouched, and blog posts are full of HTML that
browsers forgive and EPUBCheck does not: presentational attributes (``align``,
``bgcolor``, ``border``…), obsolete elements (``<center>``, ``<font>``, ``<tt>``…),
elements out of place (a ``<figcaption>`` outside any ``<figure>``, a ``<div>``
inside a ``<span>``), duplicate ids, links to files of the blog that the book
cannot hold, empty headings. :func:`make_valid` rewrites each into what EPUB 3
allows (the HTML5 content models of the W3C/WHATWG HTML standard, as EPUBCheck 5's
schemas encode them) and warns once per change, naming the manuscript line.

The rules run on the body shared by nothing else (the EPUB writer's own copy), so
the PDF edition keeps what WeasyPrint can print.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from lxml.html import HtmlElement
from lxml.html import builder as E

from ..document import Document
from ..render import heading_label, remove_keeping_tail
from ..terms import localised_with_language

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".tif", ".tiff")
REMOTE_SCHEMES = ("http", "https", "mailto", "tel", "ftp", "ftps", "news", "urn", "doi", "sms", "geo")

# Elements of HTML5 that EPUB 3 content documents may hold (forms, scripts, frames and
# embedded objects are removed earlier by the sanitizer).
ELEMENTS = frozenset("""
a abbr address article aside audio b bdi bdo blockquote br caption cite code col colgroup data dd del
details dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li
mark nav ol p pre q rp rt ruby s samp section small source span strong sub summary sup table tbody td
tfoot th thead time tr track u ul var video wbr
""".split())
# Obsolete or foreign elements and what they become: (tag, class or None).
RENAMED = {
    "center": ("div", "align-center"), "font": ("span", None), "big": ("span", "larger"), "tt": ("code", None),
    "strike": ("s", None), "acronym": ("abbr", None), "dir": ("ul", None), "listing": ("pre", None),
    "xmp": ("pre", None), "plaintext": ("pre", None), "blink": ("span", None), "marquee": ("span", None),
    "nobr": ("span", "nowrap"), "image": ("img", None), "menu": ("ul", None), "picture": ("span", None),
    "search": ("div", None), "dialog": ("div", None), "hgroup": ("div", None), "main": ("div", None),
    "template": (None, None), "noscript": (None, None), "spacer": (None, None), "basefont": (None, None),
    "bgsound": (None, None), "isindex": (None, None), "keygen": (None, None), "noembed": (None, None),
    "noframes": (None, None), "slot": ("span", None),
}
# Content whose model is phrasing only: a block element inside becomes a <span>.
PHRASING_ONLY = frozenset("""
p h1 h2 h3 h4 h5 h6 pre span em strong b i u s small code kbd samp var sub sup abbr cite dfn q mark time data
bdi bdo rt rp summary
""".split())
TRANSPARENT = frozenset("a ins del audio video".split())
FLOW_ONLY = frozenset("""
address article aside blockquote details div dl dd dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup
hr li main nav ol p pre section table caption colgroup col thead tbody tfoot tr td th ul
""".split())
# Where an element may stand: its parent must be one of these.
PARENTS = {
    "li": ("ul", "ol"), "dt": ("dl", "div"), "dd": ("dl", "div"), "tr": ("table", "thead", "tbody", "tfoot"),
    "td": ("tr",), "th": ("tr",), "thead": ("table",), "tbody": ("table",), "tfoot": ("table",),
    "caption": ("table",), "colgroup": ("table",), "col": ("colgroup",), "figcaption": ("figure",),
    "summary": ("details",), "source": ("audio", "video"), "track": ("audio", "video"), "rt": ("ruby",),
    "rp": ("ruby",),
}
# What a container may hold directly (text apart from white space is not allowed either).
CHILDREN = {
    "ul": ("li",), "ol": ("li",), "dl": ("dt", "dd", "div"), "table": ("caption", "colgroup", "thead", "tbody",
                                                                       "tfoot", "tr"),
    "thead": ("tr",), "tbody": ("tr",), "tfoot": ("tr",), "tr": ("td", "th"), "colgroup": ("col",),
}
WRAPPER = {"ul": "li", "ol": "li", "dl": "dd", "tr": "td"}

GLOBAL_ATTRIBUTES = frozenset("""
id class style title lang dir hidden tabindex accesskey translate spellcheck role data-epub-type
""".split())
ATTRIBUTES = {
    "a": {"href", "target", "rel", "hreflang", "type", "download", "referrerpolicy"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "loading", "decoding", "crossorigin",
            "referrerpolicy"},
    "td": {"colspan", "rowspan", "headers"}, "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "ol": {"start", "reversed", "type"}, "li": {"value"}, "col": {"span"}, "colgroup": {"span"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "data": {"value"}, "details": {"open"},
    "audio": {"controls", "loop", "muted", "preload"}, "video": {"controls", "loop", "muted", "preload",
                                                                "width", "height"},
    "source": {"src", "type", "srcset", "sizes", "media"}, "track": {"src", "kind", "srclang", "label", "default"},
}
ARIA = frozenset("""
activedescendant atomic autocomplete braillelabel brailleroledescription busy checked colcount colindex
colindextext colspan controls current describedby description details disabled errormessage expanded flowto
haspopup hidden invalid keyshortcuts label labelledby level live modal multiline multiselectable orientation
owns placeholder posinset pressed readonly relevant required roledescription rowcount rowindex rowindextext
rowspan selected setsize sort valuemax valuemin valuenow valuetext
""".split())
ROLES = frozenset("""
alert alertdialog application article banner blockquote button caption cell checkbox code columnheader combobox
comment complementary contentinfo definition deletion dialog directory document emphasis feed figure form generic
grid gridcell group heading img insertion link list listbox listitem log main mark marquee math menu menubar
menuitem menuitemcheckbox menuitemradio meter navigation none note option paragraph presentation progressbar
radio radiogroup region row rowgroup rowheader scrollbar search searchbox separator slider spinbutton status
strong subscript suggestion superscript switch tab table tablist tabpanel term textbox time timer toolbar tooltip
tree treegrid treeitem doc-abstract doc-acknowledgments doc-afterword doc-appendix doc-backlink doc-biblioentry
doc-bibliography doc-biblioref doc-chapter doc-colophon doc-conclusion doc-cover doc-credit doc-credits
doc-dedication doc-endnote doc-endnotes doc-epigraph doc-epilogue doc-errata doc-example doc-footnote
doc-foreword doc-glossary doc-glossref doc-index doc-introduction doc-noteref doc-notice doc-pagebreak
doc-pagefooter doc-pageheader doc-pagelist doc-part doc-preface doc-prologue doc-pullquote doc-qna doc-subtitle
doc-tip doc-toc
""".split())
ALIGNMENTS = ("left", "right", "center", "justify")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|px)?\s*$")
# Characters XML 1.0 forbids (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Characters a URL may not hold as they are (RFC 3986 plus the '%' of escapes already made).
URL_SAFE = "/:?#[]@!$&'()*+,;=%~-._"


class Fixer:
    """The changes made to one body, each warned with the manuscript line it comes from."""

    def __init__(self, document: Document, heading_shift: int = 0) -> None:
        self.document = document
        # How many levels deeper the body's headings sit than the author wrote them (1 in a book's
        # chapter: its ## is an <h3>), so that messages and line searches speak the author's levels.
        self.heading_shift = heading_shift
        self.text = document.manuscript.body.lower()
        self.seen: Counter[str] = Counter()
        # id() of an element renamed here → (the element, kept alive so that its id stays its own; its tag as written)
        self.original: dict[int, tuple[HtmlElement, str]] = {}
        # id() of an element whose line was looked up → (the element, kept alive; its line)
        self.lines: dict[int, tuple[HtmlElement, int | None]] = {}

    def line(self, *needles: str) -> int | None:
        """The line of the next not-yet-reported appearance of the first of ``needles`` found
        (case-insensitive) in the manuscript, or None."""
        for needle in needles:
            needle = needle.lower()
            start = -1
            for _ in range(self.seen[needle] + 1):
                start = self.text.find(needle, start + 1)
                if start < 0:
                    break
            if start >= 0:
                self.seen[needle] += 1
                start += len(needle) - len(needle.lstrip("\n"))  # a needle may open with the line break before it
                return self.document.manuscript.body_line + self.text.count("\n", 0, start)
        return None

    def warn(self, message: str, *needles: str) -> None:
        self.document.warn(f"EPUB: {message}", self.line(*needles))

    def warn_element(self, element: HtmlElement, message: str, needle: str) -> None:
        """Warn with ``element``'s line, found by ``needle`` the first time only: every warning about
        one element names the same line."""
        if id(element) not in self.lines:
            self.lines[id(element)] = (element, self.line(needle))
        self.document.warn(f"EPUB: {message}", self.lines[id(element)][1])

    def warn_attribute(self, message: str, name: str, element: HtmlElement | None = None,
                       value: str | None = None) -> None:
        line = self.attribute_line(element, name, value) if element is not None else None
        if line is None:
            line = self.line(f" {name}=", f"\t{name}=", f"\n{name}=", f" {name}", name)
        self.document.warn(f"EPUB: {message}", line)

    def attribute_line(self, element: HtmlElement, name: str, value: str | None = None) -> int | None:
        """The line of the next not-yet-reported start tag of ``element``'s kind holding the attribute
        ``name`` (with its value when it is found so): that element's own line, not the first line where
        some other element has an attribute of that name."""
        tag = re.escape(self.original.get(id(element), (element, element.tag))[1])
        value = ((element.get(name) if value is None else value) or "").strip().lower()
        head = rf"<{tag}(?=[\s/>])[^>]*?[\s\"'/]{re.escape(name.lower())}"
        patterns = ([head + rf"\s*=\s*[\"']?\s*{re.escape(value)}"] if value else []) + [head + r"(?![\w-])"]
        for pattern in patterns:
            matches = list(re.finditer(pattern, self.text))
            if len(matches) > self.seen[pattern]:
                start = matches[self.seen[pattern]].start()
                self.seen[pattern] += 1
                return self.document.manuscript.body_line + self.text.count("\n", 0, start)
        return None

    def warn_href(self, message: str, href: str) -> None:
        self.warn(message, f'href="{href}"', f"href='{href}'", f"href={href}", href or "<a")


def make_valid(body: HtmlElement, document: Document, *, heading_shift: int = 0) -> None:
    """Rewrite ``body`` in place so that it serialises to valid EPUB 3 XHTML.

    Every change that alters what the author wrote is warned through
    ``document.warn`` with the manuscript line. Raises nothing: what cannot be
    converted is removed, keeping its text.
    """
    fixer = Fixer(document, heading_shift)
    _clean_text(body)
    # pandoc's MathML (the only <math> sanitize keeps) is valid EPUB 3 as it is: epub.to_xhtml gives
    # it its namespace. Its elements are not HTML and must not be rewritten as such.
    kept = [node for math in body.iter("math") for node in math.iter()]  # alive, so their ids stay theirs
    mathml = {id(node) for node in kept}
    for element in list(body.iter()):
        if not isinstance(element.tag, str) or id(element) in mathml:
            continue
        if element.getparent() is None and element is not body:
            continue  # inside something removed already
        _element(element, fixer)
    for element in list(body.iter()):
        if isinstance(element.tag, str) and id(element) not in mathml and _attached(element, body):
            _attributes(element, fixer)
    for element in list(body.iter()):
        if isinstance(element.tag, str) and id(element) not in mathml and _attached(element, body):
            _placement(element, fixer)
    for element in list(body.iter("a")):
        if _attached(element, body):
            _link(element, fixer, document.settings.base_url)
    for element in list(body.iter()):
        if isinstance(element.tag, str) and id(element) not in mathml and _attached(element, body):
            _names_and_ruby(element, fixer)
    _headings(body, fixer)
    _unique_ids(body, fixer)


def make_valid_by_chapter(body: HtmlElement, document: Document, chapters: tuple[Document, ...] = ()) -> None:
    """:func:`make_valid` for an essay, or for a book chapter by chapter.

    ``chapters``: a book's essays, one per ``section.chapter`` of ``body`` in order.
    Each chapter is made valid with its own essay, so that a warning names that
    essay's file and line (``manuscripts/ch2.md:14``), not make-book.toml; then
    the whole body with the book's document: what lies outside the chapters
    (parts, the book's bibliography) and ids repeated across chapters. The
    chapters' warnings are the book's too.
    """
    sections = body.xpath(".//section[contains(concat(' ', @class, ' '), ' chapter ')]") if chapters else []
    if chapters and len(sections) == len(chapters):
        for section, own in zip(sections, chapters):
            before = len(own.warnings)
            make_valid(section, own, heading_shift=1)  # the essay's ## is the chapter's <h3>
            document.warnings.extend(own.warnings[before:])
    make_valid(body, document)


def describe_images(body: HtmlElement, lang: str) -> int:
    """Give every image of ``body`` a text alternative; the number left without a real description.

    WCAG 2.2 success criterion 1.1.1 and Ace's ``image-alt`` rule want an ``alt`` on every
    image. What a careful publisher gives an image the author did not describe:

    - in a figure with a caption, the caption is the description: it becomes the ``alt``
      and the ``figcaption`` is hidden from assistive technology, so that it is not read
      twice (what pandoc writes for ``![caption](file)``) — unless it holds a link or other
      focusable content, which ``aria-hidden`` must never hide (WAI-ARIA 1.2, Ace's
      ``aria-hidden-focus``): such a caption is read after the image, as written;
    - otherwise an honest "Image sans description" / "Image without description" in the
      book's language (English, marked ``lang="en"``, when make-book has no translation),
      rather than nothing (a screen reader would spell out the file name) or a made-up
      description. Such images are counted: the book then claims no conformance.

    An explicit ``alt=""`` (raw HTML) is the HTML way of saying "decoration only"
    (WCAG technique H67) and is kept. The sources warned about each image with its line
    (``references.citations.resolve_images`` for Markdown, ``sanitize`` for raw HTML).
    """
    undescribed = 0
    for caption in body.iter("figcaption"):
        if caption.get("aria-hidden") == "true" and _focusable_inside(caption):
            del caption.attrib["aria-hidden"]  # pandoc hides a caption that repeats its image's alt
    for img in body.iter("img"):
        if img.get("alt") is not None:
            continue
        figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
        caption = figure.find("figcaption") if figure is not None else None
        text = " ".join(caption.text_content().split()) if caption is not None else ""
        if text:
            img.set("alt", text)
            if not _focusable_inside(caption):
                caption.set("aria-hidden", "true")
            continue
        words, language = localised_with_language("undescribed_image", lang)
        img.set("alt", words)
        if language != lang.split("-")[0].lower():
            img.set("lang", language)
        undescribed += 1
    return undescribed


def _focusable_inside(element: HtmlElement) -> bool:
    """Whether ``element`` holds something a reader can tab to: a link, a form control, a tabindex."""
    return any(
        (child.tag == "a" and child.get("href") is not None)
        or child.tag in ("button", "input", "select", "textarea", "iframe", "audio", "video")
        or child.get("tabindex") is not None
        for child in element.iter()
        if isinstance(child.tag, str)
    )


def heading_text(heading: HtmlElement) -> str:
    """A heading's text as a reader hears it: its text, or its images' descriptions when it has none."""
    text = heading_label(heading)  # without its note calls (jgm/pandoc#2883)
    if text:
        return text
    return " ".join(" ".join((img.get("alt") or "").split()) for img in heading.iter("img")).strip()


# -- the rules -----------------------------------------------------------------------


def _attached(element: HtmlElement, body: HtmlElement) -> bool:
    return element is body or any(ancestor is body for ancestor in element.iterancestors())


def _clean_text(body: HtmlElement) -> None:
    for node in body.iter():
        if not isinstance(node.tag, str):
            continue
        if node.text and NOT_XML.search(node.text):
            node.text = NOT_XML.sub("", node.text)
        if node.tail and NOT_XML.search(node.tail):
            node.tail = NOT_XML.sub("", node.tail)


def _element(element: HtmlElement, fixer: Fixer) -> None:
    """Obsolete elements renamed (``<center>`` → ``<div class="align-center">``), unknown ones unwrapped."""
    tag = element.tag.lower() if isinstance(element.tag, str) else element.tag
    if tag == "img":
        _image(element, fixer)
        return
    if tag in ELEMENTS:
        return
    if tag in RENAMED or tag not in ELEMENTS:
        fixer.original[id(element)] = (element, tag)
    if tag in RENAMED:
        new_tag, css_class = RENAMED[tag]
        if new_tag is None:
            fixer.warn(f"raw <{tag}> removed (EPUB 3 has no such element)", f"<{tag}")
            remove_keeping_tail(element)
            return
        fixer.warn(f"raw <{tag}> is obsolete; written as <{new_tag}>"
                   + (f' with class "{css_class}"' if css_class else ""), f"<{tag}")
        if tag == "font":
            _font_as_class(element)
        if tag == "image":
            element.attrib.setdefault("src", element.attrib.pop("href", ""))
        element.tag = new_tag
        if css_class:
            _add_class(element, css_class)
        return
    new_tag = "div" if any(isinstance(c.tag, str) and c.tag in FLOW_ONLY for c in element.iter()) else "span"
    fixer.warn(f"raw <{tag}> is not an HTML element EPUB 3 knows; its content is kept in a <{new_tag}>", f"<{tag}")
    element.tag = new_tag
    for name in list(element.attrib):
        if name not in GLOBAL_ATTRIBUTES:
            del element.attrib[name]


def _image(img: HtmlElement, fixer: Fixer) -> None:
    """An image whose file the book cannot hold (no src, a folder, a missing file) gives way to its description.

    The sanitizer has already turned every image it accepted into an absolute path
    of a file of the project, and warned about remote ones.
    """
    src = (img.get("src") or "").strip()
    if src and Path(src).is_absolute() and Path(src).is_file():
        return
    alt = " ".join((img.get("alt") or "").split())
    fixer.warn(f"image {src[:80]!r} is not a file the book can hold; "
               + ("its description is printed instead" if alt else "left out (it has no description either)"),
               "<img")
    if alt:
        replacement = E.SPAN(alt, **{"class": "image-description"})
        replacement.tail = img.tail
        img.getparent().replace(img, replacement)
    else:
        remove_keeping_tail(img)


def _font_as_class(element: HtmlElement) -> None:
    # Colours and faces chosen for a web page do not suit every reader's theme
    # (night mode, sepia): they are dropped; a size becomes a relative class.
    size = (element.attrib.pop("size", "") or "").strip()
    element.attrib.pop("color", None)
    element.attrib.pop("face", None)
    if size.startswith("+") or size in ("4", "5", "6", "7"):
        _add_class(element, "larger")
    elif size.startswith("-") or size in ("1", "2"):
        _add_class(element, "smaller")


def _add_class(element: HtmlElement, name: str) -> None:
    classes = (element.get("class") or "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))


def _attributes(element: HtmlElement, fixer: Fixer) -> None:
    """Presentational attributes become classes or styles; attributes HTML5 does not allow are dropped."""
    tag = element.tag
    allowed = ATTRIBUTES.get(tag, set())
    written = dict(element.attrib)
    dropped = []
    for name in list(element.attrib):
        value = element.get(name) or ""
        lowered = value.strip().lower()
        if not XML_NAME.match(name):
            del element.attrib[name]
            dropped.append(name)
            continue
        if name in ("align", "valign"):
            del element.attrib[name]
            if lowered in ALIGNMENTS + ("top", "middle", "bottom"):
                prefix = "float" if tag in ("img", "table") and lowered in ("left", "right") else name
                _add_class(element, f"{prefix}-{lowered}")
                fixer.warn_attribute(f'{name}="{value}" on <{tag}> is obsolete; the class "{prefix}-{lowered}" '
                                     "does its work", name, element, value)
            else:
                dropped.append(name)
            continue
        if name == "border" and tag == "table":
            del element.attrib[name]
            if lowered not in ("0", ""):
                _add_class(element, "bordered")
            fixer.warn_attribute(f'border="{value}" on <table> is obsolete; '
                                 + ('the class "bordered" draws the rules' if lowered not in ("0", "") else "dropped"),
                                 "border", element, value)
            continue
        if name in ("width", "height") and (name not in allowed or not value.strip().isdigit()):
            del element.attrib[name]
            match = LENGTH.match(value)
            if match and name in allowed | {"width"}:
                unit = match.group(2) or "px"
                number = match.group(1)
                style = (element.get("style") or "").strip().rstrip(";")
                element.set("style", f"{style}; {name}: {number}{unit}".lstrip("; "))
                fixer.warn_attribute(f'{name}="{value}" on <{tag}> is not allowed in EPUB 3; written as a style',
                                     name, element, value)
            else:
                dropped.append(name)
            continue
        if name == "name" and tag == "a":
            del element.attrib[name]
            if value and not element.get("id"):
                element.set("id", value)
            continue
        if name.startswith("aria-"):
            if name[5:] not in ARIA:
                del element.attrib[name]
                dropped.append(name)
            continue
        if name.startswith("data-"):
            if not re.match(r"^data-[a-z0-9_.-]+$", name) or name == "data-":
                del element.attrib[name]
                dropped.append(name)
            continue
        if name == "lang" and not (value == "" or LANGUAGE_TAG.match(value)):
            del element.attrib[name]
            fixer.warn_attribute(f'lang="{value}" is not a language tag (BCP 47, e.g. "fr" or "en-GB"); dropped',
                                 "lang", element, value)
            continue
        if name == "dir" and lowered not in ("ltr", "rtl", "auto"):
            del element.attrib[name]
            dropped.append(name)
            continue
        if name == "role":
            roles = [r for r in value.split() if r in ROLES]
            if roles != value.split():
                dropped.append(name)
            if roles:
                element.set("role", roles[0])
            else:
                del element.attrib[name]
            continue
        if name in ("hidden", "reversed", "open", "controls", "loop", "muted", "default"):
            if name == "hidden" or name in allowed:
                element.set(name, name)
            else:
                del element.attrib[name]
                dropped.append(name)
            continue
        if name in ("colspan", "rowspan", "span", "start", "value", "tabindex") and not re.match(
                r"^-?\d+$", value.strip()):
            del element.attrib[name]
            dropped.append(name)
            continue
        if name in ("colspan", "span") and int(value) < 1 or name == "rowspan" and int(value) < 0:
            del element.attrib[name]
            dropped.append(name)
            continue
        if name == "id" and (not value or re.search(r"\s", value)):
            del element.attrib[name]
            if value.strip():
                element.set("id", re.sub(r"\s+", "-", value.strip()))
            continue
        if name == "class" and not value.strip():
            del element.attrib[name]
            continue
        if name not in GLOBAL_ATTRIBUTES and name not in allowed:
            del element.attrib[name]
            dropped.append(name)
    if tag == "ol" and element.get("type") not in (None, "1", "a", "A", "i", "I"):
        del element.attrib["type"]
        dropped.append("type")
    if tag == "th" and (element.get("scope") or "row") not in ("row", "col", "rowgroup", "colgroup"):
        del element.attrib["scope"]
        dropped.append("scope")
    if tag == "img" and "srcset" in element.attrib:
        del element.attrib["srcset"]  # only the file in src is packed
        element.attrib.pop("sizes", None)
    if tag == "img" and element.get("loading") not in (None, "lazy", "eager"):
        del element.attrib["loading"]
    for name in ("decoding", "crossorigin", "referrerpolicy", "download", "target", "hreflang", "type"):
        if name in element.attrib and tag in ("img", "a"):
            del element.attrib[name]  # meaningless in a book, and easy to get wrong
    if dropped:
        names = ", ".join(sorted(set(dropped)))
        fixer.warn_attribute(f"attribute{'s' if len(set(dropped)) > 1 else ''} {names} on <{tag}> not allowed in "
                             "EPUB 3; dropped", dropped[0], element, written.get(dropped[0]))


def _placement(element: HtmlElement, fixer: Fixer) -> None:
    """Elements out of their place: a block in a phrase, a list item outside a list, stray text in a table."""
    parent = element.getparent()
    if parent is None:
        return
    tag = element.tag
    if tag in PARENTS and parent.tag not in PARENTS[tag] and not (
            tag in ("dt", "dd") and parent.tag == "div" and parent.getparent() is not None
            and parent.getparent().tag == "dl"):
        if tag in ("source", "track", "col"):
            remove_keeping_tail(element)
            return
        new_tag = "p" if tag in ("figcaption", "caption", "summary") else "div"
        if _in_phrasing(element):
            new_tag = "span"
        fixer.warn(f"raw <{tag}> outside {' or '.join(f'<{p}>' for p in PARENTS[tag])}; written as <{new_tag}>",
                   f"<{tag}")
        element.tag = new_tag
        if tag in ("figcaption", "caption"):
            _add_class(element, "caption")
        for name in list(element.attrib):
            if name not in GLOBAL_ATTRIBUTES:
                del element.attrib[name]
    elif tag in FLOW_ONLY and _in_phrasing(element):
        if not len(element) and not (element.text or "").strip():
            remove_keeping_tail(element)  # an empty block the HTML parser made of a stray end tag
            return
        fixer.warn(f"raw <{tag}> inside a line of text (<{parent.tag}>); written as <span>", f"<{tag}")
        if tag == "hr":
            remove_keeping_tail(element)
            return
        element.tag = "span"
        for name in list(element.attrib):
            if name not in GLOBAL_ATTRIBUTES:
                del element.attrib[name]
    elif tag == "a" and any(a.tag == "a" for a in element.iterancestors()):
        fixer.warn("a link inside a link; the inner one is written as text", "<a")
        element.attrib.pop("href", None)
        element.tag = "span"
    elif tag == "figure":
        captions = [c for c in element if c.tag == "figcaption"]
        for extra in captions[1:] + ([captions[0]] if captions and captions[0] is not element[0]
                                                         and captions[0] is not element[-1] else []):
            extra.tag = "p"
            _add_class(extra, "caption")
    if tag in CHILDREN:
        _children(element, fixer)
    if tag == "dl":
        _description_groups(element, fixer)


def _group_shape(container: HtmlElement) -> str:
    """The children of a description list (or of one of its ``div`` groups) as letters: t (dt), d (dd), g (div)."""
    letters = {"dt": "t", "dd": "d", "div": "g"}
    return "".join(letters.get(c.tag, "?") for c in container if isinstance(c.tag, str))


GROUPS = re.compile(r"(?:t+d+)*")


def _description_groups(dl: HtmlElement, fixer: Fixer) -> None:
    """A ``<dl>`` that is not groups of terms each followed by their descriptions is written as a ``<div>``.

    HTML §4.4.9: a description list holds groups of one or more ``<dt>``
    followed by one or more ``<dd>``, bare or each in a ``<div>``; a ``<dd>``
    with no term before it, or a term with no description, is invalid
    (EPUBCheck RSC-005) and tells screen readers nothing (DAISY Ace
    ``definition-list``). Such a list becomes ``<div class="dl">``, its terms
    ``<p class="dt">`` and its descriptions ``<div class="dd">``, which look the
    same (``styles/epub.css``).
    """
    shape = _group_shape(dl)
    if GROUPS.fullmatch(shape) or (set(shape) == {"g"} and all(
            GROUPS.fullmatch(_group_shape(group)) and _group_shape(group) for group in dl if isinstance(group.tag, str))):
        return
    fixer.warn_element(dl, "raw <dl> does not give each description its term (<dt> then <dd>); "
                       "written as paragraphs", "<dl")
    dl.tag = "div"
    _add_class(dl, "dl")
    for item in list(dl.iter("dt", "dd")):
        if any(a.tag == "dl" for a in item.iterancestors()):
            continue  # a valid list nested inside keeps its own terms
        _add_class(item, item.tag)
        item.tag = "p" if item.tag == "dt" else "div"


def _in_phrasing(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in PHRASING_ONLY:
            return True
        if ancestor.tag not in TRANSPARENT:
            return False
    return False


def _children(container: HtmlElement, fixer: Fixer) -> None:
    """Wrap what a list, table or row may not hold directly; tables lose stray text."""
    allowed = CHILDREN[container.tag]
    wrapper = WRAPPER.get(container.tag)
    stray = bool((container.text or "").strip()) or any(
        (c.tail or "").strip() or (isinstance(c.tag, str) and c.tag not in allowed) for c in container)
    if not stray:
        return
    fixer.warn_element(container, f"raw <{container.tag}> holds content it may not hold directly; "
                       + (f"wrapped in <{wrapper}>" if wrapper else "moved out of the table"), f"<{container.tag}")
    if wrapper is None:  # a table, its row groups or column group: stray content goes before the table
        table = container if container.tag == "table" else next(
            (a for a in container.iterancestors() if a.tag == "table"), container)
        holder = E.DIV()
        if (container.text or "").strip():
            holder.text = container.text
        container.text = None
        for child in list(container):
            if isinstance(child.tag, str) and child.tag in allowed:
                if (child.tail or "").strip():
                    holder.append(E.SPAN(child.tail))
                child.tail = None
                continue
            tail = child.tail
            child.tail = None
            holder.append(child)
            if (tail or "").strip():
                holder.append(E.SPAN(tail))
        if len(holder) or (holder.text or "").strip():
            if table.getparent() is not None:
                table.addprevious(holder)
        return
    # A list, description list or row: each run of stray content goes into one wrapper.
    items = []
    current = None
    if (container.text or "").strip():
        current = getattr(E, wrapper.upper())()
        current.text = container.text
        items.append(current)
    container.text = None
    for child in list(container):
        tail = child.tail
        child.tail = None
        container.remove(child)
        if isinstance(child.tag, str) and child.tag in allowed:
            items.append(child)
            current = None
        else:
            if current is None:
                current = getattr(E, wrapper.upper())()
                items.append(current)
            current.append(child)
        if (tail or "").strip():
            if current is None:
                current = getattr(E, wrapper.upper())()
                items.append(current)
            if len(current):
                current[-1].tail = (current[-1].tail or "") + tail
            else:
                current.text = (current.text or "") + tail
    container.extend(items)


def _link(link: HtmlElement, fixer: Fixer, base_url: str | None) -> None:
    """Links the book can follow stay; a link to a file of the blog becomes its text (or its image)."""
    href = (link.get("href") or "").strip()
    if "href" not in link.attrib:
        return
    if href.startswith("#"):
        return  # settled when the pages are split
    parts = urlsplit(href) if _parsable(href) else None
    if parts is not None and parts.scheme.lower() in REMOTE_SCHEMES:
        if parts.scheme.lower() in ("http", "https") and not parts.netloc:
            _as_text(link, fixer, href, f"link {href!r} has no host")
            return
        escaped = quote(href, safe=URL_SAFE)
        if escaped != href:
            link.set("href", escaped)
        return
    if parts is not None and parts.scheme and parts.scheme.lower() != "file" and len(parts.scheme) > 1:
        _as_text(link, fixer, href, f"link {href!r} uses an address scheme reading systems do not open; "
                 "printed as text")
        return
    if parts is not None and not parts.scheme and href.startswith("/") and not href.startswith("//") and base_url:
        link.set("href", quote(urljoin(base_url, href), safe=URL_SAFE))
        return
    images = [c for c in link if isinstance(c.tag, str)]
    only_image = (len(images) == 1 and images[0].tag == "img" and not (link.text or "").strip()
                  and not (images[0].tail or "").strip())
    path = (parts.path if parts is not None else href).lower()
    if only_image and path.endswith(IMAGE_SUFFIXES):
        fixer.warn_href(f"the image is linked to the file {href!r}, which the book does not hold; the image is "
                        "kept without its link", href)
        remove_keeping_tail_of_link(link)
        return
    _as_text(link, fixer, href, f"link to the file {href!r}, which the book cannot hold; printed as text")


def _parsable(href: str) -> bool:
    try:
        urlsplit(href)
    except ValueError:
        return False
    return True


def _as_text(link: HtmlElement, fixer: Fixer, href: str, message: str) -> None:
    fixer.warn_href(message, href)
    for name in ("href", "target", "rel", "hreflang", "type", "download", "referrerpolicy"):
        link.attrib.pop(name, None)
    link.tag = "span"


def remove_keeping_tail_of_link(link: HtmlElement) -> None:
    """Replace ``link`` by its children (and text), keeping what follows it."""
    parent = link.getparent()
    index = parent.index(link)
    previous = link.getprevious()
    if link.text:
        if previous is not None:
            previous.tail = (previous.tail or "") + link.text
        else:
            parent.text = (parent.text or "") + link.text
    children = list(link)
    last_tail = link.tail
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + (last_tail or "")
        parent.remove(link)
    else:
        remove_keeping_tail(link)


# Elements whose role (none, or generic, paragraph, code, emphasis…) may not be named: ARIA 1.2
# prohibits aria-label/aria-labelledby there (axe's rule aria-prohibited-attr, which Ace reports as serious).
UNNAMEABLE = frozenset("""
abbr b bdi bdo cite code data del dfn div em i ins kbd mark p pre q rp rt ruby s samp small span strong sub sup
time u var
""".split())


def _names_and_ruby(element: HtmlElement, fixer: Fixer) -> None:
    """A name on an element that cannot be named is dropped; a ruby without annotation is its text alone."""
    tag = element.tag
    if tag in UNNAMEABLE and element.get("role") is None:
        named = [name for name in ("aria-label", "aria-labelledby") if name in element.attrib]
        for name in named:
            del element.attrib[name]
        if named:
            fixer.warn_attribute(f"{named[0]} on a raw <{tag}> is not read by screen readers (ARIA 1.2 forbids "
                                 "naming such an element); dropped: put the words in the text, or give the "
                                 "element a role", named[0], element)
    if tag == "ruby" and element.find("rt") is None:
        fixer.warn("raw <ruby> without its annotation (<rt>); its text is kept alone", "<ruby")
        element.drop_tag()


def _headings(body: HtmlElement, fixer: Fixer) -> None:
    """An empty heading is dropped; one that holds only an image is named by its description."""
    for heading in list(body.iter("h1", "h2", "h3", "h4", "h5", "h6")):
        if not _attached(heading, body):
            continue
        if " ".join(heading.text_content().split()):
            continue
        name = heading_text(heading)
        hashes = "#" * max(1, int(heading.tag[1]) - fixer.heading_shift)
        if name:
            fixer.warn(f"heading holds only an image; the contents and the page title name it {name!r} "
                       "after the image's description", f"\n{hashes} <img", f"<{heading.tag}")
            continue
        fixer.warn("empty heading dropped (EPUB needs text in every heading): write its title or remove it",
                   f"\n{hashes}\n", f"\n{hashes} \n", f"<{heading.tag}")
        remove_keeping_tail(heading)
    _heading_levels_in_order(body, fixer)


def _heading_levels_in_order(body: HtmlElement, fixer: Fixer) -> None:
    """No heading skips a level (a ``###`` right under the title becomes a level 2): screen readers and a
    reading system's navigation read the levels as the outline (WCAG 2.2 technique G141; Ace's
    ``heading-order``). The title above the text is level 1, so the text's first level is at most 2."""
    previous = 1
    for heading in list(body.iter("h1", "h2", "h3", "h4", "h5", "h6")):
        if not _attached(heading, body):
            continue
        level = int(heading.tag[1])
        if level > previous + 1:
            shift = fixer.heading_shift  # levels as the author wrote them
            fixer.warn(f"heading of level {level - shift} ({' '.join(heading.text_content().split())[:40]!r}) "
                       f"under a level {previous - shift}: set as level {previous + 1 - shift}, so that no level "
                       f"is skipped; write it with {'#' * (previous + 1 - shift)} to say so yourself",
                       f"\n{'#' * (level - shift)} ", f"<h{level - shift}")
            heading.tag = f"h{previous + 1}"
            level = previous + 1
        previous = level


def _unique_ids(body: HtmlElement, fixer: Fixer) -> None:
    """Ids appear once (XML and HTML both require it); later copies get a suffix."""
    seen: set[str] = set()
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        value = element.get("id")
        if value is None:
            continue
        if value not in seen:
            seen.add(value)
            continue
        number = 2
        while f"{value}-{number}" in seen:
            number += 1
        fixer.warn(f'id "{value}" is used more than once; this one is renamed "{value}-{number}"', f'"{value}"')
        element.set("id", f"{value}-{number}")
        seen.add(f"{value}-{number}")
