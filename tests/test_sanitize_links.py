"""Raw HTML links and drawings the book cannot keep are warned as Markdown ones are, each with its line."""

from __future__ import annotations

from pipeline import open_project
from pipeline.builder import prepare
from pipeline.references.citations import resolve_references
from pipeline.render import render_html
from pipeline.sanitize import sanitize

HEAD = "---\ntitle: M\ndate: 2024-01-02\nlang: fr\n---\n\n"  # the body starts on line 7


def settled(project, text):
    root = project(manuscripts={"essai.md": HEAD + text}, bib={})
    opened = open_project(root)
    document = prepare(opened, opened.resolve_manuscript("essai"))
    resolve_references(document, project_root=opened.root)
    rendered = render_html(document)
    sanitize(rendered.body, document, opened.root)
    return document, rendered.body


def test_raw_svg_removed_with_its_line(project):
    document, body = settled(project, "Un texte.\n\n<svg width=\"10\" height=\"10\"><circle r=\"4\"/></svg>\n\n"
                                      "Fin.\n")
    assert "manuscripts/essai.md:9: raw <svg> removed: write it as an image file instead" in document.warnings
    assert not list(body.iter("svg"))
