"""Math: pandoc's MathML kept (raw <math> is not), drawn as SVG for print; failures shown as code with their line."""

from __future__ import annotations

import base64

from pipeline import open_project
from pipeline.builder import prepare
from pipeline.editions.epub import to_xhtml
from pipeline.editions.math import typeset_math
from pipeline.references.citations import resolve_references
from pipeline.render import render_html
from pipeline.sanitize import sanitize

from .conftest import write


def rendered_body(project, text):
    root = project(manuscripts={"m.md": "---\ntitle: M\ndate: 2024-01-02\nlang: fr\n---\n\n" + text}, bib={})
    opened = open_project(root)
    document = prepare(opened, opened.resolve_manuscript("m"))
    resolve_references(document, project_root=opened.root)
    rendered = render_html(document)
    sanitize(rendered.body, document, opened.root)
    return document, rendered.body


def test_formulas_kept_failures_as_code_raw_math_removed(project):
    document, body = rendered_body(project, "Soit $x^2$ et\n\n$\\nocommand{y}$ ici.\n\n"
                                            "<math><mi>z</mi></math>\n\n$$\\frac{a}{b}$$\n")
    maths = list(body.iter("math"))
    assert [m.get("display") for m in maths] == ["inline", "block"]
    assert not any("math-" in (e.get("class") or "") and len(e.get("class")) > 20 for e in body.iter())
    code = [c.text for c in body.iter("code") if c.get("class") == "math-source"]
    assert code == ["\\nocommand{y}"]
    assert any(w.startswith("manuscripts/m.md:9:") and "cannot be typeset" in w for w in document.warnings)
    assert any("raw <math> removed" in w for w in document.warnings)

    xhtml = to_xhtml(body)
    ns = "{http://www.w3.org/1998/Math/MathML}"
    assert [m.get("alttext") for m in xhtml.iter(f"{ns}math")] == ["x^2", "\\frac{a}{b}"]

    assert typeset_math(body, font_size=10.5, warn=lambda *a: None) == 2
    images = [img for img in body.iter("img") if "math-svg" in img.get("class", "")]
    inline, block = images
    assert inline.get("alt") == "x^2" and "vertical-align" in inline.get("style")
    assert "display" in block.get("class") and "vertical-align" not in block.get("style")
    svg = base64.b64decode(inline.get("src").split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<symbol" not in svg  # no ids shared between formulas
