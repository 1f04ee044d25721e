"""Paragraph-wide line breaking (Knuth and Plass), imposed on WeasyPrint's greedy line breaker.

WeasyPrint 70 breaks each line as soon as it is full and never shrinks a word
space. On text with many long words and few words a line, each line then
either ends with a hyphen or is loose, whatever is done line by line. TeX
chooses the breaks of a whole paragraph at once, among all the ways to break
it, minimising *demerits* (Knuth and Plass, "Breaking paragraphs into lines",
Software: Practice and Experience 11, 1981; The TeXbook, ch. 14): a line whose
spaces are stretched or shrunk costs its *badness*, a hyphen costs a penalty,
two hyphenated lines in a row cost more.

This module does the same after a first layout. From the lines WeasyPrint laid
out it reads each justified paragraph's words, their widths in their own font
(Pango, the measure WeasyPrint uses) and the room of its lines; it chooses
the breaks with the least demerits, never letting a word space shrink by more
than a third (TeX's interword glue: 1/3 em, shrink 1/9 em) and stretching one
beyond twice its width (a loose line) only when nothing else fits; and it keeps
the new breaks only for paragraphs where they give fewer loose lines than
WeasyPrint's, or as many and fewer hyphens. It runs when the first layout has
more than 5% hyphenated or 2% loose lines: it costs one more layout.

The breaks are then imposed on the next layout without changing WeasyPrint:
the words of each line but the last are wrapped in ``<span class="line">`` with
the ``word-spacing`` that makes them fill the line but for a sliver
(``SLACK``), so the greedy breaker, which fits as much as it can, ends the line
exactly there (no word nor three-letter piece fits in the sliver), and
justification stretches the spaces by that sliver. A hyphen chosen inside a
word is a soft hyphen (U+00AD) in that word. The last line of a paragraph keeps
natural spaces. A paragraph that does not take its breaks (a width measured
wrong) gets its text back; one whose plan puts a hyphen at the foot of a page
is broken again with that line ending a word (``settle_breaks``).

Paragraphs holding what this model does not measure (images or formulas in
the line, addresses with their break points, forced line breaks, floats that
narrow lines) keep WeasyPrint's breaks.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement
from lxml.html import builder as E

from .hyphens import BLOCK_KEY, HYPHEN, _flow_text, _text_boxes

SOFT_HYPHEN = "\u00ad"
WORD_JOINER = "\u2060"
LINE_CLASS = "line"
# A word space may shrink to 2/3 of its width (TeX: 1/3 em shrinks by 1/9 em) and stretch to twice its
# width at most (beyond that the line is loose, as benchmarks/layout.py counts).
SHRINK = 0.3  # a third, less a margin for the measures' rounding
STRETCH = 1.0
# Badness 100 at these ratios of the space (TeX's shrink and stretch of a 1/3 em space: 1/9 em and 1/6 em).
SHRINK_UNIT = 1 / 3
STRETCH_UNIT = 1 / 2
MAX_RATIO = 10.0  # a line of one word, which cannot be justified, counts as this loose
LOOSE_FACTOR = 1  # a loose line costs its badness, as any other
LINE_PENALTY = 10  # TeX's \linepenalty
# TeX's \hyphenpenalty is 50. Ours costs as much as a line whose spaces are 2.7 times their width: issue #15
# asks for at most 5% hyphenated lines and no more loose ones (spaces over twice their width) than
# WeasyPrint's greedy breaks gave; on text of long words (the stress essays) that is only met by taking a
# few loose lines rather than hyphens. On ordinary text neither is needed (French sample: 1 hyphen).
HYPHEN_PENALTY = 4000
DOUBLE_HYPHEN_DEMERITS = 10000  # TeX's \doublehyphendemerits
MAX_RUN = 2  # never more than two hyphenated lines in a row
# How much each character of a line may be tracked wider or narrower (em) before its spaces stretch or shrink:
# LuaLaTeX's microtype widens or narrows the glyphs themselves by up to 2% (font expansion); 0.01 em of
# letter spacing is 2% of an average glyph of this face (about 0.5 em). 0 turns it off.
EXPAND = 0.01
# Shares of a document's justified lines, hyphenated or loose, past which the pass is worth a new layout.
HYPHEN_SHARE = 0.05
LOOSE_SHARE = 0.02
# Room left at the end of each imposed line (px, 1/96 in): greedy breaking stops there, justification fills it.
SLACK = 1.5
# Characters that make a paragraph's breaks beyond this model: zero-width spaces (addresses' break points),
# soft hyphens already there, preserved line breaks and tabs. (A break after a hyphen or a dash inside a
# word is never taken: the sliver left at a line's end cannot hold a piece of word.)
UNMODELLED = re.compile("[\u200b\u00ad\n\t]")
WORD = re.compile(r"^(\W*)(\w+)(\W*)$")


@dataclass
class Token:
    """A word with what sticks to it (punctuation, no-break spaces, note calls), as printed on a line."""

    text: str
    width: float  # px, natural
    stretch: int  # no-break spaces inside, which justification and word-spacing widen as spaces
    space: float  # px, the natural width of the space after it
    # (characters of the word before the hyphen, width of the head with its hyphen, width of the tail)
    splits: list[tuple[int, float, float]] = field(default_factory=list)
    call: bool = False  # a note call is glued to it


@dataclass
class Plan:
    """The chosen breaks of one paragraph: per line, where it starts and the word spacing it is given."""

    block: str
    # per line: (first token, char offset in it: 0 or the tail of a hyphenated word); the end of the paragraph
    starts: list[tuple[int, int]]
    spacing: list[float]  # px added to each space of each line but the last
    hyphens: int
    loose: int
    greedy_hyphens: int
    greedy_loose: int
    words: list[str] = field(default_factory=list)  # the tokens' texts, to find them in the HTML tree
    tokens: list[Token] = field(default_factory=list, repr=False)
    rooms: tuple[float, float] = (0.0, 0.0)
    tracking: list[float] = field(default_factory=list)  # px of letter spacing of each line but the last
    expand: float = 0.0  # the most letter spacing a line could take, px
    demerits: float = 0.0
    ratios: list[float] = field(default_factory=list)  # per line but the last: how much its spaces change


class _Measure:
    """Pango widths of text in a WeasyPrint style, cached."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, int], float] = {}

    def __call__(self, text: str, style) -> float:
        key = (text, id(style))
        if key not in self.cache:
            from weasyprint.text.line_break import create_layout, line_size

            layout = create_layout(text, style, None, None, 0)
            line, _ = layout.get_first_line()
            self.cache[key] = line_size(line, style)[0] if line is not None else 0.0
            layout.deactivate()
        return self.cache[key]


def paragraph_lines(document) -> dict[str, tuple[object, list, list[int]]]:
    """{block key: (first block box, [line boxes in order], [page of each line])} for the text flow's blocks."""
    found: dict[str, tuple[object, list, list[int]]] = {}
    page_number = 0

    def walk(box, block=None):
        name = type(box).__name__
        if name in ("FootnoteAreaBox", "MarginBox") or (getattr(box, "style", None) is not None
                                                         and box.style["float"] != "none"):
            return
        if name == "LineBox":
            if block is not None:
                key = block.element.get(BLOCK_KEY)
                entry = found.setdefault(key, (block, [], []))
                entry[1].append(box)
                entry[2].append(page_number)
            return
        if name.endswith("BlockBox") and getattr(box, "element", None) is not None \
                and box.element.get(BLOCK_KEY) is not None:
            block = box
        for child in getattr(box, "children", None) or ():
            walk(child, block)

    for page_number, page in enumerate(document.pages):
        walk(page._page_box)
    return found


def _leaves(box):
    """A line's content in order: ("text", text, style) and ("atom", width) for note calls; floats left out."""
    if getattr(box, "style", None) is not None and box.style["float"] != "none":
        return
    tag = getattr(box, "element_tag", None) or ""
    if tag.endswith("::footnote-call"):
        yield ("atom", box.margin_width())
        return
    name = type(box).__name__
    if name == "TextBox":
        yield ("text", box.text, box.style)
        return
    if name not in ("LineBox", "InlineBox"):
        yield ("other", None)
        return
    for child in box.children:
        yield from _leaves(child)


def tokens_of(lines: list, measure: _Measure) -> tuple[list[Token], list[int], list[bool]] | None:
    """The paragraph's tokens, the index of each line's first token, whether each line ends hyphenated.

    None when the paragraph holds what this model does not cover (images, inline blocks, addresses).
    """
    runs: list[list] = []  # per token: [(text, style) | width]
    spaces: list = []  # style of the space after each token
    line_starts, hyphenated = [], []
    current: list = []

    def close(style) -> None:
        nonlocal current
        if current:
            runs.append(current)
            spaces.append(style)
            current = []

    for line in lines:
        leaves = list(_leaves(line))
        if any(kind == "other" for kind, *_ in leaves):
            return None
        close_style = None
        line_starts.append(len(runs))  # after a hyphen: the token whose tail opens the line
        ends_hyphen = False
        for index, (kind, *rest) in enumerate(leaves):
            if kind == "atom":
                current.append(rest[0])
                continue
            text, style = rest
            if UNMODELLED.search(text):
                return None
            if index == len(leaves) - 1 and text.endswith(HYPHEN) and style["hyphens"] == "auto":
                text, ends_hyphen = text[:-1], True
            for part_index, part in enumerate(text.split(" ")):
                if part_index:
                    close(style)
                if part:
                    current.append((part, style))
            close_style = style
        if line is lines[-1]:
            close(close_style)
        elif not ends_hyphen:
            close(close_style)
        hyphenated.append(ends_hyphen)
        if ends_hyphen and not current:
            return None
    tokens = []
    for parts, space_style in zip(runs, spaces):
        texts = [p for p in parts if isinstance(p, tuple)]
        if not texts:
            return None
        # Pango widths include the style's word-spacing on each space: natural widths leave it out.
        width = sum(p if not isinstance(p, tuple) else measure(p[0], p[1]) - p[0].count("\u00a0")
                    * p[1]["word_spacing"] for p in parts)
        text = "".join(t for t, _ in texts)
        stretch = text.count("\u00a0")
        space = natural_space(space_style, measure)
        token = Token(text, width, stretch, space, call=len(texts) < len(parts))
        if len(texts) == 1 and len(parts) == 1:
            token.splits = _splits(texts[0][0], texts[0][1], measure)
        tokens.append(token)
    return tokens, line_starts, hyphenated


def _splits(text: str, style, measure: _Measure) -> list[tuple[int, float, float]]:
    """Where the word may be hyphenated, as WeasyPrint would (Pyphen, hyphenate-limit-chars)."""
    if style["hyphens"] != "auto" or not style["lang"]:
        return []
    match = WORD.match(text)
    if not match:
        return []
    import pyphen

    total, left, right = style["hyphenate_limit_chars"]
    lead, word, trail = match.groups()
    if len(word) < total or "_" in word or any(c.isdigit() for c in word):
        return []
    lang = pyphen.language_fallback(style["lang"])
    if not lang:
        return []
    dictionary = _dictionary(lang, left, right)
    hyphen = style["hyphenate_character"]
    found = []
    for position in dictionary.positions(word):
        head = lead + word[:position]
        found.append((len(head), measure(head + hyphen, style), measure(word[position:] + trail, style)))
    return found


_DICTIONARIES: dict = {}


def _dictionary(lang: str, left: int, right: int):
    import pyphen

    key = (lang, left, right)
    if key not in _DICTIONARIES:
        _DICTIONARIES[key] = pyphen.Pyphen(lang=lang, left=left, right=right)
    return _DICTIONARIES[key]


def choose_breaks(tokens: list[Token], rooms: tuple[float, float], whole: frozenset[int] = frozenset(),
                  expand: float = 0.0) -> list[tuple[int, int]] | None:
    """The breaks with the least demerits: per line, (first token, char offset of its tail or 0).

    ``rooms``: the width of the first line (after the indent) and of the others, px. ``whole``: the lines
    (from 0) that must not end with a hyphen (the last line of a page). Lines end after a token, or inside
    it at one of its ``splits``; no space shrinks by more than ``SHRINK``; a line stretched beyond
    ``STRETCH`` is taken only when nothing else fits. ``expand``: how much each character may widen or
    narrow, px (``EXPAND``), before the spaces do. None when the words cannot be set at all.
    """
    count = len(tokens)
    counted = max(whole) + 2 if whole else 1  # lines are told apart only as far as ``whole`` needs
    # A state: (token, split, run, line): the break after ``token`` (split -1) or inside it at splits[split],
    # with ``run`` hyphenated lines in a row ending there, and ``line`` lines before it (capped).
    start = (-1, -1, 0, 0)
    best: dict = {start: (0.0, None)}
    pending: dict[int, list] = {-1: [start]}
    finals = []
    for position in range(-1, count):
        for state in pending.pop(position, []):
            token, split, run, line = state
            demerits = best[state][0]
            room = rooms[0] if token == -1 else rooms[1]
            following = min(line + 1, counted - 1) if whole else 0
            if split >= 0:  # the line starts with the tail of a hyphenated word
                first = tokens[token]
                natural, spaces, gap = first.splits[split][2], 0.0, first.space
                letters, gaps, call = len(first.text) - first.splits[split][0], 0, first.call
            else:
                natural, spaces, gap, letters, gaps, call = 0.0, 0.0, 0.0, 0, 0, False
            for end in range(token + 1, count):
                current = tokens[end]
                natural += gap
                spaces += gap
                gaps += 1 if gap else 0
                head_natural, head_spaces, head_letters, head_gaps, head_call = natural, spaces, letters, gaps, call
                call = call or current.call
                natural += current.width
                spaces += current.space * current.stretch
                letters += len(current.text) - current.stretch
                gaps += current.stretch
                if end == count - 1:
                    # The last line keeps natural spaces; the line before it never ends with a hyphen.
                    if natural <= room + 0.01:
                        finals.append((demerits + (10 * DOUBLE_HYPHEN_DEMERITS if split >= 0 else 0), state))
                    break
                # No tracking on a line with a note call: WeasyPrint then sets the call apart from its word.
                ratio = _ratio(natural, spaces, room, 0.0 if call else expand, letters, gaps)
                if -SHRINK <= ratio:
                    target = (end, -1, 0, following)
                    _relax(best, pending, state, target, demerits + (LINE_PENALTY + _badness(ratio)) ** 2)
                if run < MAX_RUN and not (whole and line in whole):
                    for index, (offset, head, _) in enumerate(current.splits):
                        ratio = _ratio(head_natural + head, head_spaces, room, 0.0 if head_call else expand,
                                       head_letters + offset + 1, head_gaps)
                        if -SHRINK <= ratio:
                            cost = (LINE_PENALTY + _badness(ratio)) ** 2 + HYPHEN_PENALTY ** 2
                            if run:
                                cost += DOUBLE_HYPHEN_DEMERITS
                            _relax(best, pending, state, (end, index, run + 1, following), demerits + cost)
                gap = current.space
                if natural - SHRINK * spaces - expand * letters > room:  # nothing more can fit
                    break
    if not finals:
        return None
    _, state = min(finals, key=lambda item: item[0])
    chain = []
    while state is not None:
        chain.append(state)
        state = best[state][1]
    chain.reverse()
    return [(token, tokens[token].splits[split][0]) if split >= 0 else (token + 1, 0)
            for token, split, _, _ in chain]


def _ratio(natural: float, spaces: float, room: float, expand: float = 0.0, letters: int = 0,
           gaps: int = 0) -> float:
    """How much each space grows (> 0) or shrinks (< 0), as a share of its width; -inf when the line cannot fit.

    With ``expand``, every character of the line (``letters``, and the ``gaps`` between words, which take
    letter spacing too) is first tracked by the same amount, at most ``expand`` px: the spaces' change
    counts that tracking, so no space is ever narrower than ``SHRINK`` allows.
    """
    delta = room - natural
    if expand and letters + gaps:
        delta -= letters * _tracking(delta, letters + gaps, expand)
    if spaces <= 0:  # a line of one word cannot be justified
        return (MAX_RATIO if delta > 0.5 else 0.0) if delta >= 0 else float("-inf")
    return delta / spaces


def _tracking(delta: float, characters: int, expand: float) -> float:
    """The letter spacing (px) that spreads ``delta`` over ``characters``, within ``expand``."""
    return max(-expand, min(expand, delta / characters))


def _badness(ratio: float) -> float:
    """TeX's badness: 100 when spaces stretch or shrink by their unit, growing as the cube (a loose line,
    beyond ``STRETCH``, times ``LOOSE_FACTOR``)."""
    unit = STRETCH_UNIT if ratio > 0 else SHRINK_UNIT
    badness = 100 * (min(abs(ratio), MAX_RATIO) / unit) ** 3
    return badness * LOOSE_FACTOR if ratio > STRETCH else badness


def _relax(best: dict, pending: dict, state, target, demerits: float) -> None:
    if target not in best:
        pending.setdefault(target[0], []).append(target)
        best[target] = (demerits, state)
    elif demerits < best[target][0]:
        best[target] = (demerits, state)


def plan_breaks(document, blocks: set[str] | None = None) -> list[Plan]:
    """Better breaks for the justified paragraphs of a laid-out document (only those improved).

    A plan is kept when it has fewer loose lines than WeasyPrint's breaks, or
    as many and fewer hyphens: never more loose lines in a paragraph.
    ``blocks`` limits the work to those block keys.
    """
    measure = _Measure()
    plans = []
    for key, (block, lines, _) in paragraph_lines(document).items():
        if (blocks is not None and key not in blocks) or len(lines) < 2:
            continue
        style = block.style
        if style["text_align_all"] != "justify" or style["hyphens"] != "auto":
            continue
        if any(abs(line.width - block.width) > 0.5 for line in lines[:-1]):
            continue  # a float or an inline block narrows some line: not this model
        found = tokens_of(lines, measure)
        if found is None:
            continue
        tokens, starts, hyphenated = found
        indent = style["text_indent"]
        indent = indent.value if indent.unit == "px" else indent.value * block.width / 100 \
            if indent.unit == "%" else 0.0
        rooms = (block.width - indent, block.width)
        expand = EXPAND * style["font_size"]
        chosen = choose_breaks(tokens, rooms, expand=expand)
        if chosen is None:
            continue
        greedy = [_greedy_ratio(line, measure) for line in lines[:-1]]
        greedy_loose = sum(1 for ratio in greedy if ratio > STRETCH)
        greedy_hyphens = sum(hyphenated)
        plan = _plan(key, tokens, chosen, rooms, greedy_hyphens, greedy_loose, expand)
        if (plan.loose, plan.hyphens) >= (greedy_loose, greedy_hyphens):
            continue
        plans.append(plan)
    return plans


def _demerits(ratios: list[float], hyphenated: list[bool]) -> float:
    """The demerits of lines (all but a paragraph's last) with these space ratios and hyphenated ends."""
    total = 0.0
    run = 0
    for ratio, hyphen in zip(ratios, hyphenated):
        total += (LINE_PENALTY + _badness(ratio)) ** 2
        if hyphen:
            total += HYPHEN_PENALTY ** 2 + (DOUBLE_HYPHEN_DEMERITS if run else 0)
        run = run + 1 if hyphen else 0
    return total


def _greedy_ratio(line, measure: _Measure) -> float:
    """How much WeasyPrint stretched the spaces of a justified line, as a share of their width."""
    for kind, *rest in _leaves(line):
        if kind == "text" and " " in rest[0].strip():
            break
    else:
        return 0.0
    boxes = list(_text_boxes(line))
    extra = max((getattr(box, "justification_spacing", 0) or 0) for box in boxes) if boxes else 0.0
    style = boxes[-1].style
    return (extra + style["word_spacing"]) / natural_space(style, measure)


def natural_space(style, measure: _Measure) -> float:
    """The width of a word space in ``style``'s font, px, its ``word-spacing`` left out."""
    return max(0.1, measure("a a", style) - measure("aa", style) - style["word_spacing"])


def _plan(key: str, tokens: list[Token], chosen: list[tuple[int, int]], rooms: tuple[float, float],
          greedy_hyphens: int, greedy_loose: int, expand: float = 0.0) -> Plan:
    """The plan of the breaks ``chosen``: each line's word spacing (and letter spacing), its counts."""
    spacing: list[float] = []
    tracking: list[float] = []
    ratios: list[float] = []
    hyphens = loose = 0
    bounds = [*chosen, (len(tokens), 0)]
    ends: list[bool] = []  # whether each line but the last ends with a hyphen
    carried = 0.0  # the letter spacing the tail of a hyphenated word keeps from the line before (its span's)
    for index, ((first, tail), (end, head)) in enumerate(zip(bounds, bounds[1:])):
        if index == len(chosen) - 1:
            break
        natural = spaces = 0.0
        count = letters = tail_letters = 0  # spaces (word and no-break), characters
        called = False  # a note call on the line
        if tail:
            token = tokens[first]
            split = next(s for s in token.splits if s[0] == tail)
            natural += split[2]
            tail_letters = len(token.text) - tail
            called = token.call
            first += 1
        last = end if head else end - 1
        for position in range(first, last + 1):
            token = tokens[position]
            if position > first or tail:  # the space before it
                natural += tokens[position - 1].space
                spaces += tokens[position - 1].space
                count += 1
                letters += 1
            if position == last and head:
                split = next(s for s in token.splits if s[0] == head)
                natural += split[1]
                letters += head + 1
                hyphens += 1
            else:
                called = called or token.call
                natural += token.width
                spaces += token.space * token.stretch
                count += token.stretch
                letters += len(token.text)
        room = rooms[0] if index == 0 else rooms[1]
        characters = letters + tail_letters
        flex = 0.0 if called else expand
        ratio = _ratio(natural, spaces, room, flex, characters - count, count)
        loose += ratio > STRETCH
        ratios.append(ratio)
        track = _tracking(room - natural, characters, flex) if flex and characters else 0.0
        # Width on the page: natural + the letter spacing of each character (the tail's from its own span)
        # + the word spacing of each space, which takes the letter spacing too (Pango).
        taken = track * letters + carried * tail_letters
        spacing.append((room - SLACK - natural - taken) / max(1, count))
        tracking.append(track)
        carried = track if head else 0.0
        ends.append(bool(head))
    return Plan(key, list(chosen), spacing, hyphens, loose, greedy_hyphens, greedy_loose,
                words=[token.text for token in tokens], ratios=ratios, tokens=tokens, rooms=rooms,
                tracking=tracking, expand=expand, demerits=_demerits(ratios, ends))


WHITESPACE = re.compile(r"[ \t\n\r\f]+")


def impose_breaks(body: HtmlElement, plans: list[Plan]) -> list[tuple[Plan, HtmlElement]]:
    """Write each plan into its block (see the module); return the plans imposed, each with a copy of its
    block as it was (``restore_blocks`` puts it back).

    A plan whose words cannot be found in its block as they were on the page
    (the tree changed since), or whose block holds a forced line break or
    other blocks, is left out.
    """
    imposed = []
    for plan in plans:
        found = body.xpath(f".//*[@{BLOCK_KEY}=$key]", key=plan.block)
        if not found or found[0].xpath(f".//br | .//*[@{BLOCK_KEY}]"):
            continue
        saved = copy.deepcopy(found[0])
        if _impose(found[0], plan) is None:
            imposed.append((plan, saved))
        else:
            found[0].getparent().replace(found[0], saved)
            saved = None
    return imposed


def restore_blocks(body: HtmlElement, saved: dict[str, HtmlElement]) -> None:
    """Put back the blocks ``impose_breaks`` changed: {block key: the block as it was}."""
    for key, block in saved.items():
        found = body.xpath(f".//*[@{BLOCK_KEY}=$key]", key=key)
        if found:
            found[0].getparent().replace(found[0], block)


def needs_breaks(document) -> bool:
    """Whether WeasyPrint's breaks are worth a paragraph-wide pass (and a new layout): more than
    ``HYPHEN_SHARE`` of the justified lines end with a hyphen, or more than ``LOOSE_SHARE`` are loose."""
    measure = _Measure()
    count = hyphenated = loose = 0
    for block, lines, _ in paragraph_lines(document).values():
        if block.style["text_align_all"] != "justify":
            continue
        count += len(lines)
        for line in lines[:-1]:
            hyphenated += "".join(rest[0] for kind, *rest in _leaves(line) if kind == "text").endswith(HYPHEN)
            loose += _greedy_ratio(line, measure) > STRETCH
    return hyphenated > HYPHEN_SHARE * count or loose > LOOSE_SHARE * count


def _impose(block: HtmlElement, plan: Plan) -> str | None:
    """Wrap the lines of ``plan`` in ``block``; the reason it cannot, or None once done."""
    pieces = [(holder, attribute, getattr(holder, attribute) or "") for holder, attribute in _flow_text(block)]
    flow = "".join(text for _, _, text in pieces)
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^ \t\n\r\f]+", flow)]
    if [flow[a:b] for a, b in spans] != plan.words:
        return "words differ"
    # Per line but the last: its range in ``flow``, from its first word to the end of its last (a hyphenated
    # word whole, with a soft hyphen where it breaks); the spaces between lines stay outside, as a space that
    # ends a text box would count in its width.
    ranges: list[tuple[int, int, str]] = []
    hyphen_at: set[int] = set()
    bounds = [*plan.starts, (len(spans), 0)]
    for index, ((token, offset), (next_token, next_offset)) in enumerate(zip(bounds, bounds[1:-1])):
        start = spans[token + 1][0] if offset else spans[token][0]
        if next_offset:
            hyphen_at.add(spans[next_token][0] + next_offset)
            stop = spans[next_token][1]
        else:
            stop = spans[next_token - 1][1]
        style = f"word-spacing: {plan.spacing[index]:.3f}px"
        if plan.tracking and plan.tracking[index]:
            style += f"; letter-spacing: {plan.tracking[index]:.3f}px"
        ranges.append((start, stop, style))
    position = 0
    for holder, attribute, text in pieces:
        end = position + len(text)
        items: list[tuple[str, str | None]] = []
        cursor = position
        for start, stop, spacing in ranges:
            a, b = max(start, position), min(stop, end)
            # A word joiner gluing a note call stays out of the span: letter spacing on it (Pango) sets
            # the call apart from its word.
            while b > a and text[b - 1 - position] == WORD_JOINER:
                b -= 1
            if a >= b:
                continue
            if a > cursor:
                items.append((_soft(text, position, cursor, a, hyphen_at), None))
            items.append((_soft(text, position, a, b, hyphen_at), spacing))
            cursor = b
        if cursor < end:
            items.append((_soft(text, position, cursor, end, hyphen_at), None))
        _write(holder, attribute, items)
        position = end
    # The spaces between lines and the last line's take natural spacing: WeasyPrint turns a lone space with a
    # word-spacing into a space and a zero-width space, which moves the break.
    style = block.get("style")
    block.set("style", f"{style.rstrip().rstrip(';')}; word-spacing: 0" if style else "word-spacing: 0")
    return None


def _soft(text: str, offset: int, start: int, stop: int, hyphen_at: set[int]) -> str:
    """``text[start - offset:stop - offset]`` with a soft hyphen before each position of ``hyphen_at``."""
    return "".join(SOFT_HYPHEN + text[i - offset] if i in hyphen_at else text[i - offset] for i in range(start, stop))


def _write(holder: HtmlElement, attribute: str, items: list[tuple[str, str | None]]) -> None:
    """Put ``items`` (text, the style of its line's span or None for plain text) where ``holder.<attribute>``
    was."""
    head = ""
    spans = []
    for text, spacing in items:
        if spacing is None:
            if spans:
                spans[-1].tail = (spans[-1].tail or "") + text
            else:
                head += text
        else:
            span = E.SPAN(text, **{"class": LINE_CLASS, "style": spacing})
            spans.append(span)
    setattr(holder, attribute, head or None)
    if attribute == "text":
        for offset, span in enumerate(spans):
            holder.insert(offset, span)
    else:
        for span in reversed(spans):
            holder.addnext(span)


def settle_breaks(document, body: HtmlElement, planned: dict[str, tuple[Plan, HtmlElement]]) -> list[str]:
    """After the layout of imposed breaks: the blocks changed for the next layout (updating ``planned``).

    A paragraph whose lines did not follow its plan gets its own text back
    (WeasyPrint's breaks). A paragraph with a hyphen at the foot of a page is
    broken again with that line kept whole (LaTeX's ``\\brokenpenalty``): the
    page's last line ends a word.
    """
    lines = paragraph_lines(document)
    kept, broken = held(document, [plan for plan, _ in planned.values()], lines)
    changed = []
    for plan in broken:
        restore_blocks(body, {plan.block: planned.pop(plan.block)[1]})
        changed.append(plan.block)
    for plan in kept:
        _, boxes, pages = lines[plan.block]
        feet = frozenset(index for index in range(len(boxes) - 1) if pages[index + 1] != pages[index]
                         and "".join(rest[0] for kind, *rest in _leaves(boxes[index]) if kind == "text")
                         .rstrip().endswith(HYPHEN))
        if not feet:
            continue
        chosen = choose_breaks(plan.tokens, plan.rooms, feet, plan.expand)
        if chosen is None:
            continue
        saved = planned[plan.block][1]
        again = _plan(plan.block, plan.tokens, chosen, plan.rooms, plan.greedy_hyphens, plan.greedy_loose,
                      plan.expand)
        restore_blocks(body, {plan.block: copy.deepcopy(saved)})
        found = body.xpath(f".//*[@{BLOCK_KEY}=$key]", key=plan.block)
        if found and _impose(found[0], again) is None:
            planned[plan.block] = (again, saved)
        else:
            planned.pop(plan.block)
        changed.append(plan.block)
    return changed


def held(document, plans: list[Plan], lines: dict | None = None) -> tuple[list[Plan], list[Plan]]:
    """(plans the layout followed, plans it did not): each line starting at the planned word."""
    lines = paragraph_lines(document) if lines is None else lines
    kept, broken = [], []
    for plan in plans:
        found = lines.get(plan.block)
        starts = _line_starts(found[1]) if found else None
        (kept if starts == [token for token, _ in plan.starts] else broken).append(plan)
    return kept, broken


def _line_starts(lines: list) -> list[int] | None:
    """The index of the first token of each line, counting tokens as ``tokens_of`` does."""
    count = 0
    starts = []
    joined = False
    for line in lines:
        text = "".join(rest[0] for kind, *rest in _leaves(line) if kind == "text").replace(SOFT_HYPHEN, "")
        starts.append(count - 1 if joined else count)
        words = [w for w in text.split(" ") if w]
        count += len(words) - (1 if joined else 0)
        joined = text.rstrip().endswith(HYPHEN)
    return starts
