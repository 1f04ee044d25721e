"""Where a printed line may break: addresses, code and proper names in the HTML tree before layout.

WeasyPrint hyphenates every word of a ``hyphens: auto`` block (Pyphen
dictionaries) and breaks lines only at spaces and UAX #14 opportunities. Print
needs more care:

- an address (URL, e-mail, DOI) or inline code is never hyphenated, since a reader
  would copy or type the added hyphen; it may break after ``/ . - _ ? & =``
  without one (a zero-width space, U+200B, marks each such place), as the LaTeX
  ``url`` package does;
- a word with a capital letter (a proper name, most often) is not split.

Only text is changed, never attributes (``href`` keeps the exact address).
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement
from lxml.html import builder as E

ZERO_WIDTH_SPACE = "\u200b"
BREAK_AFTER = "/.-_?&="
LONG_SEGMENT = 7
SEGMENT_KEEP = 3
# Set ragged (book.css): their addresses break only at separators.
RAGGED = {"csl-entry", "url-note", "attribution"}
RAGGED_TAGS = {"figcaption", "caption", "h1", "h2", "h3", "h4", "h5", "h6"}
ADDRESS_CLASS = "address"
NAME_CLASS = "name"
KEEP_CLASS = "nohyphen"
COMPOUND_CLASS = "compound"

# An address in running text: a URL, a bare www. host, a DOI, an e-mail address.
ADDRESS = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"«»]+|\b10\.\d{4,9}/[^\s<>\"«»]+"
                     r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TRAILING = ".,;:!?)]}’'\u00a0\u202f"
# A word that opens with a capital letter, long enough to be hyphenated at all.
CAPITALISED = re.compile(r"(?<![\w\u2010-])[A-ZÀ-ÖØ-Þ][\w’'-]{5,}", re.UNICODE)

# Elements whose text is left alone: already set apart, or not running text.
SKIPPED = {"pre", "script", "style", "svg", "math", "h1", "h2", "h3", "h4", "h5", "h6"}


def breakable(address: str, *, inside_segments: bool = True) -> str:
    """``address`` with a zero-width space at each place a line may break in it.

    After each character of ``/ . - _ ? & =``, but not inside the scheme's
    ``://``; and, as the LaTeX ``xurl`` package allows, inside a segment of
    ``LONG_SEGMENT`` characters or more between them, leaving at least
    ``SEGMENT_KEEP`` on each side, so that a long path or query never leaves a
    loose line before it (WeasyPrint's ``overflow-wrap: anywhere`` only acts
    on a word that starts its line). ``inside_segments=False`` for ragged text
    (bibliography entries, address notes), where a short line costs nothing
    and a break at a separator reads better. Never before the last two
    characters, so no line starts with a lone ``/`` or ends an address with
    one letter.
    """
    scheme = address.find("://") + 3 if "://" in address[:16] else 0
    after: set[int] = set()
    start = 0
    for index, char in enumerate([*address, BREAK_AFTER[0]]):
        if char not in BREAK_AFTER:
            continue
        if index < len(address) and address[index + 1:index + 2] not in BREAK_AFTER \
                and not (char == "/" and address[max(0, index - 2):index] in (":/", "//")):
            after.add(index)
        if inside_segments and index - start >= LONG_SEGMENT and start >= scheme:
            after.update(range(start + SEGMENT_KEEP - 1, index - SEGMENT_KEEP))
        start = index + 1
    out = []
    for index, char in enumerate(address):
        out.append(char)
        if index in after and index < len(address) - 3:
            out.append(ZERO_WIDTH_SPACE)
    return "".join(out)


def _is_address_link(link: HtmlElement) -> bool:
    return is_address_text(link.text_content(), link.get("href") or "")


def is_address_text(text: str, href: str = "") -> bool:
    """Whether a link's text (or any text, without ``href``) is an address: the link's own target,
    with or without its scheme, or a URL, host, DOI or e-mail address. Such text is set as written:
    no typography, no spelling marks, broken only at its separators."""
    href = href.removeprefix("mailto:")
    text = text.strip()
    if not text or href.startswith("#"):
        return False
    bare = href.split("://", 1)[-1].rstrip("/")
    return bool(href) and text.rstrip("/") in (href.rstrip("/"), bare) or bool(ADDRESS.fullmatch(text))


def _mark(element: HtmlElement, name: str) -> None:
    classes = (element.get("class") or "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))


def _breakable_text(element: HtmlElement) -> None:
    """Add break points to all the text inside ``element`` (not its tail)."""
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        if node.text:
            node.text = breakable(node.text)
        if node is not element and node.tail:
            node.tail = breakable(node.tail)


def break_addresses(body: HtmlElement) -> None:
    """Mark every address and inline code in ``body``: no hyphen inside, breaks after ``/ . - _ ? & =``.

    Links whose text is their address, ``<code>`` outside ``<pre>``, and the
    address spans of link notes are marked in place; addresses written in plain
    text (a bibliography entry's URL or DOI, an e-mail in a sentence) get a
    ``<span class="address">`` of their own.
    """
    marked = []
    for element in body.iter():
        if not isinstance(element.tag, str) or any(a.get("class") == ADDRESS_CLASS for a in element.iterancestors()):
            continue
        classes = (element.get("class") or "").split()
        if (element.tag == "a" and _is_address_link(element)) or "url" in classes or "url-after" in classes or (
                element.tag == "code" and element.getparent() is not None and element.getparent().tag != "pre"):
            marked.append(element)
    for element in marked:
        _mark(element, ADDRESS_CLASS)
        _breakable_text(element)
    _wrap_matches(body, ADDRESS, ADDRESS_CLASS, breakable, strip=TRAILING)
    for address in body.xpath(".//*[contains(concat(' ', @class, ' '), ' address ')]"):
        if any(set((a.get("class") or "").split()) & RAGGED or a.tag in RAGGED_TAGS for a in address.iterancestors()):
            for node in address.iter():
                if not isinstance(node.tag, str):
                    continue
                if node.text:
                    node.text = breakable(node.text.replace(ZERO_WIDTH_SPACE, ""), inside_segments=False)
                if node is not address and node.tail:
                    node.tail = breakable(node.tail.replace(ZERO_WIDTH_SPACE, ""), inside_segments=False)


def keep_names_whole(body: HtmlElement) -> None:
    """Wrap each proper name of running text in ``<span class="name">`` (not hyphenated).

    A name is a word with a capital letter inside a sentence ("Montesquieu",
    "Bibliothèque nationale"), or opening a sentence when the text never writes
    it in lower case. "Particulièrement" opening a sentence is an ordinary word
    when "particulièrement" occurs elsewhere, and is hyphenated like it:
    keeping every sentence's first word whole left loose lines where the next
    word could not be split.
    """
    lower = set(re.findall(r"[\w’'-]+", body.text_content()))

    def is_name(text: str, start: int, block_start: bool) -> bool:
        opening = SENTENCE_START.search(text[:start]) is not None and (block_start or text[:start].strip())
        word = CAPITALISED.match(text, start).group()
        return not opening or word[0].lower() + word[1:] not in lower

    _wrap_matches(body, CAPITALISED, NAME_CLASS, lambda text: text, accept=is_name)
    # A compound name (Saint-Rémy-de-Provence, Jean-Jacques) is not cut at its hyphens either:
    # the Imprimerie nationale's rules avoid dividing proper names; its line breaks at a space.
    for span in body.xpath(".//span[@class=$name]", name=NAME_CLASS):
        if "-" in (span.text or ""):
            span.set("class", f"{NAME_CLASS} {COMPOUND_CLASS}")


# What comes before a word that opens a sentence: nothing, or a sentence's end, then spaces and quotes.
SENTENCE_START = re.compile(r"(?:^|[.!?…]\s)[\s«“\"\u00a0\u202f]*$")
BLOCKS = {"p", "li", "dd", "dt", "td", "th", "blockquote", "figcaption", "caption", "div"}


def _wrap_matches(body: HtmlElement, pattern: re.Pattern, name: str, change, strip: str = "",
                  accept=lambda text, start, block_start: True) -> None:
    """Wrap every match of ``pattern`` (that ``accept`` takes) in the text of ``body`` in a span of class ``name``."""
    for element in list(body.iter()):
        if not isinstance(element.tag, str) or element.tag in SKIPPED:
            continue
        if any(a.tag in SKIPPED or set((a.get("class") or "").split()) & {ADDRESS_CLASS, NAME_CLASS, KEEP_CLASS}
               for a in [element, *element.iterancestors()]):
            continue
        if element.text:
            spans = _split(element.text, pattern, name, change, strip,
                           lambda text, start: accept(text, start, element.tag in BLOCKS))
            if spans:
                element.text = spans[0]
                for offset, span in enumerate(spans[1:]):
                    element.insert(offset, span)
        for child in list(element):
            if isinstance(child.tag, str) and child.tail:
                spans = _split(child.tail, pattern, name, change, strip, lambda text, start: accept(text, start, False))
                if spans:
                    child.tail = spans[0]
                    for span in reversed(spans[1:]):
                        child.addnext(span)


def _split(text: str, pattern: re.Pattern, name: str, change, strip: str, accept) -> list | None:
    """[text before, span, span…] with each span's tail the text up to the next match; None if none."""
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    head = None
    spans: list[HtmlElement] = []
    position = 0
    for match in matches:
        start, end = match.start(), match.end()
        while end > start and text[end - 1] in strip:
            end -= 1
        if end - start < 4 or not accept(text, start):
            continue
        before = text[position:start]
        if spans:
            spans[-1].tail = (spans[-1].tail or "") + before
        else:
            head = before
        span = E.SPAN(change(text[start:end]), **{"class": name})
        spans.append(span)
        position = end
    if not spans:
        return None
    spans[-1].tail = text[position:]
    return [head or "", *spans]

