"""Formulas in the printed edition: pandoc's MathML drawn as SVG by ziamath.

WeasyPrint does not lay out MathML, so each ``<math>`` of the HTML body is
replaced by an SVG image of it (ziamath, with its STIX Two Math font), sized to
the text (``font_size`` in points) and lowered by its depth so that the
formula's baseline sits on the line's baseline. The EPUB keeps the MathML.
"""

from __future__ import annotations

import base64
import re
from typing import Callable

from lxml import etree
from lxml.html import HtmlElement
from lxml.html import builder as E

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"')


def typeset_math(body: HtmlElement, *, font_size: float, warn: Callable[[str, str], None]) -> int:
    """Replace each ``<math>`` in ``body`` by an SVG ``<img>``; return how many were drawn.

    A formula ziamath cannot draw is printed as its TeX in ``<code>``, and
    ``warn(message, tex)`` is called so the build can name its line.
    """
    formulas = list(body.iter("math"))
    if not formulas:
        return 0
    import ziamath  # imported only for a text with formulas: it loads its font

    ziamath.config.svg2 = False  # paths inline: no <symbol> ids shared between images
    drawn = 0
    for math in formulas:
        tex = "".join(math.xpath(".//annotation[@encoding='application/x-tex']/text()")).strip()
        block = math.get("display") == "block"
        try:
            svg = _draw(math, tex, font_size)
        except Exception as exc:  # ziamath raises many kinds on what it does not know
            warn(f"formula {tex[:60]!r} cannot be drawn in the PDF ({type(exc).__name__}: "
                 f"{str(exc)[:80]}); it is printed as code", tex)
            code = E.CODE(tex, **{"class": "math-source"})
            code.tail = math.tail
            math.getparent().replace(math, code)
            continue
        match = _VIEWBOX.search(svg)
        _, min_y, width, height = (float(v) for v in match.groups())
        depth = height + min_y  # below the baseline (y = 0 in ziamath's drawing)
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        style = f"width: {width:.2f}pt; height: {height:.2f}pt"
        style += "" if block else f"; vertical-align: {-depth:.2f}pt"
        img = E.IMG(src=f"data:image/svg+xml;base64,{data}", alt=tex or "formula", style=style,
                    **{"class": "math-svg display" if block else "math-svg"})
        img.tail = math.tail
        math.getparent().replace(math, img)
        drawn += 1
    return drawn


def _draw(math: HtmlElement, tex: str, font_size: float) -> str:
    import ziamath

    element = _mathml(math)
    try:
        return ziamath.Math(etree.tostring(element, encoding="unicode"), size=font_size).svg()
    except Exception:
        if not tex:
            raise
        return ziamath.Latex(tex, size=font_size, inline=math.get("display") != "block").svg()


def _mathml(math: HtmlElement) -> etree._Element:
    """A namespaced MathML copy of an HTML-parsed ``<math>`` (lxml.html drops namespaces)."""
    def copy(element) -> etree._Element:
        out = etree.Element(f"{{{MATHML_NS}}}{element.tag}", nsmap={None: MATHML_NS})
        for key, value in element.attrib.items():
            if key != "xmlns":
                out.set(key, value)
        out.text = element.text
        for child in element:
            if not isinstance(child.tag, str) or child.tag in ("annotation", "annotation-xml"):
                continue
            # <semantics> only pairs the formula with its TeX: ziamath wants the formula itself
            for part in ([c for c in child if isinstance(c.tag, str) and not c.tag.startswith("annotation")]
                         if child.tag == "semantics" else [child]):
                node = copy(part)
                node.tail = part.tail
                out.append(node)
        return out

    return copy(math)
