"""Blocks on the printed page: what is kept together, what may split, what must shrink to fit.

Classes set here are styled by ``book.css``:

- ``table.short`` (up to 6 rows) and ``pre.short`` (up to 8 lines) are kept on one
  page; longer ones split, rather than leave half a page empty;
- ``table.wide`` (5 or 6 columns) and ``table.wider`` (7 or more) are set smaller,
  down to a limit, and their cells wrap (and hyphenate) to fit the text width;
- ``blockquote.attributed`` stays with the source line that follows it;
- ``p.lead-in``, a paragraph ending with a colon, stays with the table, list,
  code block, quotation or figure it introduces (it is never left at a page's
  foot while that block opens the next page);
- each line of a code block is a ``span.code-line`` whose wrapped part hangs
  under its own indentation (``padding-left`` and a negative ``text-indent`` in
  ``ch``), with no blank line added between lines.
"""

from __future__ import annotations

import re

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
    for paragraph in body.iter("p"):
        following = paragraph.getnext()
        if following is not None and _introduces(following) and _own_text(paragraph).rstrip().endswith(":"):
            _add_class(paragraph, "lead-in")


# Blocks a paragraph ending with a colon announces (pandoc's HTML: a code block may sit in a div).
INTRODUCED = {"table", "ul", "ol", "dl", "pre", "blockquote", "figure", "div"}
NOTE_CLASSES = {"footnote", "draft-note", "draft-notes", "marginnote"}


def _introduces(element: HtmlElement) -> bool:
    """Whether ``element`` is a block that a lead-in paragraph may announce."""
    if not isinstance(element.tag, str) or element.tag not in INTRODUCED:
        return False
    return element.tag != "div" or bool(element.xpath("./pre | ./table | ./figure | ./img"))


def _own_text(paragraph: HtmlElement) -> str:
    """The paragraph's text without the notes set at their calls (``span.footnote`` and the like)."""
    parts = [paragraph.text or ""]
    for child in paragraph:
        if isinstance(child.tag, str) and not NOTE_CLASSES & set((child.get("class") or "").split()):
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


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


# Images scaled to fit the page area (book.css: max-width 100%, max-height 150mm): a warning when text in
# them would print under LEGIBLE_PT. Only drawings are judged (SVG with text, or a raster image of few
# colours: a screenshot, a chart); a photograph scaled down loses no legibility.
LEGIBLE_PT = 5.0
SCREEN_TEXT_PX = 11  # the smallest text of a screenshot or chart, in CSS pixels at the image's own density
DRAWING_COLOURS = 4096
PX_PER_PT = 96 / 72


def small_images(document, base_url: str) -> list[tuple[str, float, float]]:
    """``(src, scale, smallest text in pt)`` for each image drawn so small that its text is under ``LEGIBLE_PT``.

    ``scale``: drawn width / intrinsic width (WeasyPrint's, 96 pixels per inch).
    Raster images: the smallest text is taken as ``SCREEN_TEXT_PX`` at the
    image's density (its pHYs or JFIF dpi over 96, so a 2× screenshot counts
    its pixels as halves); photographs (more than ``DRAWING_COLOURS``
    colours) are skipped. SVG: the smallest ``font-size`` in the file.
    """
    from urllib.parse import urljoin

    found = []
    seen = set()
    for page in document.pages:
        for box in _boxes(page._page_box):
            image = getattr(box, "replacement", None)
            element = getattr(box, "element", None)
            if image is None or element is None or element.tag != "img" or element.get("src") in seen:
                continue
            src = element.get("src")
            seen.add(src)
            kind = type(image).__name__
            if kind == "RasterImage":
                text_px = _raster_text_px(urljoin(base_url, src))
                intrinsic = image.width
            elif kind == "SVGImage":
                text_px, intrinsic = _svg_text_px(image)
            else:
                continue
            if not text_px or not intrinsic or not box.width:
                continue
            scale = box.width / intrinsic
            smallest = text_px * scale / PX_PER_PT
            if smallest < LEGIBLE_PT:
                found.append((src, scale, smallest))
    return found


def _raster_text_px(src: str) -> float | None:
    """Text size in image pixels for a drawing-like raster image at ``src`` (a file URL); None for a photo."""
    from urllib.parse import unquote, urlparse

    from PIL import Image

    parsed = urlparse(src)
    if parsed.scheme not in ("", "file"):
        return None
    try:
        with Image.open(unquote(parsed.path)) as picture:
            dpi = picture.info.get("dpi", (96, 96))[0] or 96
            sample = picture.convert("RGB")
            sample.thumbnail((400, 400), Image.NEAREST)  # nearest: no colour made up by averaging
            colours = sample.getcolors(DRAWING_COLOURS)
            if colours is None or len(colours) < 2:
                return None  # a photograph, or a plain area with nothing to read
    except OSError:
        return None
    return SCREEN_TEXT_PX * max(1.0, float(dpi) / 96)


def _svg_text_px(image) -> tuple[float | None, float | None]:
    """(smallest font size, width) of an SVG image, both in its user units; (None, None) without text.

    ``font-size`` attributes and ``style`` declarations are read (16 when a
    ``<text>`` sets none, the SVG default); the width is the viewBox's, else
    the intrinsic width in pixels.
    """
    svg = image._svg
    root = svg.tree._etree_node
    sizes, texts = [], 0
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        texts += node.tag.rsplit("}", 1)[-1] == "text"
        for value in [node.get("font-size") or "",
                      *re.findall(r"font-size\s*:\s*([\d.]+(?:px|pt)?)", node.get("style") or "")]:
            number = re.match(r"([\d.]+)(px|pt)?$", value.strip())
            if number:
                sizes.append(float(number.group(1)) * (PX_PER_PT if number.group(2) == "pt" else 1))
    if not texts:
        return None, None
    view_box = svg.get_viewbox()
    width = view_box[2] if view_box and view_box[2] else image.get_intrinsic_size(1, 16)[0]
    return min(sizes) if sizes else 16.0, width
