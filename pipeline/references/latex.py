"""LaTeX in BibTeX fields, decoded to Unicode with pylatexenc.

BibTeX exporters (Zotero, Better BibTeX, Mendeley, JabRef, DBLP, Scopus) write
accents, dashes, escapes and the odd formula as LaTeX. Citeproc needs plain
text, so every field make-book hands on is decoded here, in two ways:

- ``to_text`` for prose fields (title, note, publisher…): accents (``\\"a``,
  ``{\\'E}``, ``\\^\\i``), ligatures and letters (``\\oe``, ``\\ss``), dashes
  (``--``, ``\\textendash``), ``~``, escapes (``\\&``, ``\\%``, ``\\_``), simple
  math (``$\\phi$``, ``\\(^\\mbox\\texttrademark\\)``), ``\\url``, ``\\href``.
  With ``rich=True`` the result is CSL JSON's rich text: ``<i>``, ``<b>``,
  ``<sup>``, ``<sub>``, small capitals, and ``<span class="nocase">`` for the
  words BibTeX protects with braces (CSL-JSON spec, "Rich text" and "nocase").
- ``verbatim`` for ``doi``, ``url``, ``eprint``, ``file``: only escapes and
  ``\\url{}`` are undone, since these are addresses, not prose.

``unknown_commands`` lists what pylatexenc does not know, for ``make-book check``.
Everything is pure and cached: decoding is paid only for the entries a build cites.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import (LatexNodes2Text, MacroTextSpec, get_default_latex_context_db)

# BibTeX reads '%' literally inside a field; LaTeX would start a comment there.
_BARE_PERCENT = re.compile(r"(?<!\\)%")
# `\^\it` (Mendeley) means î followed by t, not an accent on the \it command.
_DOTLESS_BEFORE_LETTERS = re.compile(r"(\\[\^\"'`~=.uvH]\s*)\\([ij])(?=[A-Za-z])")
_SPACES = re.compile(r"[ \t\r\n]+")

_SUPERSCRIPTS = dict(zip("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ"))
_SUBSCRIPTS = dict(zip("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎"))
# Signs that are raised already: `^\mbox{\texttrademark}` is just ™.
_RAISED = set("™®©°ªº′″*†‡")


def _arg(l2t: LatexNodes2Text, node, k: int) -> str:
    args = node.nodeargd.argnlist if node.nodeargd else []
    if k >= len(args) or args[k] is None:
        return ""
    # A command's argument is not a protecting group: {…} after \emph is just its argument.
    l2t.depth = getattr(l2t, "depth", 0) + 1
    try:
        return l2t.nodelist_to_text([args[k]])
    finally:
        l2t.depth -= 1


def _wrap(tag: str, plain: str = "", *, style: str = ""):
    def repl(node, l2tobj):
        inner = _arg(l2tobj, node, 0)
        if not getattr(l2tobj, "rich", False) or not inner.strip():
            return plain.format(inner) if plain else inner
        opening = f'<span style="{style}">' if style else f"<{tag}>"
        closing = "</span>" if style else f"</{tag}>"
        return opening + inner + closing
    return repl


def _script(table: dict[str, str], tag: str):
    def repl(node, l2tobj):
        return _raised(_arg(l2tobj, node, 0), table, tag, getattr(l2tobj, "rich", False))
    return repl


def _raised(inner: str, table: dict[str, str], tag: str, rich: bool) -> str:
    if not inner or all(c in _RAISED for c in inner):
        return inner
    if rich:
        return f"<{tag}>{inner}</{tag}>"
    if all(c in table for c in inner):
        return "".join(table[c] for c in inner)
    return inner


def _quoted(node, l2tobj) -> str:
    """csquotes' ``\\enquote{…}`` (``\\enquote*{…}``: the inner marks), in the neutral marks."""
    args = node.nodeargd.argnlist if node.nodeargd else []
    starred = bool(args) and args[0] is not None
    inner = _arg(l2tobj, node, len(args) - 1) if args else ""
    return f"‘{inner}’" if starred else f"“{inner}”"


# LaTeX text symbols pylatexenc's default context does not know, by their LaTeX2e names
# (LaTeX's own \S \P \dag \ddag \copyright \pounds, textcomp's \text… names, eurosym's
# \euro, amssymb's \checkmark) and the TeX family logos. The Unicode characters are those
# of the LaTeX Companion's symbol tables (and pylatexenc's latexencode table).
TEXT_SYMBOLS = {
    "S": "§", "P": "¶", "dag": "†", "ddag": "‡", "copyright": "©", "pounds": "£", "euro": "€", "EUR": "€",
    "textbar": "|", "textbardbl": "‖", "textbraceleft": "{", "textbraceright": "}", "textminus": "−",
    "slash": "/", "textquotedbl": '"', "nobreakspace": "\u00a0", "checkmark": "✓", "textpilcrow": "¶",
    "textsurd": "√", "textmarried": "⚭", "textdivorced": "⚮", "textdied": "†", "textborn": "*",
    "textguarani": "₲", "textlbrackdbl": "⟦", "textrbrackdbl": "⟧", "textlquill": "⁅", "textrquill": "⁆",
    "textcopyleft": "🄯", "textleaf": "❦", "textdblhyphen": "⹀", "textdblhyphenchar": "⹀",
    "textsection": "§", "textparagraph": "¶", "textdagger": "†", "textdaggerdbl": "‡",
    "textperthousand": "‰", "textpertenthousand": "‱", "textdegree": "°", "textcelsius": "℃",
    "textsterling": "£", "texteuro": "€", "textyen": "¥", "textcent": "¢", "textdollar": "$",
    "textbullet": "•", "textperiodcentered": "·", "textdiv": "÷", "texttimes": "×", "textpm": "±",
    "textonehalf": "½", "textonequarter": "¼", "textthreequarters": "¾", "textmu": "µ",
    "textasciitilde": "~", "textbackslash": "\\", "textexclamdown": "¡", "textquestiondown": "¿",
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX", "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX", "pdfTeX": "pdfTeX", "ConTeXt": "ConTeXt",
    "AmS": "AMS", "AMS": "AMS", "MF": "Metafont", "MP": "MetaPost",
}


def _context():
    db = get_default_latex_context_db().filter_context(keep_categories=None)
    macros = [
        MacroTextSpec("url", simplify_repl=lambda n, l2tobj: _arg(l2tobj, n, 0)),
        MacroTextSpec("href", simplify_repl=lambda n, l2tobj: _arg(l2tobj, n, 1) or _arg(l2tobj, n, 0)),
        MacroTextSpec("mbox", simplify_repl=lambda n, l2tobj: _arg(l2tobj, n, 0)),
        MacroTextSpec("hbox", simplify_repl=lambda n, l2tobj: _arg(l2tobj, n, 0)),
        MacroTextSpec("textsuperscript", simplify_repl=_script(_SUPERSCRIPTS, "sup")),
        MacroTextSpec("textsubscript", simplify_repl=_script(_SUBSCRIPTS, "sub")),
        MacroTextSpec("textit", simplify_repl=_wrap("i")),
        MacroTextSpec("emph", simplify_repl=_wrap("i")),
        MacroTextSpec("textsl", simplify_repl=_wrap("i")),
        MacroTextSpec("mkbibemph", simplify_repl=_wrap("i")),
        MacroTextSpec("textbf", simplify_repl=_wrap("b")),
        MacroTextSpec("textsc", simplify_repl=_wrap("", style="font-variant:small-caps;")),
        MacroTextSpec("mkbibquote", simplify_repl=lambda n, l2tobj: "“" + _arg(l2tobj, n, 0) + "”"),
        # Quotation marks (babel-french, csquotes, T1 names). “ ” are the neutral form: make-book's
        # typography of the text's language turns them into « » in French and keeps them in English.
        MacroTextSpec("og", simplify_repl="« "),  # babel-french: \og … \fg{} put their own spaces
        MacroTextSpec("fg", simplify_repl=" »"),
        MacroTextSpec("guillemetleft", simplify_repl="«"),
        MacroTextSpec("guillemetright", simplify_repl="»"),
        MacroTextSpec("flqq", simplify_repl="«"),
        MacroTextSpec("frqq", simplify_repl="»"),
        MacroTextSpec("flq", simplify_repl="‹"),
        MacroTextSpec("frq", simplify_repl="›"),
        MacroTextSpec("glqq", simplify_repl="„"),
        MacroTextSpec("grqq", simplify_repl="“"),
        MacroTextSpec("enquote", simplify_repl=_quoted),
        MacroTextSpec("textquote", simplify_repl=_quoted),
        MacroTextSpec("foreignquote", simplify_repl=lambda n, l2tobj: "“" + _arg(l2tobj, n, 2) + "”"),
        MacroTextSpec("hyphenquote", simplify_repl=lambda n, l2tobj: "“" + _arg(l2tobj, n, 2) + "”"),
        MacroTextSpec("frquote", simplify_repl=lambda n, l2tobj: "« " + _arg(l2tobj, n, 0) + " »"),
        MacroTextSpec("textless", simplify_repl="<"),
        MacroTextSpec("textgreater", simplify_repl=">"),
        MacroTextSpec("newline", simplify_repl=" "),
        MacroTextSpec("\\", simplify_repl=" "),
        MacroTextSpec("texttrademark", simplify_repl="™"),
        MacroTextSpec("textregistered", simplify_repl="®"),
        MacroTextSpec("textcopyright", simplify_repl="©"),
        MacroTextSpec("textdegree", simplify_repl="°"),
        MacroTextSpec("textellipsis", simplify_repl="…"),
        MacroTextSpec("textnumero", simplify_repl="№"),
        MacroTextSpec("textunderscore", simplify_repl="_"),
        MacroTextSpec("textasciicircum", simplify_repl="^"),
        MacroTextSpec("textquotesingle", simplify_repl="'"),
        *(MacroTextSpec(name, simplify_repl=char) for name, char in TEXT_SYMBOLS.items()),
        MacroTextSpec("noopsort", simplify_repl=""),
        MacroTextSpec("relax", simplify_repl=""),
        MacroTextSpec("ensuremath", simplify_repl=lambda n, l2tobj: _arg(l2tobj, n, 0)),
    ]
    db.add_context_category("make-book", macros=macros, prepend=True)
    walker_db = latexwalker.get_default_latex_context_db()
    from pylatexenc.macrospec import MacroSpec
    walker_db.add_context_category("make-book", prepend=True, macros=[
        MacroSpec("url", "{"), MacroSpec("href", "{{"), MacroSpec("mbox", "{"), MacroSpec("hbox", "{"),
        MacroSpec("textsuperscript", "{"), MacroSpec("textsubscript", "{"), MacroSpec("mkbibemph", "{"),
        MacroSpec("mkbibquote", "{"), MacroSpec("noopsort", "{"), MacroSpec("ensuremath", "{"),
        MacroSpec("enquote", "*{"), MacroSpec("textquote", "*[[{"), MacroSpec("foreignquote", "*{{"),
        MacroSpec("hyphenquote", "*{{"), MacroSpec("frquote", "{"),
    ])
    return db, walker_db


_TEXT_DB, _WALKER_DB = _context()


class _Decoder(LatexNodes2Text):
    """pylatexenc's converter, with math scripts and BibTeX's brace protection."""

    def __init__(self, rich: bool) -> None:
        super().__init__(latex_context=_TEXT_DB, math_mode="text", strict_latex_spaces=True)
        self.rich = rich
        self.depth = 0

    def math_node_to_text(self, node) -> str:
        out = []
        nodes = list(node.nodelist)
        i = 0
        while i < len(nodes):
            current = nodes[i]
            if current.isNodeType(latexwalker.LatexSpecialsNode) and current.specials_chars in ("^", "_") \
                    and current.nodeargd and current.nodeargd.argnlist:
                table, tag = (_SUPERSCRIPTS, "sup") if current.specials_chars == "^" else (_SUBSCRIPTS, "sub")
                inner = self.nodelist_to_text([a for a in current.nodeargd.argnlist if a is not None]).strip()
                out.append(_raised(inner, table, tag, self.rich))
            elif current.isNodeType(latexwalker.LatexCharsNode) and re.search(r"[\^_]", current.chars):
                # '^x' parsed as characters: the script takes the next character or node.
                text = current.chars
                head, mark, rest = re.split(r"([\^_])", text, maxsplit=1)
                out.append(head)
                table, tag = (_SUPERSCRIPTS, "sup") if mark == "^" else (_SUBSCRIPTS, "sub")
                if rest:
                    out.append(_raised(rest[0], table, tag, self.rich))
                    nodes[i] = _chars_like(current, rest[1:]) if rest[1:] else None
                    if nodes[i] is not None:
                        continue
                elif i + 1 < len(nodes):
                    out.append(_raised(self.node_to_text(nodes[i + 1]).strip(), table, tag, self.rich))
                    i += 1
            else:
                out.append(self.node_to_text(current))
            i += 1
        return "".join(out).strip()

    def group_node_to_text(self, node) -> str:
        self.depth += 1
        try:
            inner = self.nodelist_to_text(node.nodelist)
        finally:
            self.depth -= 1
        # {NASA}, {Paris}: BibTeX keeps the case of braced words; CSL says so with nocase.
        if self.rich and self.depth == 0 and any(c.isupper() for c in inner) and "<" not in inner:
            return f'<span class="nocase">{inner}</span>'
        return inner


def _chars_like(node, chars: str):
    return latexwalker.LatexCharsNode(parsing_state=node.parsing_state, chars=chars, pos=node.pos, len=len(chars))


_PLAIN = _Decoder(rich=False)
_RICH = _Decoder(rich=True)


def _prepare(value: str) -> str:
    value = _BARE_PERCENT.sub(r"\\%", value)
    return _DOTLESS_BEFORE_LETTERS.sub(r"\1{\\\2}", value)


@lru_cache(maxsize=65536)
def to_text(value: str, *, rich: bool = False) -> str:
    """A BibTeX field's value as Unicode text, spaces collapsed.

    ``rich=True`` gives CSL JSON rich text (``<i>``, ``<sup>``, ``<span class="nocase">``…).
    Never raises: what pylatexenc cannot parse is returned with the escapes it knows undone.
    """
    if "\\" not in value and "{" not in value and "$" not in value and "~" not in value and "-" not in value \
            and "`" not in value and "'" not in value:
        return _SPACES.sub(" ", value).strip()
    decoder = _RICH if rich else _PLAIN
    try:
        walker = latexwalker.LatexWalker(_prepare(value), latex_context=_WALKER_DB, tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        decoder.depth = 0
        text = decoder.nodelist_to_text(nodes)
    except Exception:  # pylatexenc raises many kinds on odd input: fall back to the escapes
        text = verbatim(value)
    return _SPACES.sub(" ", text.replace("\xa0", " ") if not rich else text).strip()


# A control WORD (\textasciitilde, \textunderscore) ends at its first non-letter and TeX drops the
# spaces after it: `\textasciitilde user` is `~user`. A control symbol (\%, \_) keeps what follows.
_VERBATIM_ESCAPES = re.compile(r"\{\\([_&%#$~])\}|\\([_&%#$])|\{?\\textunderscore(?![A-Za-z])[ \t\r\n]*\}?(?:\{\})?|"
                               r"\{?\\textasciitilde(?![A-Za-z])[ \t\r\n]*\}?(?:\{\})?|\\~\{\}")
_URL_COMMAND = re.compile(r"^\s*\\(?:url|href)\s*\{([^{}]*)\}(?:\{[^{}]*\})?\s*$")


@lru_cache(maxsize=65536)
def verbatim(value: str) -> str:
    """An address field (doi, url, eprint, file) with LaTeX escapes undone: ``10.1007/x{\\_}40`` → ``10.1007/x_40``."""
    match = _URL_COMMAND.match(value)
    if match:
        value = match.group(1)
    value = undo_address_escapes(value)
    if value.startswith("{") and value.endswith("}") and value.count("{") == 1:
        value = value[1:-1]
    return value.replace("{", "").replace("}", "").strip() if "\\" not in value else value.strip()


def undo_address_escapes(value: str) -> str:
    """``value`` with the escapes of an address undone (``{\\_}``, ``\\%``, ``\\textunderscore``…), braces kept."""
    return _VERBATIM_ESCAPES.sub(_plain, value)


def _plain(match: re.Match) -> str:
    char = match.group(1) or match.group(2)
    if char:
        return char
    return "_" if "underscore" in match.group(0) else "~"


def has_escapes(value: str) -> bool:
    """Whether an address field holds LaTeX escapes that ``verbatim`` undoes."""
    return verbatim(value) != value.strip()


@lru_cache(maxsize=16384)
def unknown_commands(value: str) -> tuple[str, ...]:
    """LaTeX commands in ``value`` that pylatexenc cannot convert (they would be dropped), in order."""
    if "\\" not in value:
        return ()
    try:
        walker = latexwalker.LatexWalker(_prepare(value), latex_context=_WALKER_DB, tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
    except Exception:
        return ()
    found: list[str] = []

    def visit(node) -> None:
        if node is None:
            return
        if node.isNodeType(latexwalker.LatexMacroNode):
            if _TEXT_DB.get_macro_spec(node.macroname) is None and node.macroname not in found:
                found.append(node.macroname)
            for arg in (node.nodeargd.argnlist if node.nodeargd else []):
                visit(arg)
        elif node.isNodeType((latexwalker.LatexGroupNode, latexwalker.LatexMathNode,
                              latexwalker.LatexEnvironmentNode)):
            for child in node.nodelist:
                visit(child)
        elif node.isNodeType(latexwalker.LatexSpecialsNode):
            for arg in (node.nodeargd.argnlist if node.nodeargd else []):
                visit(arg)

    for node in nodes:
        visit(node)
    return tuple(found)
