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


def test_raw_dead_anchor_and_script_links_warn_like_markdown_ones(project):
    document, body = settled(project, "# Titre {#titre}\n\n"
                                      "Voir [absente](#absente-md) et [script](javascript:alert(1)).\n\n"
                                      '<p>Un <a href="#nulle-part">lien mort</a> et '
                                      '<a href="javascript:void(0)">un faux</a>.</p>\n\n'
                                      '<p>Et <a href="#titre">le titre</a>.</p>\n')
    warnings = document.warnings
    assert "manuscripts/essai.md:9: link to #absente-md points to no heading or anchor; printed as text" in warnings
    assert "manuscripts/essai.md:11: link to #nulle-part points to no heading or anchor; printed as text" in warnings
    scripts = [w for w in warnings if "script link" in w]
    assert [w.split(":")[1] for w in scripts] == ["9", "11"]
    assert all("removed for safety" in w and "base_url" not in w for w in scripts)
    assert not any("base_url" in w for w in warnings)
    assert [a.get("href") for a in body.iter("a")] == ["#titre"]
    assert "lien mort" in body.text_content() and "un faux" in body.text_content()


def test_raw_svg_removed_with_its_line(project):
    document, body = settled(project, "Un texte.\n\n<svg width=\"10\" height=\"10\"><circle r=\"4\"/></svg>\n\n"
                                      "Fin.\n")
    assert "manuscripts/essai.md:9: raw <svg> removed: write it as an image file instead" in document.warnings
    assert not list(body.iter("svg"))
