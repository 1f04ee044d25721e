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
    if not any(_continues(note) for note in context.reported_footnotes):
        return _ORIGINAL(_ColumnView(context), *args, **kwargs)
    # A long note continues on the next page: the notes called meanwhile follow its end
    # there, and the lines that call them stay where they are (``footnote-policy: line``
    # would push each such line to the next page, one line of text per page).
    held = [note for note in context.footnotes if note.style["footnote_policy"] == "line"]
    for note in held:
        note.style["footnote_policy"] = "auto"
    try:
        return _ORIGINAL(_ColumnView(context), *args, **kwargs)
    finally:
        for note in held:
            note.style["footnote_policy"] = "line"


def _continues(note) -> bool:
    """Whether a footnote box is a part after the first of a long note (class ``continued``)."""
    element = getattr(note, "element", None)
    return element is not None and "continued" in (element.get("class") or "").split()


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


# The name of a page that holds only the end of a long note, after the text has ended.
NOTES_PAGE = "note-continuation"

_MAKE_PAGE = None  # WeasyPrint's own make_page, once the switch is installed
_HTML = None  # the document remake_page is laying out, for the note pages' styles


def _remake_page(index, context, root_box, html):
    global _HTML
    _HTML = html
    return _REMAKE_PAGE(index, context, root_box, html)


_REMAKE_PAGE = None


def _make_page(context, root_box, page_type, resume_at, page_number, page_state):
    if page_type.blank and resume_at is None and context.reported_footnotes and _HTML is not None:
        from weasyprint.layout import page as page_module

        # WeasyPrint makes the pages that only carry notes left over at the end "blank"
        # pages (:blank), which a book leaves without running head or folio; a page
        # holding a note's continuation is a page of text: it keeps both, and its note
        # area may take the whole text block (``@page note-continuation``).
        page_type = page_type._replace(blank=False, name=NOTES_PAGE)
        page_module.set_page_type_computed_styles(page_type, _HTML, context.style_for)
        root_box = root_box.copy_with_children([])
    return _MAKE_PAGE(context, root_box, page_type, resume_at, page_number, page_state)


def number_note_pages() -> bool:
    """Give the pages WeasyPrint adds for notes left over after the text their running head and folio.

    WeasyPrint lays the rest of a long note, once the text has ended, on pages
    it types ``:blank`` (an empty root box), so the house rule for blank pages
    (no head, no folio, as on a verso left empty before a chapter) removes the
    margin boxes, and the ``@footnote`` area keeps its usual maximum height:
    the note takes the page's foot and the rest stays empty. A book prints
    such a page as any page of text: folio, running head, and the note filling
    the text block (TeX's \\footins continuing on the page). The switch makes
    those pages non-blank pages named ``note-continuation`` with no content in
    the flow. Installed once; False when this WeasyPrint's page maker is not
    the one known here.
    """
    global _MAKE_PAGE, _REMAKE_PAGE
    from weasyprint.layout import page as page_module

    if _MAKE_PAGE is not None:
        return True
    make, remake = getattr(page_module, "make_page", None), getattr(page_module, "remake_page", None)
    if (make is None or remake is None or "make_page" not in remake.__code__.co_names
            or "reported_footnotes" not in remake.__code__.co_names
            or not hasattr(page_module, "set_page_type_computed_styles")
            or "blank" not in getattr(page_module.PageType, "_fields", ())):
        log.debug("WeasyPrint's page maker is not the one known here: note pages left as they are")
        return False
    _MAKE_PAGE, _REMAKE_PAGE = make, remake
    page_module.make_page = _make_page
    page_module.remake_page = _remake_page
    return True
