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

from .pandoc import Ast, Node, inlines

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
    """Apply the rules of ``lang`` (French or English; other languages are left alone)."""
    primary = lang.split("-")[0].lower()
    if primary == "fr":
        ast["blocks"] = _walk(ast["blocks"], french_inlines, depth=0, french=True)
    elif primary == "en":
        ast["blocks"] = _walk(ast["blocks"], english_inlines, depth=0, french=False)
    return ast


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
        if value["t"] in UNTOUCHED:
            return value
        inner = depth + 1 if value["t"] == "Quoted" else depth
        if "c" in value:
            return {"t": value["t"], "c": _walk(value["c"], fix, depth=inner, french=french)}
        return value
    if isinstance(value, dict):  # a citation record: its prefix and suffix are inlines
        return {k: _walk(v, fix, depth=depth, french=french) for k, v in value.items()}
    return value


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


def _french_text(text: str, *, starts_after_inline: bool) -> str:
    text = text.replace("...", "…")
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
    nodes: list[Node] = [{"t": "Str", "c": number}, {"t": "Superscript", "c": [{"t": "Str", "c": suffix}]}]
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
