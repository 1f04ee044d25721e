"""DOIs: doi.org content negotiation (CSL JSON), Crossref's REST API as fallback.

Content negotiation answers for Crossref, DataCite and mEDRA DOIs alike
(https://citation.crosscite.org/docs.html). BibTeX is never asked for:
Crossref's lowercases acronyms (CrossRef/rest-api-doc#587).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from ..http import LookupFailed, Malformed, NotFound
from ..identifiers import Identifier, doi as normal_doi
from .common import Item, Raw, clean_name, clean_text, compact, date_parts, load_json

KIND = "doi"
CSL_JSON = "application/vnd.citationstyles.csl+json"
_IN_PATH = re.compile(r"/(10\.\d{4,9}/[^?#\s]+)")
_TAILS = re.compile(r"(/(full|abstract|pdf|epdf|fulltext|html|meta)|\.pdf|\.full)+$", re.I)
# Crossref work types → CSL types (https://api.crossref.org/types)
CROSSREF_TYPES = {
    "journal-article": "article-journal", "proceedings-article": "paper-conference", "book-chapter": "chapter",
    "book": "book", "monograph": "book", "edited-book": "book", "reference-book": "book", "posted-content": "article",
    "report": "report", "dissertation": "thesis", "dataset": "dataset", "reference-entry": "entry-encyclopedia",
}


def matches(link: str) -> Identifier | None:
    """A DOI from doi.org links, ``doi:`` strings and publisher URLs that carry one in their path."""
    found = normal_doi(link)
    if not found:
        path = unquote(urlsplit(link).path) if "://" in link else ""
        match = _IN_PATH.search(path)
        found = normal_doi(_TAILS.sub("", match.group(1))) if match else None
    if not found or found.startswith("10.48550/"):  # arXiv's own DOIs: the arXiv resolver reads them
        return None
    return Identifier(KIND, found)


def fetch(identifier: Identifier, client) -> Raw:
    """doi.org's CSL JSON; Crossref's record when doi.org fails for another reason than an unknown DOI."""
    url = f"{client.endpoints['doi'].rstrip('/')}/{quote(identifier.value, safe='/')}"
    try:
        response = client.get(url, accept=CSL_JSON)
        load_json(response.content, "doi.org")
        return Raw(url, response.content)
    except NotFound:
        raise NotFound(f"no DOI {identifier.value} is registered") from None
    except LookupFailed:
        url = f"{client.endpoints['crossref'].rstrip('/')}/works/{quote(identifier.value, safe='/')}"
        params = {"mailto": client.mailto} if client.mailto else None
        response = client.get(url, params=params)
        return Raw(url, response.content)


def parse(raw: Raw, identifier: Identifier) -> Item:
    """A clean CSL item from doi.org's CSL JSON or Crossref's ``{"message": {...}}``."""
    data = load_json(raw.data, "the DOI registry")
    if isinstance(data, dict) and isinstance(data.get("message"), dict):
        data = data["message"]
        data["type"] = CROSSREF_TYPES.get(data.get("type", ""), data.get("type"))
    if not isinstance(data, dict) or not data.get("title"):
        raise Malformed("the DOI registry answered without a title")
    return csl_item(data, identifier.value)


def csl_item(data: dict, doi: str) -> Item:
    """Fields make-book keeps from a CSL-like record, cleaned (tags stripped, names fixed)."""
    date = next((date_parts(data[k]) for k in ("issued", "published-print", "published-online", "published",
                                                 "created") if data.get(k) and date_parts(data[k])), None)
    item = {
        "type": data.get("type") or "article-journal",
        "title": first(data.get("title")),
        "subtitle": first(data.get("subtitle")),
        "container-title": first(data.get("container-title")),
        "author": [n for n in (clean_name(a) for a in data.get("author") or []) if n],
        "editor": [n for n in (clean_name(a) for a in data.get("editor") or []) if n],
        "issued": date,
        "volume": clean_text(data.get("volume")),
        "issue": clean_text(data.get("issue")),
        "page": clean_text(data.get("page")),
        "publisher": clean_text(data.get("publisher")),
        "publisher-place": clean_text(data.get("publisher-place")),
        "ISBN": first(data.get("ISBN")),
        "DOI": doi,
        "URL": f"https://doi.org/{doi}",
        "language": clean_text(data.get("language")),
    }
    return compact(item)


def first(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return clean_text(value)
