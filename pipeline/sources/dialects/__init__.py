"""Blog dialects: the generators' syntax (Hugo, Jekyll, Eleventy, Zola, Obsidian, MkDocs, Quarto,
GitHub) turned into pandoc Markdown and pandoc-tree content.

Each dialect is one module with one :class:`Dialect` object; :data:`DIALECTS`
lists them in the order they are asked. A dialect may

* ``rewrite_lines`` — rewrite line constructs outside code (MkDocs ``!!!``
  admonitions, ``*[ABBR]:`` definitions, Quarto ```` ```{r} ```` chunks);
* ``convert`` — turn a template :class:`~.tokens.Tag` it knows (a shortcode,
  a Liquid tag, a wikilink) into pandoc Markdown text, with every character
  coming from the tag escaped;
* ``transform`` — change pandoc's tree once it is parsed (GitHub alerts,
  Quarto callouts and cross-references, admonition labels).

A tag no dialect knows is reported with its file and line and replaced by its
inner text (a paired tag's body; nothing for a lone one): never printed raw.
"""

from __future__ import annotations

import re
from urllib.parse import quote
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ...pandoc import Ast
from .tokens import EMBED, EXPR, HUGO, MORE, TAG, WIKILINK, Code, Piece, Tag, code_regions, tokenize


@dataclass
class Context:
    """What a dialect needs while it rewrites a manuscript: its path, front matter, warnings."""

    path: Path
    front_matter: dict[str, Any] = field(default_factory=dict)  # raw values, keys as written
    warnings: list[tuple[str, int | None]] = field(default_factory=list)
    lang: str = "en"
    bibliography_keys: frozenset[str] = frozenset()
    noted: set[str] = field(default_factory=set)  # warnings given once per manuscript
    abbreviations: dict[str, str] = field(default_factory=dict)  # MkDocs *[ABBR]: expansion
    line_of: Callable[[str], int | None] = lambda needle: None  # the file line where a text appears

    def warn(self, message: str, line: int | None) -> None:
        self.warnings.append((message, line))

    def warn_once(self, key: str, message: str, line: int | None) -> None:
        if key not in self.noted:
            self.noted.add(key)
            self.warn(message, line)

    def render(self, pieces: list[Piece]) -> str:
        """The Markdown text of ``pieces``, every tag in them converted."""
        return "".join(_render_piece(piece, self) for piece in pieces)

    def render_mapped(self, pieces: list[Piece], first_line: int) -> tuple[str, list[int]]:
        """Like :meth:`render`, with the file line of each output line.

        Text outside tags keeps its lines; a converted tag's lines map one to
        one when the conversion kept the line count, else to the tag's line.
        """
        parts: list[str] = []
        lines = [first_line]
        source_line = first_line
        for piece in pieces:
            out = _render_piece(piece, self)
            parts.append(out)
            if isinstance(piece, Tag):
                start, span = piece.line, piece.span_lines
            else:
                start, span = source_line, (piece if isinstance(piece, str) else piece.text).count("\n")
            count = out.count("\n")
            lines += [start + k + 1 if count == span else start for k in range(count)]
            source_line = start + span
        return "".join(parts), lines


class Dialect:
    """One generator's syntax. Subclasses override what they need; each hook does nothing by default."""

    name = ""

    def rewrite_lines(self, text: str, first_line: int, context: Context) -> str:
        """``text`` with this dialect's line constructs rewritten (line count kept where possible)."""
        return text

    def convert(self, tag: Tag, context: Context) -> str | None:
        """Pandoc Markdown for ``tag``, or None when this dialect does not know it."""
        return None

    def transform(self, ast: Ast, context: Context) -> None:
        """Change pandoc's tree in place."""


def _dialects() -> tuple[Dialect, ...]:
    from . import admonitions, hugo, liquid, marks, mathjax, mkdocs, obsidian, quarto, zola

    return (mathjax.DIALECT, mkdocs.DIALECT, quarto.DIALECT, hugo.DIALECT, zola.DIALECT, liquid.DIALECT, obsidian.DIALECT,
            admonitions.DIALECT, marks.DIALECT)


DIALECTS: tuple[Dialect, ...] = ()


def dialects() -> tuple[Dialect, ...]:
    """The dialects, in the order they are asked."""
    global DIALECTS
    if not DIALECTS:
        DIALECTS = _dialects()
    return DIALECTS


def read_dialects(body: str, first_line: int, context: Context) -> tuple[str, list[int]]:
    """The manuscript body as pandoc Markdown (line constructs rewritten, template tags converted),
    and the file line of each of its lines.

    ``rewrite_lines`` hooks keep the number of lines, so lines stay where they were.
    """
    for dialect in dialects():
        body = dialect.rewrite_lines(body, first_line, context)
    return context.render_mapped(tokenize(body, first_line), first_line)


def transform_tree(ast: Ast, context: Context) -> None:
    """Each dialect's changes to pandoc's tree, in order."""
    for dialect in dialects():
        dialect.transform(ast, context)


def _render_piece(piece: Piece, context: Context) -> str:
    if isinstance(piece, str):
        return piece
    if isinstance(piece, Code):
        return piece.text
    if piece.escaped:  # {{</* figure */>}}: the shortcode shown, as code
        return code_span(piece.raw.replace("{{</*", "{{<").replace("*/>}}", ">}}")
                         .replace("{{%/*", "{{%").replace("*/%}}", "%}}"))
    if piece.kind == MORE:  # the summary divider: nothing to print in a book
        return ""
    for dialect in dialects():
        out = dialect.convert(piece, context)
        if out is not None:
            return out
    return unknown(piece, context)


SYNTAX_NAMES = {HUGO: "Hugo shortcode", TAG: "template tag", EXPR: "template expression",
                WIKILINK: "wikilink", EMBED: "embed", MORE: "divider"}


def unknown(tag: Tag, context: Context, *, why: str = "") -> str:
    """A tag make-book cannot interpret: a warning with its line; its body (if any) is kept as text."""
    what = SYNTAX_NAMES.get(tag.kind, "tag")
    shown = tag.raw if len(tag.raw) <= 60 else tag.raw[:57] + "…"
    kept = "its content is kept as text" if tag.body else "left out"
    context.warn(f"{what} {shown} is not supported: {why or kept}", tag.line)
    return context.render(tag.children) if tag.body is not None else ""


# -- helpers for building safe Markdown --------------------------------------------------

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~^$@\"'&:;,?=%/])")


def escape(text: str) -> str:
    """``text`` as literal Markdown: every ASCII punctuation character backslash-escaped (pandoc's
    ``all_symbols_escapable``), line breaks as spaces."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def destination(url: str) -> str:
    """A link or image destination as Markdown: ``<url>`` with what would end it percent-encoded."""
    return "<" + url.strip().replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def code_span(text: str) -> str:
    run = max((len(m) for m in re.findall(r"`+", text)), default=0) + 1
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return "`" * run + pad + text + pad + "`" * run


def code_block(code: str, language: str | None = None) -> str:
    """A fenced code block holding ``code`` as written, with a fence longer than any run inside."""
    code = code.strip("\n")
    run = max([3, *(len(m) + 1 for m in re.findall(r"^\s*(`{3,})", code, re.M))])
    info = re.sub(r"[^\w+#.-]", "", language or "")
    return f"\n\n{'`' * run}{info}\n{code}\n{'`' * run}\n\n"


def div(classes: list[str], body: str, *, title: str | None = None, block: bool = True) -> str:
    """A pandoc fenced div (``:::: {.a .b}``) around Markdown ``body``.

    ``title`` travels percent-encoded in a ``data-title`` attribute (read back
    by the admonitions dialect), so no character of it can end the attribute.
    With ``block`` (the tag began its line) the fences take the tag's lines
    and the line count is kept; otherwise blank lines are added around them.
    """
    names = " ".join("." + n for n in (re.sub(r"[^\w-]", "", c) for c in classes) if n)
    if title:
        names += f' data-title="{quote(title.strip(), safe="")}"'
    around = "" if block else "\n\n"
    return f"{around}:::: {{{names}}}{body}::::{around}"


def figure(src: str, caption: str | None, alt: str | None = None, *, block: bool = True) -> str:
    """An image alone in its paragraph (pandoc makes it a figure, its text the caption and alt text)."""
    text = escape(caption or alt or "")
    around = "" if block else "\n\n"
    return f"{around}![{text}]({destination(src)}){around}"


def labelled_link(label: str, url: str, text: str | None = None) -> str:
    """``*label*: [text](url)`` — a video, a post or a gist printed as a captioned link (not a work cited).

    ``label`` is Markdown (it may hold a ``{.term}`` span); ``text`` and ``url`` are escaped here.
    """
    shown = escape(text) if text else escape(url)
    return f"*{label}*: [{shown}]({destination(url)}){{.link}}"


def outside_code(text: str) -> list[tuple[int, int, bool]]:
    """``text`` cut into (start, end, is_code) runs, by its code blocks."""
    runs: list[tuple[int, int, bool]] = []
    position = 0
    for start, end in code_regions(text):
        if position < start:
            runs.append((position, start, False))
        runs.append((start, end, True))
        position = end
    if position < len(text):
        runs.append((position, len(text), False))
    return runs
