"""Pages of the author's own blog: root-relative links, or links under ``base_url``.

When ``[resolve] blog_content`` names the blog's content folder (Hugo's
``content/``, Jekyll's ``_posts/``…), the page's front matter is read there,
with no network; otherwise the page is fetched and read like any web page.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml

from ...project import MARKDOWN_SUFFIXES
from ..http import Malformed, NotFound
from ..identifiers import Identifier
from . import webpage
from .common import Item, Raw, clean_text, compact, date_parts, person

KIND = "blog"
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def matches(link: str) -> Identifier | None:
    """Root-relative links only; absolute links to the blog arrive here rewritten as root-relative."""
    if link.startswith("/") and not link.startswith("//"):
        return Identifier(KIND, "/" + link.strip("/") + ("/" if not re.search(r"\.\w+$", link) else ""))
    return None


def fetch(identifier: Identifier, client) -> Raw:
    folder: Path | None = client.blog_content
    if folder is not None:
        slug = [s for s in identifier.value.split("/") if s][-1] if identifier.value.strip("/") else "index"
        slug = re.sub(r"\.html?$", "", slug)
        for path in sorted(p for suffix in MARKDOWN_SUFFIXES for p in folder.rglob(f"*{suffix}")):
            stem = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem)  # Jekyll's dated file names
            name = path.parent.name if stem in ("index", "_index") else stem
            if name == slug:
                return Raw(path.as_uri(), path.read_bytes(), {"blog": (client.base_url or "").encode()})
    if not client.base_url:
        raise NotFound(f"{identifier.value} is not in the blog's content folder and base_url is not set")
    url = urljoin(client.base_url, identifier.value)
    raw = webpage.fetch(Identifier("url", url), client)
    return Raw(raw.source, raw.data, {"page": b"1"})


def parse(raw: Raw, identifier: Identifier) -> Item:
    if "page" in raw.extra:
        item = webpage.parse(raw, Identifier("url", raw.source))
        if item.get("type") == "webpage":
            item["type"] = "post-weblog"
        return item
    text = raw.data.decode("utf-8", errors="replace")
    match = _FRONT.match(text)
    if not match:
        raise Malformed(f"{urlsplit(raw.source).path} has no YAML front matter")
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        raise Malformed(f"{urlsplit(raw.source).path}: its front matter is not valid YAML") from None
    if not isinstance(data, dict) or not data.get("title"):
        raise Malformed(f"{urlsplit(raw.source).path}: its front matter has no title")
    authors = data.get("author") or data.get("authors") or []
    authors = authors if isinstance(authors, list) else [authors]
    base = raw.extra.get("blog", b"").decode()
    return compact({
        "type": "post-weblog",
        "title": clean_text(data["title"]),
        "author": [p for p in (person(str(a)) for a in authors) if p],
        "issued": date_parts(str(data.get("date") or "")),
        "container-title": clean_text(data.get("blog") or ""),
        "URL": urljoin(base, identifier.value) if base else "",
        "language": clean_text(data.get("lang") or ""),
    })
