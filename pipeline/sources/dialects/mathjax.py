"""MathJax's delimiters, as MkDocs (arithmatex), Hugo and Jekyll sites write math:
``\\(…\\)`` inline and ``\\[…\\]`` displayed, rewritten to pandoc's ``$…$`` and ``$$…$$``.

Pandoc's ``tex_math_single_backslash`` would also read them, but it takes any
escaped bracket of ordinary text (``\\[sic\\]``) for math; here ``\\[…\\]`` is
math only when it opens its line and ``\\(…\\)`` only within one paragraph,
never in code.
"""

from __future__ import annotations

import re

from . import Context, Dialect
from .tokens import code_spans

_INLINE = re.compile(r"\\\((?P<tex>(?:(?!\n\s*\n).)+?)\\\)", re.S)
_DISPLAY = re.compile(r"(?m)^(?P<indent>[ \t]*)\\\[(?P<tex>(?:(?!\n\s*\n).)+?)\\\][ \t]*$", re.S)


class MathJax(Dialect):
    name = "MathJax"

    def rewrite_lines(self, text: str, first_line: int, context: Context) -> str:
        if "\\(" not in text and "\\[" not in text:
            return text
        out: list[str] = []
        position = 0
        for start, end in code_spans(text):
            out.append(_rewrite(text[position:start]))
            out.append(text[start:end])
            position = end
        out.append(_rewrite(text[position:]))
        return "".join(out)


def _rewrite(text: str) -> str:
    # the line count is kept: $$ takes the place of \[ and \] on the same lines
    text = _DISPLAY.sub(lambda m: f"{m.group('indent')}$${m.group('tex')}$$", text)
    return _INLINE.sub(lambda m: f"${m.group('tex').strip()}$", text)


DIALECT = MathJax()
