"""Hyphens a typographer accepts: the limits WeasyPrint's line breaker cannot keep, corrected after layout.

WeasyPrint breaks lines greedily, one line at a time, and only knows
``hyphenate-limit-chars`` and ``hyphenate-limit-zone``. The rest of the limits
issue #15 sets (after LaTeX's ``\\doublehyphendemerits``, ``\\brokenpenalty`` and
``\\finalhyphendemerits``) are checked on the laid-out pages:

- no more than two hyphenated lines in a row;
- no hyphen on the last line of a page's text;
- no hyphen on the line before a paragraph's last line.

A fault is corrected by keeping that one occurrence of the word whole
(``<span class="nohyphen">``) in the next layout, never every occurrence of the
word: a repeated word stays hyphenatable elsewhere. Keeping a word whole moves
it to the next line and spreads the room it leaves over the line's spaces; when
that would make the line loose (word spaces over ``LOOSE`` times the document's
usual space), the correction chooses another line of the run, or keeps the
hyphen for the page and paragraph rules: a visibly loose line is the worse fault.

The other way round, ``hyphenate-limit-zone`` sometimes declines to split the
word after a line that is then loose: that occurrence may split in the next
layout (``<span class="hyphenate">``, zone 0), when loose lines are common
enough to pay for it.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from lxml.html import HtmlElement
from lxml.html import builder as E

HYPHEN = "\u2010"  # WeasyPrint's hyphenate-character (book.css leaves the default)
MAX_HYPHEN_RUN = 2
BLOCK_KEY = "data-block"
# Elements whose lines may hold a hyphenated word: each gets a BLOCK_KEY, so a
# line found on a page leads back to its element in make-book's tree.
BLOCK_TAGS = ("p", "li", "dd", "dt", "blockquote", "figcaption", "caption", "td", "th", "div", "table")
KEEP_CLASS = "nohyphen"
SPLIT_CLASS = "hyphenate"
# Content that is not part of its paragraph's lines on the page (floated notes).
FLOATED = {"footnote", "marginnote", "draft-note", "draft-notes"}
# A text face's word space, in em: Charis SIL's is 0.29 em, most book faces' 0.25–0.3 em.
SPACE_EM = 0.28
# A line is loose when its word spaces are stretched to more than this many times the usual (median) space.
LOOSE = 1.85
# Loose lines are corrected when they are at least this share of the justified lines: each correction
# costs a whole new layout, as long as the first (the French sample has one or two, and none is needed).
LOOSE_SHARE = 0.02
WORD_END = re.compile(r"\w+$")
WORD_START = re.compile(r"^\w+")


@dataclass
class Line:
    """One line of a page's text flow: its page, the block it belongs to and its text."""

    page: int
    block: str | None  # BLOCK_KEY of the element whose line it is
    box: object  # WeasyPrint LineBox
    text: str


@dataclass(frozen=True)
class Fault:
    """One occurrence of a word to keep whole: the ``occurrence``-th (from 0) of ``word`` in block ``block``."""

    block: str
    word: str
    occurrence: int


def number_blocks(body: HtmlElement) -> None:
    """Give each element that holds lines of text a ``data-block`` key (document order)."""
    for index, element in enumerate(body.iter(*BLOCK_TAGS)):
        element.set(BLOCK_KEY, str(index))


def flow_lines(document) -> list[Line]:
    """Every line of the text flow of a laid-out WeasyPrint document, notes, floats and margins left out."""
    lines = []
    for number, page in enumerate(document.pages):
        for element, box in _flow_lines(page._page_box):
            key = element.get(BLOCK_KEY) if element is not None else None
            lines.append(Line(number, key, box, "".join(_texts(box))))
    return lines


def _flow_lines(box, element=None):
    name = type(box).__name__
    if name in ("FootnoteAreaBox", "MarginBox") or (getattr(box, "style", None) is not None
                                                     and box.style["float"] != "none"):
        return
    if name == "LineBox":
        yield element, box
        return
    if name.endswith("BlockBox") and getattr(box, "element", None) is not None \
            and box.element.get(BLOCK_KEY) is not None:
        element = box.element
    for child in getattr(box, "children", None) or ():
        yield from _flow_lines(child, element)


def _texts(box):
    """The texts of a line's text boxes, in order; floats and pseudo-elements (note calls) left out."""
    return (text_box.text for text_box in _text_boxes(box))


def hyphen_faults(document, *, split_loose: bool = True) -> tuple[set[Fault], set[Fault]]:
    """The words to keep whole, and the words to let split, in the next layout (see the module).

    Returns ``(keep, split)``: ``keep`` the hyphenated words that break the
    limits; ``split`` the first word of the line after a loose line, when it
    could be hyphenated (lower case, six letters or more, in running text):
    ``hyphenate-limit-zone`` declined to split it, but the line it left is loose.
    ``split_loose=False`` (the last correction round) asks only for ``keep``:
    a new hyphen could make a fault no later round would see.
    """
    lines = flow_lines(document)
    justified = [stretch(line) for line, following in zip(lines, lines[1:])
                 if following.block == line.block and line.block is not None]
    # Loose: spaces over twice the document's usual (median) justified space, as benchmarks/layout.py counts.
    loose = LOOSE * (statistics.median(justified) if justified else 1.0)
    keep: set[Fault] = set()
    split: set[Fault] = set()
    run = 0
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        if not line.text.rstrip().endswith(HYPHEN):
            run = 0
            ends = [lines[i].text.rstrip().endswith(HYPHEN) for i in (index - 2, index - 1, index + 1)
                    if 0 <= i < len(lines)]
            third = len(ends) == 3 and (ends[0] and ends[1] or ends[1] and ends[2])
            if split_loose and following is not None and following.page == line.page \
                    and following.block == line.block and line.block is not None and not third \
                    and stretch(line) > loose:
                fault = _first_word(lines, index + 1)
                if fault is not None:
                    split.add(fault)
            continue
        previous = lines[index - 1] if index else None
        run = run + 1 if previous is not None and previous.page == line.page else 1
        last_on_page = following is None or following.page != line.page
        before_last = following is not None and following.block == line.block and line.block is not None and (
            index + 2 >= len(lines) or lines[index + 2].block != line.block)
        if run > MAX_HYPHEN_RUN:
            # Any line of the run may give up its hyphen: the one left least loose.
            chosen = min(range(index - run + 1, index + 1), key=lambda i: stretch(lines[i], moved=True))
            fault = _split_word(lines, chosen)
            if fault is not None:
                keep.add(fault)
                run = index - chosen
        elif (last_on_page or before_last) and stretch(line, moved=True) <= loose:
            fault = _split_word(lines, index)
            if fault is not None:
                keep.add(fault)
                run = 0
    if len(split) < LOOSE_SHARE * len(justified):
        split = set()  # a few slightly loose lines are not worth a whole new layout
    return keep, split


def _split_word(lines: list[Line], index: int) -> Fault | None:
    """The word hyphenated at the end of ``lines[index]``, as an occurrence in its block."""
    line = lines[index]
    following = lines[index + 1] if index + 1 < len(lines) else None
    text = line.text.rstrip()[:-1]
    head = WORD_END.findall(text)
    tail = WORD_START.findall(following.text.lstrip()) if following is not None else []
    if not head or not tail or line.block is None:
        return None
    word = head[0] + tail[0]
    return Fault(line.block, word, _count_before(lines, index, text[:len(text) - len(head[0])], word))


# The first word of a line that hyphenation could split: 6 letters or more (hyphenate-limit-chars); names are
# told apart by their span (lines.keep_names_whole).
SPLITTABLE = re.compile(r"^[^\W\d_]\w{5,}(?!\w)")


def _first_word(lines: list[Line], index: int) -> Fault | None:
    """The first word of ``lines[index]``, when hyphenation could split it and it is in running text."""
    line = lines[index]
    path = _path_to_first_text(line.box)
    if not path or line.block is None or path[-1].style["hyphens"] != "auto":
        return None
    classes = set()
    for box in path:
        element = getattr(box, "element", None)
        if element is not None:
            classes |= set((element.get("class") or "").split())
    if classes & {"name", KEEP_CLASS, "address", "url", "url-after"}:
        return None
    found = SPLITTABLE.findall(line.text.lstrip())
    if not found:
        return None
    return Fault(line.block, found[0], _count_before(lines, index, "", found[0]))


def _path_to_first_text(box) -> list:
    """The boxes from ``box`` down to its first text box with text, notes and floats left out."""
    if "::" in (getattr(box, "element_tag", None) or "") or (
            getattr(box, "style", None) is not None and box.style["float"] != "none"):
        return []
    if type(box).__name__ == "TextBox":
        return [box] if box.text.strip() else []
    for child in getattr(box, "children", None) or ():
        found = _path_to_first_text(child)
        if found:
            return [box, *found]
    return []


def _count_before(lines: list[Line], index: int, prefix: str, word: str) -> int:
    """How often ``word`` occurs in its block before ``prefix`` ends on ``lines[index]``."""
    key = lines[index].block
    before = _joined([line.text for line in lines[:index] if line.block == key] + [prefix.strip()])
    return len(_word_pattern(word).findall(before))


def _joined(texts: list[str]) -> str:
    """Lines of one block as running text: a hyphenated end joined to the next line, other ends by a space."""
    out = ""
    for text in texts:
        text = text.strip()
        if out.endswith(HYPHEN):
            out = out[:-1] + text
        elif out and text:
            out += " " + text
        else:
            out = out or text
    return out


def _word_pattern(word: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)")


def stretch(line: Line, *, moved: bool = False) -> float:
    """How many times its natural width a word space of ``line`` is (``moved``: would be, if its last word,
    hyphenated, moved down whole).

    From the line's text boxes: each box's width, its justification spacing
    (the room WeasyPrint spread over its spaces) and an estimate of the word
    space (``SPACE_EM`` of the font size); the part of the word that would move
    is taken as wide as its share of its box's characters.
    """
    boxes = list(_text_boxes(line.box))
    if not boxes:
        return 0.0
    counts = [box.text.strip().count(" ") + box.text.count("\u00a0") for box in boxes]
    spaces = sum(counts)
    last = boxes[-1]
    space = SPACE_EM * last.style["font_size"]
    extra = sum((getattr(box, "justification_spacing", 0) or 0) * count for box, count in zip(boxes, counts))
    part = 0.0
    if moved:
        natural = last.width - (getattr(last, "justification_spacing", 0) or 0) * counts[-1]
        head = WORD_END.findall(last.text.rstrip()[:-1])
        part = natural * (len(head[0]) + 1) / max(1, len(last.text)) + space if head else 0.0
        spaces -= 1  # the space before the moved part goes with it
    if spaces <= 0:
        return float("inf") if moved else 1.0
    return (spaces * space + extra + part) / (spaces * space)


def _text_boxes(box):
    if "::" in (getattr(box, "element_tag", None) or ""):
        return
    if getattr(box, "style", None) is not None and box.style["float"] != "none":
        return
    if type(box).__name__ == "TextBox":
        yield box
        return
    for child in getattr(box, "children", None) or ():
        yield from _text_boxes(child)


def mark_words(body: HtmlElement, faults: set[Fault], name: str) -> int:
    """Wrap each occurrence in ``<span class="NAME">`` (``nohyphen``, ``hyphenate``); return how many were found.

    The occurrence is counted in the block's own text, its floated notes left
    out, as it was on the page.
    """
    found = 0
    for fault in faults:
        blocks = body.xpath(f".//*[@{BLOCK_KEY}=$key]", key=fault.block)
        if blocks and _wrap_occurrence(blocks[0], fault.word, fault.occurrence, name):
            found += 1
    return found


def _wrap_occurrence(block: HtmlElement, word: str, occurrence: int, name: str) -> bool:
    pattern = _word_pattern(word)
    seen = 0
    for holder, attribute in _flow_text(block):
        text = getattr(holder, attribute) or ""
        for match in pattern.finditer(text):
            if seen == occurrence:
                span = E.SPAN(match.group(), **{"class": name})
                span.tail = text[match.end():]
                setattr(holder, attribute, text[:match.start()])
                if attribute == "text":
                    holder.insert(0, span)
                else:
                    holder.addnext(span)
                return True
            seen += 1
    return False


def _flow_text(element: HtmlElement, top: bool = True):
    """(element, "text" | "tail") for each piece of text of ``element`` that is on its lines, in order."""
    if not top and (set((element.get("class") or "").split()) & FLOATED or element.get(BLOCK_KEY) is not None):
        yield element, "tail"  # a floated note, or a block of its own (its lines are its own)
        return
    yield element, "text"
    for child in list(element):
        if isinstance(child.tag, str):
            yield from _flow_text(child, top=False)
        elif child.tail:
            yield child, "tail"
    if not top:
        yield element, "tail"
