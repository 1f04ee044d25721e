"""Footnotes kept on their call's page: WeasyPrint's deferral of notes to fit an orphan-bound line, turned off.

WeasyPrint 70 (pull request #2437, for issue #2432) handles one case of a
page's end by moving notes away from their calls: when a paragraph has one
line on the page, ``orphans`` forbids leaving it alone and ``widows`` allows
breaking after the next one, it *reports* the page's last footnotes to the
next page until that second line fits. GCPM allows a footnote to be deferred,
but a book does not print a note on the page after its call when the
paragraph could simply start on the next page, and make-book promises every
note on its call's page: each such deferral cost a whole new layout of the
chapter or essay (about half of a 30-chapter book's chapters, a quarter of the
book's layout time). With the deferral off, that paragraph starts on the next
page (the page ends one line short, as orphan control always does) and the
notes stay with their calls.

WeasyPrint decides it in ``layout.block._linebox_layout``, only where it is
not laying out columns (``context.in_column``: columns defer nothing). The
switch lays that function out with a view of the layout context that says it
is in a column, and nothing else: every other attribute, method and
assignment goes to the real context, whose own methods (the footnote area,
the page's bottom) still see that it is not. It is installed only when the
function reads both ``in_column`` and ``report_footnote``, i.e. when that
branch is there; in any other WeasyPrint the layout passes of
:mod:`pipeline.editions.pdf` still find and fix misplaced notes.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

_ORIGINAL = None  # WeasyPrint's own function, once the switch is installed


class _ColumnView:
    """The layout context as ``_linebox_layout`` sees it: "in a column", so it defers no note."""

    __slots__ = ("_context",)
    in_column = True

    def __init__(self, context) -> None:
        object.__setattr__(self, "_context", context)

    def __getattr__(self, name: str):
        return getattr(self._context, name)

    def __setattr__(self, name: str, value) -> None:
        setattr(self._context, name, value)


def _linebox_layout(context, *args, **kwargs):
    if context.in_column or not (context.current_page_footnotes or context.footnotes):  # no note to defer
        return _ORIGINAL(context, *args, **kwargs)
    return _ORIGINAL(_ColumnView(context), *args, **kwargs)


def keep_notes_with_their_calls() -> bool:
    """Turn WeasyPrint's deferral of footnotes off in this process (once); return whether it is off.

    False when this WeasyPrint has no such branch (nothing to turn off, or a
    changed layout code this switch does not know).
    """
    global _ORIGINAL
    from weasyprint.layout import block

    if _ORIGINAL is not None:
        return True
    function = getattr(block, "_linebox_layout", None)
    names = getattr(getattr(function, "__code__", None), "co_names", ())
    if "in_column" not in names or "report_footnote" not in names:
        log.debug("WeasyPrint's line layout is not the one known here: footnote deferral left as it is")
        return False
    _ORIGINAL = function
    block._linebox_layout = _linebox_layout
    return True
