"""arXiv: the export API's Atom feed (https://info.arxiv.org/help/api/user-manual.html).

One request every 3 s (arXiv's terms of use). A bad id answers HTTP 200 with a
single entry titled "Error"; throttling answers the text "Rate exceeded.".
The version linked is the version cited; a published DOI is kept as related.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from ..http import Malformed, NotFound, RateLimited
from ..identifiers import Identifier, arxiv as normal_arxiv, doi as normal_doi
from .common import Item, Raw, clean_text, compact, date_parts, person

KIND = "arxiv"
PACE = 3.0  # seconds between two requests
ATOM = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_VERSION = re.compile(r"(v\d+)(?:\.pdf)?/?$")


def matches(link: str) -> Identifier | None:
    """``1706.03762v5`` for any abs/pdf/html link, arXiv DOI or ``arXiv:`` id; the version kept when linked."""
    lowered = link.lower()
    if "arxiv" not in lowered and not lowered.startswith("10.48550"):
        return None
    found = normal_arxiv(link)
    if not found:
        return None
    version = _VERSION.search(urlsplit(link).path if "://" in link else link)
    return Identifier(KIND, found + (version.group(1) if version else ""))


def fetch(identifier: Identifier, client) -> Raw:
    response = client.get(client.endpoints["arxiv"], params={"id_list": identifier.value})
    if response.content.strip().lower().startswith(b"rate exceeded"):
        raise RateLimited("arXiv answered 'Rate exceeded.'; run make-book resolve again later")
    return Raw(str(response.url), response.content)


def parse(raw: Raw, identifier: Identifier) -> Item:
    try:
        root = etree.fromstring(raw.data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        raise Malformed("arXiv did not answer an Atom feed") from None
    if root.tag != "{%s}feed" % ATOM["a"]:
        raise Malformed("arXiv did not answer an Atom feed")
    entries = root.findall("a:entry", ATOM)
    if not entries:
        raise NotFound(f"arXiv has no paper {identifier.value}")
    entry = entries[0]
    title = clean_text(entry.findtext("a:title", "", ATOM))
    if title.lower() == "error" or entry.find("a:author", ATOM) is None and not title:
        raise NotFound(f"arXiv has no paper {identifier.value} ({clean_text(entry.findtext('a:summary', '', ATOM))})")
    if not title:
        raise Malformed("arXiv's entry has no title")
    authors = [person(a.findtext("a:name", "", ATOM)) for a in entry.findall("a:author", ATOM)]
    category = entry.find("arxiv:primary_category", ATOM)
    published_doi = normal_doi(entry.findtext("arxiv:doi", "", ATOM) or "")
    item = {
        "type": "article",
        "title": title,
        "author": [a for a in authors if a],
        "issued": date_parts(entry.findtext("a:published", "", ATOM)),
        "publisher": "arXiv",
        "number": f"arXiv:{identifier.value}",
        "URL": f"https://arxiv.org/abs/{identifier.value}",
        "eprint": identifier.value,
        "eprintclass": category.get("term") if category is not None else "",
        "related-doi": published_doi or "",
        "journal-ref": clean_text(entry.findtext("arxiv:journal_ref", "", ATOM)),
    }
    return compact(item)
