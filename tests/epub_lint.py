"""A lint for EPUBs in the spirit of Standard Ebooks' checks, on top of EPUBCheck."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from lxml import etree

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def lint_epub(path: Path) -> list[str]:
    """Every finding, as 'file: problem'; an empty list is a clean book."""
    findings: list[str] = []
    with zipfile.ZipFile(path) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        base = posixpath.dirname(opf_path)
        opf = etree.fromstring(archive.read(opf_path))
        language = opf.findtext(f".//{{{DC}}}language")
        manifest = {item.get("id"): item for item in opf.iter(f"{{{OPF}}}item")}
        spine = [manifest[ref.get("idref")].get("href") for ref in opf.iter(f"{{{OPF}}}itemref")]
        pages = {item.get("href"): item for item in manifest.values() if item.get("media-type") == "application/xhtml+xml"}
        nav_href = next(i.get("href") for i in manifest.values() if "nav" in (i.get("properties") or "").split())
        for href in pages:
            if href not in spine and href != nav_href:
                findings.append(f"{href}: in the manifest but not in the spine")
        trees: dict[str, etree._Element] = {}
        for href in pages:
            try:
                trees[href] = etree.fromstring(archive.read(posixpath.join(base, href)))
            except etree.XMLSyntaxError as exc:
                findings.append(f"{href}: not well-formed XML ({exc})")
        ids = {href: [e.get("id") for e in tree.iter() if e.get("id")] for href, tree in trees.items()}
        for href, tree in trees.items():
            if tree.get("lang") != language or tree.get(XML_LANG) != language:
                findings.append(f"{href}: lang={tree.get('lang')!r} xml:lang={tree.get(XML_LANG)!r}, "
                                f"dc:language is {language!r}")
            duplicates = {i for i in ids[href] if ids[href].count(i) > 1}
            if duplicates:
                findings.append(f"{href}: duplicate ids {sorted(duplicates)}")
            level = 0
            for heading in tree.iter(*(f"{{{XHTML}}}h{n}" for n in range(1, 7))):
                current = int(heading.tag[-1])
                if level and current > level + 1:
                    findings.append(f"{href}: heading h{current} after h{level}")
                level = current
            for link in tree.iter(f"{{{XHTML}}}a"):
                target = link.get("href")
                if not target or target.startswith(("http:", "https:", "mailto:", "tel:")):
                    continue
                name, _, fragment = target.partition("#")
                name = posixpath.normpath(posixpath.join(posixpath.dirname(href), name)) if name else href
                if name not in trees:
                    findings.append(f"{href}: link to missing file {target}")
                elif fragment and fragment not in ids[name]:
                    findings.append(f"{href}: link to missing id {target}")
            for ref in tree.iterfind(f".//{{{XHTML}}}a[@{{{OPS}}}type='noteref']"):
                note = tree.find(f".//*[@id='{ref.get('href', '#')[1:]}']")
                if note is None or note.get(f"{{{OPS}}}type") != "footnote":
                    findings.append(f"{href}: noteref {ref.get('href')} has no footnote in the same file")
                elif note.find(f".//{{{XHTML}}}a[@role='doc-backlink']") is None:
                    findings.append(f"{href}: footnote {ref.get('href')} has no back-link")
            for img in tree.iter(f"{{{XHTML}}}img"):
                if img.get("alt") is None or (img.get("alt") and not img.get("alt").strip()):
                    findings.append(f"{href}: image {img.get('src')} without alt text")  # alt="": decoration
        nav = trees.get(nav_href)
        listed = set()
        if nav is not None:
            for link in nav.iterfind(f".//{{{XHTML}}}nav[@{{{OPS}}}type='toc']//{{{XHTML}}}a"):
                listed.add(link.get("href"))
        for href, tree in trees.items():
            if href == nav_href:
                continue
            for section in tree.iter(f"{{{XHTML}}}section"):
                heading = next((c for c in section if c.tag in (f"{{{XHTML}}}h2", f"{{{XHTML}}}h3")), None)
                if heading is None or not section.get("id"):
                    continue
                if f"{href}#{section.get('id')}" not in listed and href not in listed:
                    findings.append(f"{href}: section #{section.get('id')} missing from the nav")
    return findings
