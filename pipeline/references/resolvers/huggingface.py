"""Hugging Face models and datasets: the Hub API (https://huggingface.co/docs/hub/api).

The revision (``sha``) is cited, as a version and in a permanent URL; a DOI the
Hub minted (DataCite, 10.57967/hf/N) is kept.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..http import Malformed
from ..identifiers import Identifier, doi as normal_doi
from .common import Item, Raw, clean_text, compact, date_parts, load_json

KIND = "huggingface"
HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
SECTIONS = {"spaces", "docs", "blog", "learn", "pricing", "settings", "organizations", "login", "join", "tasks",
            "models", "search", "collections", "enterprise", "papers", "posts", "api"}


def matches(link: str) -> Identifier | None:
    """``model:org/name`` or ``dataset:org/name``."""
    parts = urlsplit(link)
    if (parts.hostname or "").lower() not in HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if segments[:1] == ["datasets"] and len(segments) >= 3:
        return Identifier(KIND, f"dataset:{segments[1]}/{segments[2]}")
    if len(segments) >= 2 and segments[0] not in SECTIONS and segments[0] != "datasets":
        return Identifier(KIND, f"model:{segments[0]}/{segments[1]}")
    return None


def fetch(identifier: Identifier, client) -> Raw:
    what, _, name = identifier.value.partition(":")
    url = f"{client.endpoints['huggingface'].rstrip('/')}/api/{what}s/{name}"
    return Raw(url, client.get(url).content)


def parse(raw: Raw, identifier: Identifier) -> Item:
    data = load_json(raw.data, "the Hugging Face Hub")
    what, _, name = identifier.value.partition(":")
    if not isinstance(data, dict) or not (data.get("id") or data.get("modelId")):
        raise Malformed("the Hub's answer has no id")
    repo = data.get("id") or data.get("modelId")
    owner = data.get("author") or repo.split("/")[0]
    sha = clean_text(data.get("sha"))
    card = data.get("cardData") if isinstance(data.get("cardData"), dict) else {}
    doi = normal_doi(str(data.get("doi") or card.get("doi") or "")) or ""
    page = f"https://huggingface.co/{'datasets/' if what == 'dataset' else ''}{repo}"
    arxiv = sorted({t.split(":", 1)[1] for t in data.get("tags") or [] if isinstance(t, str) and t.startswith("arxiv:")})
    return compact({
        "type": "dataset" if what == "dataset" else "software",
        "title": clean_text(card.get("pretty_name") or repo.split("/", 1)[-1]),
        "author": [{"literal": clean_text(owner)}],
        "issued": date_parts(data.get("createdAt")),
        "version": sha[:12],
        "publisher": "Hugging Face",
        "URL": f"{page}/tree/{sha}" if sha else page,
        "DOI": doi,
        "language": clean_text(card.get("language")[0] if isinstance(card.get("language"), list) and card.get("language") else card.get("language") if isinstance(card.get("language"), str) else ""),
        "related-arxiv": ", ".join(arxiv),
    })
