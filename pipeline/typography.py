"""Microtypography on pandoc's document tree, for French and English.

Pandoc's `smart` reading already gives curly apostrophes, ellipses and dashes,
and marks quotations as ``Quoted`` nodes; it prints them as “…” whatever the
language. This module finishes the job by the rules of the text's language.

French (rules of the Lexique des règles typographiques de l'Imprimerie nationale):

- a narrow no-break space (U+202F) before ``; ! ?`` and before ``%``;
- a no-break space (U+00A0, a full word space) before ``:`` and inside
  guillemets. The colon and the guillemets take the same space as a word
  space in traditional French composition; the narrow space is kept for the
  three "high" signs, as most French publishers do;
- quotations in « », quotations inside quotations in “ ”;
- a no-break space between a number and its unit;
- ordinals 1er, 1re, 2e, XIXe with a raised suffix (2ème and 1ère become 2e, 1re).

Code, math, raw HTML and link targets are separate nodes in the tree and are
never touched; a word that looks like a URL or an e-mail address is left as is.
Running the pass twice changes nothing more.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .pandoc import Ast, Node, inlines, iter_nodes

NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"  # no-break space
SPACES = " \u00a0\u202f\u2009"
UNTOUCHED = {"Code", "CodeBlock", "Math", "RawInline", "RawBlock"}
BREAKS = {"Space", "SoftBreak"}
UNITS = {"km", "m", "cm", "mm", "µm", "nm", "kg", "g", "mg", "t", "l", "L", "ml", "cl", "s", "ms", "min", "h",
         "Go", "Mo", "Ko", "To", "Gb", "Mb", "GB", "MB", "KB", "TB", "Hz", "kHz", "MHz", "GHz", "W", "kW", "MW",
         "V", "A", "°C", "°F", "€", "$", "£", "¥", "k€", "M€", "Md€", "px", "pt", "dpi", "ha", "km²", "m²", "m³"}
_URLISH = re.compile(r"://|^www\.|@\w|\w\.\w{2,}/")
_HIGH = re.compile(rf"(?<=[^\s{NBSP}{NNBSP}(\[«—–/;!?])[{SPACES}]?([;!?]+)")
_COLON = re.compile(rf"(?<=[^\s{NBSP}{NNBSP}(\[«\d/])[{SPACES}]?:(?!//)|(?<=\d)[{SPACES}]?:(?=\D|$)")
_PERCENT = re.compile(rf"(?<=\d)[{SPACES}]?(%|‰)")
_OPEN_GUILLEMET = re.compile(rf"«[{SPACES}]*")
_CLOSE_GUILLEMET = re.compile(rf"[{SPACES}]*»")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_ORDINAL = re.compile(r"^(\d{1,4}|[IVXLC]*[IVX][IVXLC]*)(er|re|ère|ere|e|ème|eme|è|nd|nde|d|de)([.,;:!?)»”]*)$")
_ROMAN = re.compile(r"^[IVXLC]+$")


def apply_typography(ast: Ast, lang: str) -> Ast:
    """Apply the rules of ``lang`` (French or English; other languages are left alone).

    A passage marked with another language (``[text]{lang=en}``, ``::: {lang=en}``,
    or found by :func:`pipeline.passages.mark_passages`) gets the rules of its
    own language: English spacing and quotation marks inside a French text, and
    the reverse; nothing inside a passage in a third language.
    """
    pair_quotes(ast["blocks"], _quote_marks(lang))
    fix, french = _rules(lang)
    ast["blocks"] = _walk(ast["blocks"], fix, depth=0, french=french)
    return ast


def _rules(lang: str) -> tuple[Callable[[list[Node]], list[Node]], bool]:
    primary = lang.split("-")[0].lower()
    if primary == "fr":
        return french_inlines, True
    if primary == "en":
        return english_inlines, False
    return (lambda items: items), False


def _quote_marks(lang: str) -> tuple[tuple[str, str], ...] | None:
    primary = lang.split("-")[0].lower()
    return FRENCH_QUOTES if primary == "fr" else ENGLISH_QUOTES if primary == "en" else None


def passage_lang(node: Node) -> str | None:
    """The ``lang`` attribute of a Span or Div (pandoc: ``[…]{lang=en}``, ``::: {lang=en}``), else None."""
    if node["t"] not in ("Span", "Div"):
        return None
    return next((value for key, value in node["c"][0][2] if key == "lang" and value), None)


# -- quotation marks -----------------------------------------------------------------

FRENCH_QUOTES = (("«", "»"), ("“", "”"))
"""Quotation marks by depth, alternating: « … “ … « … » … ” … » (Imprimerie nationale, « Guillemets »)."""
ENGLISH_QUOTES = (("“", "”"), ("‘", "’"))
"""Double then single quotation marks, alternating (Chicago Manual of Style 13.30)."""

_DOUBLE_MARKS = "“”\"«»"
_OPENING_CONTEXT = set(" \u00a0\u202f([{—–-/«“‘")
_MARK = "QuoteMark"  # a temporary node type: never leaves this module


def pair_quotes(blocks: list[Node], marks: tuple[tuple[str, str], ...]) -> None:
    """Pair the double quotation marks of each paragraph again, and print them by depth.

    Pandoc's smart reading pairs a straight ``"`` with the next one, so a
    quotation inside a quotation (``"a "b" c"``) comes out as two quotations
    and a stray ”; a quotation running over several paragraphs leaves an
    unmatched “ at the head of each. Here every double mark of a paragraph,
    heading or table cell (pandoc's ``Quoted`` nodes and the stray “ ” "
    left in the text) is classed as opening or closing by what surrounds it,
    and paired on a stack: depth 0 prints ``marks[0]``, depth 1 ``marks[1]``,
    depth 2 ``marks[0]`` again. A mark left open at the end of a paragraph is
    the opening of a running quotation, which French and English books print
    at the head of each of its paragraphs and close once. A closing mark with
    nothing open is left as it is. Single quotation marks (pandoc's
    ``SingleQuote``) are left to the pass that follows. Mutates ``blocks``.
    """
    _pair_blocks(blocks, marks)


def _pair_blocks(value: Any, marks: tuple[tuple[str, str], ...] | None) -> None:
    if isinstance(value, list):
        for item in value:
            _pair_blocks(item, marks)
        return
    if not isinstance(value, dict) or "t" not in value:
        if isinstance(value, dict):
            for item in value.values():
                _pair_blocks(item, marks)
        return
    kind = value["t"]
    if kind in UNTOUCHED:
        return
    if kind == "Div" and passage_lang(value):
        _pair_blocks(value["c"][1], _quote_marks(passage_lang(value)))
    elif kind in ("Para", "Plain"):
        value["c"] = _pair_in(value["c"], marks)
    elif kind == "Header":
        value["c"][2] = _pair_in(value["c"][2], marks)
    elif "c" in value:
        _pair_blocks(value["c"], marks)


def _pair_in(items: list[Node], marks: tuple[tuple[str, str], ...] | None) -> list[Node]:
    for node in iter_nodes(items):  # notes and passages in another language: on their own
        if node["t"] == "Note":
            _pair_blocks(node["c"], marks)
        elif passage_lang(node):
            node["c"][1] = _pair_in(node["c"][1], _quote_marks(passage_lang(node)))
    if marks is None:
        return items
    leaves: list[Node] = []
    # French text may already hold guillemets (typed, or from a previous pass): they count too
    items = _expose_marks(items, leaves, _DOUBLE_MARKS if marks == FRENCH_QUOTES else '“”"')
    if not any(leaf["t"] == _MARK for leaf in leaves):
        return items
    depth: list[int] = []
    for index, leaf, opening, before in _classified_marks(leaves):
        if opening is None:
            leaf["c"] = {"text": leaf["c"]["text"]}
            continue
        if opening:
            level = len(depth)
            depth.append(level)
            leaf["c"] = {"text": marks[level % 2][0], "space": leaf["c"]["hint"] == "close" and before.isalnum(),
                         "was": leaf["c"]["text"]}
        elif depth:
            leaf["c"] = {"text": marks[depth.pop() % 2][1], "was": leaf["c"]["text"]}
        else:
            leaf["c"] = {"text": leaf["c"]["text"]}  # a closing mark with nothing open: left as written
    return _settle_marks(items)


def _classified_marks(leaves: list[Node]):
    """Each double quotation mark among a paragraph's ``leaves`` (see :func:`_expose_marks`), classed by
    what it touches: ``(index, leaf, opening, before)``, ``opening`` True, False, or None for a mark that
    is no quotation mark, ``before`` the character before it. The one walk :func:`pair_quotes` prints
    by and :func:`quote_problems` checks by, so both always class a mark alike."""
    for index, leaf in enumerate(leaves):
        if leaf["t"] != _MARK:
            continue
        before = _edge(leaves[index - 1], last=True) if index else " "
        after = _edge(leaves[index + 1], last=False) if index + 1 < len(leaves) else " "
        yield index, leaf, _is_opening(leaf["c"], before, after), before


def _is_opening(mark: dict, before: str, after: str) -> bool | None:
    """True for an opening mark, False for a closing one, None when it is not a quotation mark."""
    if before in "’'" and mark["hint"] == "open":
        return True  # after an elision: l’« œuvre », d’“ici”
    spaced_before = before in _OPENING_CONTEXT or before == " "
    spaced_after = after == " " or (not after.isalnum() and after not in "«“‘([")
    if spaced_before and not spaced_after:
        return True
    if spaced_after and not spaced_before:
        return False
    if not spaced_before and not spaced_after:
        # a word on each side: pandoc closed a quotation where a new one opens ("disait "défense"),
        # dropping the space; a stray mark keeps the side its glyph shows
        if mark["hint"] == "close" and before.isalnum() and after.isalnum():
            return True
        return mark["hint"] == "open" if mark["hint"] in ("open", "close") else None
    return mark["hint"] == "open" if mark["hint"] in ("open", "close") else None


def _edge(leaf: Node, *, last: bool) -> str:
    """The character a mark touches on that side: ' ' for a space, '.' for what is not text."""
    kind = leaf["t"]
    if kind in BREAKS or kind == "LineBreak":
        return " "
    if kind == "Str" and leaf["c"]:
        char = leaf["c"][-1] if last else leaf["c"][0]
        return " " if char in "\u00a0\u202f" else char
    if kind == _MARK:
        return "“" if leaf["c"].get("hint") == "open" else "."
    if kind in ("Code", "Math", "Cite"):
        return "a"
    return "."


def _expose_marks(items: list[Node], leaves: list[Node], marks: str) -> list[Node]:
    """Double ``Quoted`` nodes and the ``marks`` in the text become mark nodes; ``leaves`` gets every leaf in order."""
    out: list[Node] = []
    for item in items:
        kind = item["t"]
        if kind == "Quoted" and item["c"][0]["t"] == "DoubleQuote":
            opening = {"t": _MARK, "c": {"hint": "open", "text": "“"}}
            closing = {"t": _MARK, "c": {"hint": "close", "text": "”"}}
            leaves.append(opening)
            inner = _expose_marks(item["c"][1], leaves, marks)
            leaves.append(closing)
            out += [opening, *inner, closing]
        elif kind == "Quoted":
            leaves.append({"t": "Str", "c": "‘"})
            item["c"][1] = _expose_marks(item["c"][1], leaves, marks)
            leaves.append({"t": "Str", "c": "’"})
            out.append(item)
        elif kind == "Str" and any(c in marks for c in item["c"]):
            for piece in re.split(f"([{marks}])", item["c"]):
                if not piece:
                    continue
                hint = {"“": "open", "«": "open", "”": "close", "»": "close"}.get(piece, "either")
                node = {"t": _MARK, "c": {"hint": hint, "text": piece}} if piece in marks else {"t": "Str", "c": piece}
                leaves.append(node)
                out.append(node)
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
            item["c"] = _expose_marks(item["c"], leaves, marks)
            out.append(item)
        elif kind == "Span" and passage_lang(item):
            leaves.append(item)
            out.append(item)
        elif kind in ("Span", "Link"):
            item["c"][1] = _expose_marks(item["c"][1], leaves, marks)  # [attr, inlines(, target)]
            out.append(item)
        elif kind == "Cite":
            item["c"][1] = _expose_marks(item["c"][1], leaves, marks)
            out.append(item)
        else:
            leaves.append(item)
            out.append(item)
    return out


_GUILLEMET_SPACES = " \u00a0\u202f"


def _settle_marks(items: list[Node]) -> list[Node]:
    """Mark nodes become text (with the space pandoc dropped before an opening), recursively."""
    out: list[Node] = []
    unspace_next = False
    for item in items:
        kind = item["t"]
        if unspace_next:  # « x » turned into “x”: the guillemet's inner space goes with it
            unspace_next = False
            if kind == "Space":
                continue
            if kind == "Str":
                item = {"t": "Str", "c": item["c"].lstrip(_GUILLEMET_SPACES)}
        if kind == _MARK:
            if item["c"].get("space"):
                out.append({"t": "Space"})
            text, was = item["c"]["text"], item["c"].get("was", "")
            if was == "»" and text != "»" and out:
                if out[-1]["t"] == "Space":
                    out.pop()
                elif out[-1]["t"] == "Str":
                    out[-1] = {"t": "Str", "c": out[-1]["c"].rstrip(_GUILLEMET_SPACES)}
            unspace_next = was == "«" and text != "«"
            out.append({"t": "Str", "c": text})
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
            out.append({"t": kind, "c": _settle_marks(item["c"])})
        elif kind in ("Span", "Link", "Cite", "Quoted"):
            item["c"][1] = _settle_marks(item["c"][1])
            out.append(item)
        else:
            out.append(item)
    return _merge_strings(out)


def typeset_text(text: str, lang: str) -> str:
    """The same rules on a plain string (titles, subtitles, names from front matter)."""
    if not lang.lower().startswith("fr"):
        return _english_text(text)
    text = re.sub(r'"([^"]+)"', lambda m: f"«{NBSP}{m.group(1).strip()}{NBSP}»", text)
    out = french_inlines(inlines(text))
    return "".join(" " if n["t"] == "Space" else _plain(n) for n in out)


def _plain(node: Node) -> str:
    if node["t"] == "Str":
        return node["c"]
    if node["t"] == "Superscript":
        return "".join(_plain(n) for n in node["c"])
    if node["t"] == "Span":
        return "".join(_plain(n) for n in node["c"][1])
    return ""


# -- the walk ------------------------------------------------------------------------


def _walk(value: Any, fix: Callable[[list[Node]], list[Node]], *, depth: int, french: bool) -> Any:
    """Apply ``fix`` to every list of inlines, innermost first; replace Quoted nodes (French)."""
    if isinstance(value, list):
        items = [_walk(item, fix, depth=depth, french=french) for item in value]
        if items and all(isinstance(i, dict) and "t" in i for i in items) and _is_inline_list(items):
            items = _unquote(items, depth) if french else items
            items = fix(items)
        return items
    if isinstance(value, dict) and "t" in value:
        if value["t"] in UNTOUCHED or address_link(value):
            return value
        other = passage_lang(value)
        if other:  # a passage in another language: its own rules
            fix_other, french_other = _rules(other)
            return {"t": value["t"], "c": [value["c"][0], _walk(value["c"][1], fix_other, depth=0,
                                                                 french=french_other)]}
        inner = depth + 1 if value["t"] == "Quoted" else depth
        if "c" in value:
            return {"t": value["t"], "c": _walk(value["c"], fix, depth=inner, french=french)}
        return value
    if isinstance(value, dict):  # a citation record: its prefix and suffix are inlines
        return {k: _walk(v, fix, depth=depth, french=french) for k, v in value.items()}
    return value


def address_link(node: Node) -> bool:
    """A link whose text is an address (its URL, a shortcode's video page): left as written, even
    when the draft's spelling marks cut its text into pieces."""
    from .editions.lines import is_address_text
    from .pandoc import stringify

    return node["t"] == "Link" and is_address_text(stringify(node["c"][1]), node["c"][2][0])


INLINE_TYPES = {"Str", "Space", "SoftBreak", "LineBreak", "Emph", "Strong", "Underline", "Strikeout", "Superscript",
                "Subscript", "SmallCaps", "Quoted", "Cite", "Code", "Math", "RawInline", "Link", "Image", "Note",
                "Span"}


def _is_inline_list(items: list[Node]) -> bool:
    return all(i["t"] in INLINE_TYPES for i in items)


def _unquote(items: list[Node], depth: int) -> list[Node]:
    """Quoted nodes become guillemets (outermost) or “ ” (inside another quotation)."""
    out: list[Node] = []
    for item in items:
        if item["t"] != "Quoted":
            out.append(item)
            continue
        kind, content = item["c"]
        if depth == 0 and kind["t"] == "DoubleQuote":
            opening, closing = f"«{NBSP}", f"{NBSP}»"
        else:
            opening, closing = "“", "”"
        out += [{"t": "Str", "c": opening}, *content, {"t": "Str", "c": closing}]
    return _merge_strings(out)


def _merge_strings(items: list[Node]) -> list[Node]:
    out: list[Node] = []
    for item in items:
        if item["t"] == "Str" and out and out[-1]["t"] == "Str":
            out[-1] = {"t": "Str", "c": out[-1]["c"] + item["c"]}
        else:
            out.append(item)
    return out


# -- French --------------------------------------------------------------------------


def french_inlines(items: list[Node]) -> list[Node]:
    items = _merge_strings(items)
    out: list[Node] = []
    for index, item in enumerate(items):
        kind = item["t"]
        following = items[index + 1] if index + 1 < len(items) else None
        previous = out[-1] if out else None
        if kind in BREAKS and following is not None and following["t"] == "Str":
            text = following["c"]
            if text[:1] in ";!?":
                out.append({"t": "Str", "c": NNBSP})
                continue
            if text[:1] == ":" and not text.startswith("://"):
                out.append({"t": "Str", "c": NBSP})
                continue
            if text[:1] == "»":
                continue  # the guillemet brings its own space
            if text[:1] in "%‰" and previous is not None and previous["t"] == "Str" and previous["c"][-1:].isdigit():
                out.append({"t": "Str", "c": NNBSP})
                continue
            if _strip_trailing(text) in UNITS and previous is not None and previous["t"] == "Str" \
                    and previous["c"][-1:].isdigit():
                out.append({"t": "Str", "c": NBSP})
                continue
            joint = _joint(out, text)
            if joint:
                out.append({"t": "Str", "c": joint})
                continue
        if kind in BREAKS and previous is not None and previous["t"] == "Str" \
                and previous["c"].rstrip(SPACES).endswith("«"):
            continue  # the guillemet brings its own space
        if kind == "Str":
            text = item["c"]
            if not _URLISH.search(text):
                after_inline = previous is not None and previous["t"] not in BREAKS | {"LineBreak"} and not (
                    previous["t"] == "Str" and previous["c"][-1:] in SPACES)
                text = _french_text(text, starts_after_inline=after_inline)
            out += _ordinals(text)
            continue
        out.append(item)
    return _merge_strings(out)


_GROUP_HEAD = re.compile(r"^(?:.*[^\d\w.,])?\d{1,3}$")
_GROUP = re.compile(r"^\d{3}(?:[,.]\d+)?(?![\d\w])")
_TITLES = re.compile(r"(?:^|[(\[«\u00a0\u202f])(?:M\.|MM\.|Mme|Mmes|Mlle|Mlles|Dr|Pr|Me|Mgr|Sr)$")
_NUMBERED = re.compile(r"(?:^|[(\[«\u00a0\u202f])(?:p\.|pp\.|t\.|vol\.|chap\.|fig\.|no|nos|n°|art\.|§|éd\.|col\."
                       r"|f°|fo|ann\.|livre|tome|numéro)$", re.IGNORECASE)
_NUMBER_START = re.compile(r"^(?:\d|[IVXLC]+\b)")
_HOUR = re.compile(r"\d\u00a0h$")
MONTHS = {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"}
_DIGIT_GROUPS = re.compile(r"(?<=\d)[\u00a0 ](?=\d{3}(?!\d))")


def _joint(out: list[Node], following: str) -> str | None:
    """The space that must not break between ``previous`` and the word ``following``, if any.

    French composition keeps together (Lexique des règles typographiques de
    l'Imprimerie nationale, « Espaces » and « Nombres »): the groups of a number,
    joined by a narrow space (1 250 000); a title and the name (M. Dupont,
    Mme Curie); an abbreviation and its number (p. 12, t. II, no 5); hours and
    minutes (12 h 30); a day, its month and the year (13 juin 2023); an ordinal
    and the word it qualifies (XXe siècle, 2e édition).
    """
    if not out:
        return None
    previous = out[-1]
    word = following.rstrip(".,;:!?)»”")
    if previous["t"] == "Superscript":  # an ordinal's raised suffix
        return NBSP if word[:1].isalpha() else None
    if previous["t"] != "Str":
        return None
    before = ""
    for node in reversed(out):  # the text since the last break (out is merged only at the end)
        if node["t"] != "Str":
            break
        before = node["c"] + before
    last = re.split(f"[{SPACES}]", before)[-1].lstrip("(")
    if _GROUP_HEAD.match(before) and _GROUP.match(following) and not re.search(r"\d{4}", before):
        return NNBSP
    if _TITLES.search(before) and following[:1].isupper():
        return NBSP
    if _NUMBERED.search(before) and _NUMBER_START.match(following):
        return NBSP
    if _HOUR.search(before) and following[:2].isdigit():
        return NBSP
    if last.isdigit() and len(last) <= 2 and word.lower() in MONTHS:
        return NBSP
    if last.lower() in MONTHS and re.match(r"^\d{4}\b", following):
        return NBSP
    return None


def _french_text(text: str, *, starts_after_inline: bool) -> str:
    text = text.replace("...", "…")
    text = _DIGIT_GROUPS.sub(NNBSP, text)
    text = _APOSTROPHE.sub("’", text)
    text = _OPEN_GUILLEMET.sub(f"«{NBSP}", text)
    text = _CLOSE_GUILLEMET.sub(f"{NBSP}»", text)
    text = _HIGH.sub(lambda m: NNBSP + m.group(1), text)
    text = _COLON.sub(f"{NBSP}:", text)
    text = _PERCENT.sub(lambda m: NNBSP + m.group(1), text)
    if starts_after_inline and text[:1] in ";!?":
        text = NNBSP + text  # *vrai*! : the sign follows an emphasis or a link
    elif starts_after_inline and text[:1] == ":" and not text.startswith("://"):
        text = NBSP + text
    if text.startswith("»") and starts_after_inline:
        text = NBSP + text
    return text


def _strip_trailing(text: str) -> str:
    return text.rstrip(".,;:!?)»")


def _ordinals(text: str) -> list[Node]:
    """``XIXe`` → XIX + raised e; ``2ème`` → 2 + raised e."""
    match = _ORDINAL.match(text)
    if not match:
        return [{"t": "Str", "c": text}]
    number, suffix, rest = match.groups()
    if _ROMAN.match(number) and (len(number) == 1 and number not in "IVX"):
        return [{"t": "Str", "c": text}]
    suffix = {"ème": "e", "eme": "e", "è": "e", "ère": "re", "ere": "re", "d": "d", "de": "de"}.get(suffix, suffix)
    if suffix in ("d", "de"):
        suffix = "nd" if suffix == "d" else "nde"
    figure: Node = {"t": "Str", "c": number}
    if _ROMAN.match(number):  # XXe siècle: the numeral in small capitals (Imprimerie nationale, « Siècles »)
        figure = {"t": "Span", "c": [["", ["roman"], []], [figure]]}
    nodes: list[Node] = [figure, {"t": "Superscript", "c": [{"t": "Str", "c": suffix}]}]
    if rest:
        nodes.append({"t": "Str", "c": rest})
    return nodes


# -- English -------------------------------------------------------------------------


def english_inlines(items: list[Node]) -> list[Node]:
    return [{"t": "Str", "c": _english_text(i["c"])} if i["t"] == "Str" and not _URLISH.search(i["c"]) else i
            for i in items]


def _english_text(text: str) -> str:
    text = text.replace("...", "…")
    text = _APOSTROPHE.sub("’", text)
    text = re.sub(r'"([^"]+)"', r"“\1”", text)
    return text.replace("---", "—").replace("--", "–")


# -- unbalanced quotation marks ------------------------------------------------------

def quote_problems(blocks: list[Node], lang: str) -> list[tuple[str, list[str]]]:
    """Each quotation mark of ``blocks`` left unbalanced, double (« » “ ”) or single (‘ ’ ‹ ›, see
    :func:`_check_single_marks` for the apostrophes): ``(message, needles)``, where the
    needles are words beside the mark, as the manuscript may hold them (to find its line).

    Marks are classed as :func:`pair_quotes` classes them (by what surrounds each), then paired on
    a stack per paragraph. Not a fault: nested quotations, and a quotation running over several
    paragraphs of one container (a block quotation, a list item, the text), which French and
    English books reopen at the head of each paragraph and close once (Imprimerie nationale,
    « Guillemets »; Chicago Manual of Style 13.30). A fault: a mark opened and never closed (at
    the end of its paragraph, when the next paragraph does not reopen it; or at the end of the
    text), and a closing mark with nothing open. Passages in another language use their own marks;
    languages other than French and English, and code, are not checked. Does not change ``blocks``.
    """
    import copy

    marks = _quote_marks(lang)
    problems: list[tuple[str, list[str]]] = []
    _check_blocks(copy.deepcopy(blocks), marks, problems)
    return problems


def _check_blocks(blocks: list[Node], marks, problems: list) -> None:
    """One container's blocks: consecutive paragraphs share a running quotation."""
    running: list[tuple[str, list[str]]] = []  # the marks left open by the paragraph before
    for block in blocks:
        if not isinstance(block, dict) or "t" not in block:
            continue
        kind = block["t"]
        if kind in ("Para", "Plain"):
            running = _check_paragraph(block["c"], marks, problems, running)
            continue
        _unclosed(running, problems)
        running = []
        if kind in UNTOUCHED:
            continue
        if kind == "Div" and passage_lang(block):
            _check_blocks(block["c"][1], _quote_marks(passage_lang(block)), problems)
        elif kind == "Header":
            _unclosed(_check_paragraph(block["c"][2], marks, problems, []), problems)
        else:
            for child in _child_block_lists(block):
                _check_blocks(child, marks, problems)
    _unclosed(running, problems)


def _child_block_lists(block: Node) -> list[list[Node]]:
    """The lists of blocks directly inside ``block`` (a block quotation, list items, table cells, a div)."""
    found: list[list[Node]] = []

    def visit(value: Any) -> None:
        if isinstance(value, list):
            if value and all(isinstance(v, dict) and "t" in v for v in value) and value[0]["t"] in _BLOCK_KINDS:
                found.append(value)
                return
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            if "t" in value and value["t"] in _BLOCK_KINDS:
                found.append([value])
                return
            for item in value.values():
                visit(item)

    visit(block.get("c"))
    return found


_BLOCK_KINDS = {"Para", "Plain", "Header", "BlockQuote", "BulletList", "OrderedList", "DefinitionList", "Div",
                "Table", "Figure", "LineBlock", "CodeBlock", "RawBlock", "HorizontalRule"}


def _check_paragraph(items: list[Node], marks, problems: list, running: list) -> list:
    """Pair one paragraph's marks; return the marks it leaves open (a running quotation, maybe)."""
    for node in iter_nodes(items):  # notes and passages in another language: on their own
        if node["t"] == "Note":
            _check_blocks(node["c"], marks, problems)
        elif passage_lang(node):
            _unclosed(_check_paragraph(node["c"][1], _quote_marks(passage_lang(node)), problems, []), problems)
    if marks is None:
        return []
    leaves: list[Node] = []
    _expose_marks(items, leaves, _DOUBLE_MARKS if marks == FRENCH_QUOTES else '“”"')
    singles = _check_single_marks(leaves, problems, [r for r in running if r[0] in _SINGLE_OPENINGS])
    running = [r for r in running if r[0] not in _SINGLE_OPENINGS]
    stack = list(running)
    first_text = next((i for i, leaf in enumerate(leaves) if leaf["t"] not in BREAKS), None)
    for index, leaf, opening, before in _classified_marks(leaves):
        if opening is None:
            continue
        needles = _needles(leaves, index)
        if opening and running and index == first_text:
            running = []  # the running quotation reopened at the head of the paragraph, as it should be
            continue
        if running:  # a paragraph after an open quotation that does not reopen it
            stack = stack[len(running):]
            _unclosed(running, problems)
            running = []
        if opening:
            stack.append((marks[len(stack) % 2][0], needles))
        elif stack:
            stack.pop()
        elif leaf["c"]["text"] in '"”' and before.isdigit():
            continue  # 12" is inches (or seconds), not a quotation
        else:
            shown = leaf["c"]["text"]
            problems.append((f"closing quotation mark {shown} with no opening one before it in its paragraph: "
                             f"add the opening {_partner(shown)} where the quotation starts, or remove it", needles))
    if running:  # no mark in the paragraph: the quotation was not reopened
        stack = stack[len(running):]
        _unclosed(running, problems)
    return stack + singles


_SINGLE_OPENINGS = "‘‹"
# Words English writes with a leading apostrophe, which a word processor often turns into ‘ ('tis, 'em…).
_LEADING_ELISIONS = {"tis", "twas", "twere", "em", "cause", "til", "bout", "n", "round", "fraid", "kay"}


def _check_single_marks(leaves: list[Node], problems: list, running: list) -> list:
    """The single quotation marks of one paragraph (‘ ’ and ‹ ›): each ‘ or ‹ must be closed in the
    paragraph, or be a running quotation that the next paragraph reopens; a › with no ‹ open is a fault.

    ’ is also the apostrophe, so it never counts as a fault: it closes an open ‘ only where it ends a
    word (``‘non’``, ``the authors’ view``), never inside one (``l’homme``, ``aujourd’hui``, ``’n’``);
    a ‘ before a digit (``the ‘90s``), inside a word, or before an elided word (``‘tis``) is an
    apostrophe typed the wrong way round, not an opening. ``running``: the marks left open by the
    paragraph before; returns those this one leaves open.
    """
    chars: list[tuple[str, int]] = []  # the paragraph's text, each character with its leaf
    for index, leaf in enumerate(leaves):
        if leaf["t"] == "Str":
            chars += [(char, index) for char in leaf["c"]]
        elif leaf["t"] == _MARK:
            chars.append((leaf["c"]["text"], index))
        else:
            chars.append((" " if leaf["t"] in BREAKS or leaf["t"] == "LineBreak" else "\ufffc", index))
    text = "".join(char for char, _ in chars)
    stack = list(running)
    head = len(text) - len(text.lstrip())
    if running and not text[head:head + 1] in _SINGLE_OPENINGS:  # a running quotation not reopened
        _unclosed(stack, problems)
    for position, (char, index) in enumerate(chars):
        before = text[position - 1] if position else " "
        after = text[position + 1] if position + 1 < len(text) else " "
        if char in _SINGLE_OPENINGS:
            word = re.match(r"[^\W\d_]*", text[position + 1:]).group(0).lower()
            if char == "‘" and (after.isdigit() or before.isalpha() or word in _LEADING_ELISIONS):
                continue
            if running and position == head:
                running = []  # the running quotation reopened at the head of the paragraph
                continue
            stack.append((char, _mark_needles(leaves, index)))
        elif char in "’›" and not (char == "’" and after.isalpha()):
            opening = _partner(char)
            if opening in (shown for shown, _ in stack):
                del stack[max(i for i, (shown, _) in enumerate(stack) if shown == opening)]
            elif char == "›":
                problems.append(("closing quotation mark › with no opening one before it in its paragraph: "
                                 "add the opening ‹ where the quotation starts, or remove it",
                                 _mark_needles(leaves, index)))
    return stack


def _mark_needles(leaves: list[Node], index: int) -> list[str]:
    """Words to find the line of a mark inside the text ``leaves[index]`` (``‘ouvert``): that text, then
    the words beside it (:func:`_needles`)."""
    leaf = leaves[index]
    own = [leaf["c"]] if leaf["t"] == "Str" and len(leaf["c"]) >= 3 else []
    return own + _needles(leaves, index)


def _unclosed(stack: list, problems: list) -> None:
    for shown, needles in stack:
        problems.append((f"quotation mark {shown} is opened and never closed: close it with {_partner(shown)} "
                         f"(a quotation over several paragraphs reopens each with {shown} and closes once)", needles))
    stack.clear()


def _partner(mark: str) -> str:
    return {"«": "»", "»": "«", "“": "”", "”": "“", "‘": "’", "’": "‘", "‹": "›", "›": "‹", '"': '"'}.get(mark, mark)


def _needles(leaves: list[Node], index: int) -> list[str]:
    """Words beside the mark at ``index``, as the source may hold them: after it (three words, then
    fewer), then before it; spaces as a space or a line break."""
    def words(direction: int) -> list[str]:
        found: list[str] = []
        position = index + direction
        while 0 <= position < len(leaves) and len(found) < 3:
            leaf = leaves[position]
            if leaf["t"] == "Str" and leaf["c"].strip():
                found.append(leaf["c"])
            elif leaf["t"] not in BREAKS:
                break
            position += direction
        return found if direction > 0 else found[::-1]

    out: list[str] = []
    for group, after in ((words(1), True), (words(-1), False)):
        for size in range(len(group), 0, -1):
            part = group[:size] if after else group[-size:]
            for joiner in (" ", "\n"):
                needle = joiner.join(part)
                for variant in (needle, needle.replace("’", "'")):  # pandoc's smart apostrophe, typed '
                    if len(variant) >= 3 and variant not in out:
                        out.append(variant)
    return out
