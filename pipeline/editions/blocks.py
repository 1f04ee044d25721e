"""Blocks on the printed page: what is kept together, what may split, what must shrink to fit.

Classes set here are styled by ``book.css``:

- ``table.short`` (up to 6 rows) and ``pre.short`` (up to 8 lines) are kept on one
  page; longer ones split, rather than leave half a page empty;
- ``table.wide`` (5 or 6 columns) and ``table.wider`` (7 or more) are set smaller,
  down to a limit, and their cells wrap (and hyphenate) to fit the text width;
- ``blockquote.attributed`` stays with the source line that follows it;
- each line of a code block is a ``span.code-line`` whose wrapped part hangs
  under its own indentation (``padding-left`` and a negative ``text-indent`` in
  ``ch``), with no blank line added between lines.
"""

from __future__ import annotations

from lxml.html import HtmlElement
from lxml.html import builder as E

SHORT_TABLE_ROWS = 6
SHORT_CODE_LINES = 8
WIDE_COLUMNS = 5
WIDER_COLUMNS = 7
TAB = 4


def _add_class(element: HtmlElement, name: str) -> None:
    classes = (element.get("class") or "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))


def shape_blocks(body: HtmlElement) -> None:
    """Mark tables, code blocks and quotations of ``body`` for the print styles (see the module)."""
    for table in body.iter("table"):
        rows = table.xpath(".//tr")
        columns = max((len(row.xpath("./td | ./th")) for row in rows), default=0)
        if len(rows) <= SHORT_TABLE_ROWS + 1:  # the header row and six rows
            _add_class(table, "short")
        if columns >= WIDER_COLUMNS:
            _add_class(table, "wider")
        elif columns >= WIDE_COLUMNS:
            _add_class(table, "wide")
    for pre in body.iter("pre"):
        lines = hang_code_lines(pre)
        if lines <= SHORT_CODE_LINES:
            _add_class(pre, "short")
    for quote in body.iter("blockquote"):
        following = quote.getnext()
        if following is not None and "attribution" in (following.get("class") or "").split():
            _add_class(quote, "attributed")


def _indent(text: str) -> int:
    expanded = text.expandtabs(TAB)
    return len(expanded) - len(expanded.lstrip(" "))


def hang_code_lines(pre: HtmlElement) -> int:
    """Make each line of a code block a block span that wraps under its own indentation; return the line count.

    Handles pandoc's two shapes: plain ``<pre><code>text</code></pre>`` and
    highlighted code, where each line is already a ``<span id="cbN-M">``. Other
    shapes are left as they are.
    """
    code = pre.find("code")
    holder = code if code is not None else pre
    children = [c for c in holder if isinstance(c.tag, str)]
    if not children:
        lines = (holder.text or "").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        holder.text = None
        spans = [E.SPAN(line, **{"class": "code-line"}) for line in lines]
        for span in spans:
            holder.append(span)
    elif all(c.tag == "span" and (c.get("id") or "").startswith("cb") for c in children) and not (
            holder.text or "").strip():
        holder.text = None
        spans = children
        for span in spans:
            _add_class(span, "code-line")
            if span.tail and not span.tail.strip():
                span.tail = None
    else:
        return (holder.text_content() or "").count("\n") + 1
    for span in spans:
        hang = _indent(span.text_content()) + 2
        span.set("style", f"padding-left: {hang}ch; text-indent: -{hang}ch")
        if not span.text_content():
            span.text = (span.text or "") + "\u200b"  # an empty line keeps its height
    return len(spans)


# Wide tables, measured on the laid-out pages: a table whose cells' content runs past them is set at the
# smallest size (7pt, the legibility limit), then on a landscape page, and only then are its words broken
# anywhere. Each step is one more layout, paid only by documents with such a table.
SMALLEST = "wider"
LANDSCAPE = "landscape"
BROKEN = "broken-cells"
TABLE_SLACK = 0.5  # px: rounding in WeasyPrint's positions


def overflowing_tables(document, key: str) -> set[str]:
    """The ``key`` attribute of each table whose cells or their content run past a cell or the text block."""
    found = set()
    for page in document.pages:
        page_box = page._page_box
        edge = page_box.content_box_x() + page_box.width + TABLE_SLACK
        for box in _boxes(page_box):
            if type(box).__name__ != "TableBox" or getattr(box, "element", None) is None:
                continue
            for cell in _boxes(box):
                if type(cell).__name__ != "TableCellBox":
                    continue
                right = min(cell.content_box_x() + cell.width + TABLE_SLACK, edge)
                if cell.position_x + cell.margin_width() > edge or any(
                        type(b).__name__ == "TextBox" and b.position_x + b.width > right for b in _boxes(cell)):
                    found.add(box.element.get(key))
                    break
    return found - {None}


def fit_tables(body: HtmlElement, keys: set[str], key: str) -> dict[str, str]:
    """Take each overflowing table one step further; return {key: step taken}.

    Steps: the smallest type (``table.wider``, 7pt); a landscape page (the
    table in a ``div.landscape``, a named page ``size: landscape``); words
    broken anywhere in its cells (``table.broken-cells``).
    """
    steps = {}
    for table_key in keys:
        found = body.xpath(f".//table[@{key}=$k]", k=table_key)
        if not found:
            continue
        table = found[0]
        classes = (table.get("class") or "").split()
        parent = table.getparent()
        if SMALLEST not in classes:
            _add_class(table, SMALLEST)
            steps[table_key] = SMALLEST
        elif parent is None or LANDSCAPE not in (parent.get("class") or "").split():
            holder = E.DIV(**{"class": LANDSCAPE})
            table.addprevious(holder)
            holder.tail, table.tail = table.tail, None
            holder.append(table)
            steps[table_key] = LANDSCAPE
        elif BROKEN not in classes:
            _add_class(table, BROKEN)
            steps[table_key] = BROKEN
    return steps


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)
