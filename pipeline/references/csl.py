"""CSL style files: checked before pandoc's citeproc reads them.

citeproc follows a dependent style's ``<link rel="independent-parent">`` (and
the CSL 0.8 ``rel="template"``) to read or download its parent, even under
pandoc's ``--sandbox``, and quotes what it read in its error message. A style
comes from the project, so from a pull request: it must hold everything it
needs. Call :func:`check_csl` on every style file before handing it to pandoc,
whether named in front matter, found in styles/ or chosen by name.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..errors import ConfigError

CSL_NS = "http://purl.org/net/xbiblio/csl"
#: ``<link rel>`` values that make citeproc load another style (CSL 1.0.2 §Style Info; CSL 0.8 "template").
FOLLOWED_LINKS = ("independent-parent", "template")
MAX_BYTES = 2 * 1024 * 1024  # the largest styles of the Zotero repository are under 200 KB


def check_csl(path: Path, *, source: Path | None = None, line: int | None = None) -> None:
    """Raise :class:`ConfigError` unless ``path`` is a self-contained CSL style.

    Refused: a file over 2 MB, a file that is not well-formed XML, a document
    type declaration (entities could name other files), a root that is not
    ``<style>`` in the CSL namespace, and any ``<link rel="independent-parent">``
    or ``rel="template"`` (the parent would be read from disk or the network).
    ``source``/``line`` name where the style was chosen (front matter), for the
    message; the style's own content is never quoted in it.
    """
    where = {"path": source or path, "line": line}
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"citation style {name!r} cannot be read ({exc.strerror})", **where,
                          hint="check the file in styles/") from None
    if len(data) > MAX_BYTES:
        raise ConfigError(f"citation style {name!r} is larger than 2 MB", **where,
                          hint="use a CSL style file of normal size")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"citation style {name!r} is not well-formed XML (line {exc.lineno})", **where,
                          hint="fix the style file, or take a published one from the Zotero style repository") \
            from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ConfigError(f"citation style {name!r} has a <!DOCTYPE> declaration", **where,
                          hint="remove the <!DOCTYPE …> line: a CSL style needs none")
    if root.tag != f"{{{CSL_NS}}}style":
        raise ConfigError(f"{name!r} is not a CSL style (its root is not <style> in the CSL namespace)", **where,
                          hint="name a .csl file")
    for link in root.iter(f"{{{CSL_NS}}}link"):
        if link.get("rel") in FOLLOWED_LINKS:
            raise ConfigError(
                f"citation style {name!r} is a dependent style: its <link rel={link.get('rel')!r}> would make "
                "pandoc read another style from a file or the network", path=source or path,
                line=line if source else link.sourceline,
                hint="use the parent (independent) style file itself, placed in styles/")
