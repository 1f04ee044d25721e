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


ANCHORS = ("Haut.\n\n<a name=\"haut\"></a>\n\n<p id=\"para\">Un paragraphe brut.</p>\n\n"
           "Un <span id='brut'>mot</span>, un []{#vide} et [un span]{#marque}.\n\n"
           "::: {#bloc}\nUn bloc.\n:::\n\n![Une figure](fig.png){#fig}\n\n"
           "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Tableau {#tbl}\n\n"
           "Liens : [h](#haut) [p](#para) [b](#brut) [v](#vide) [m](#marque) [d](#bloc) [f](#fig) "
           "[t](#tbl) [a](#absente).\n\n"
           '<p><a href="#haut">brut vers haut</a> <a href="#marque">brut vers marque</a></p>\n')


def test_every_anchor_a_reader_can_reach_counts_for_links(project):
    """Raw id= / <a name=>, pandoc spans, divs, figures and tables are targets: their links stay links,
    each reaches an element with that id in the EPUB; only the absent one is warned and printed as text."""
    import zipfile
    from pipeline import build
    from lxml import etree
    from .conftest import NS, run_epubcheck
    root = project(manuscripts={"essai.md": HEAD + ANCHORS}, bib={})
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082")
    (root / "manuscripts" / "fig.png").write_bytes(png)
    results = build(open_project(root), formats=("epub", "pdf"))
    assert all(r.ok for r in results), [str(r.error) for r in results]
    dead = [w for r in results for w in r.warnings if "points to no heading or anchor" in w]
    assert len(dead) == 1 and ":27: link to #absente" in dead[0], dead
    epub = root / "dist" / "essai.epub"
    with zipfile.ZipFile(epub) as archive:
        pages = {name.rsplit("/", 1)[-1]: etree.fromstring(archive.read(name)) for name in archive.namelist()
                 if name.endswith(".xhtml") and "nav" not in name}
    hrefs = [(name, a.get("href")) for name, page in pages.items()
             for a in page.iterfind(".//x:a[@href]", NS) if "#" in a.get("href") and "://" not in a.get("href")]
    targets = {href.split("#", 1)[1] for _, href in hrefs}
    assert {"haut", "para", "brut", "vide", "marque", "bloc", "fig", "tbl"} <= targets, hrefs
    assert "absente" not in targets
    for name, href in hrefs:
        file, frag = href.split("#", 1)
        page = pages[file or name]
        assert page.xpath(f"//*[@id='{frag}']"), (name, href)
    assert run_epubcheck(epub) == []
