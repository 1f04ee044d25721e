"""Wikipedia articles: the REST API's page record (``/w/rest.php/v1/page/{title}/bare``).

The revision current when looked up is cited by its permanent ``oldid`` URL,
with the date of that revision; an encyclopedia article has no person as author.
Wikimedia refuses generic User-Agents: the client sends a descriptive one.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from ..http import Malformed
from ..identifiers import Identifier, wikipedia as wikipedia_title
from .common import Item, Raw, clean_text, compact, date_parts, load_json

KIND = "wikipedia"
NAMES = {"fr": "Wikipédia", "en": "Wikipedia", "de": "Wikipedia", "es": "Wikipedia", "it": "Wikipedia"}


def matches(link: str) -> Identifier | None:
    """``fr:Lecture rapide`` for an article, linked by ``/wiki/…``, a permanent link or the mobile site."""
    value = wikipedia_title(link)
    return Identifier(KIND, value) if value else None


def fetch(identifier: Identifier, client) -> Raw:
    lang, _, title = identifier.value.partition(":")
    title = title.replace(" ", "_")
    base = client.endpoints["wikipedia"].replace("{lang}", lang).rstrip("/")
    url = f"{base}/w/rest.php/v1/page/{quote(title, safe='')}/bare"
    return Raw(url, client.get(url).content)


def parse(raw: Raw, identifier: Identifier) -> Item:
    data = load_json(raw.data, "Wikipedia")
    lang, _, title = identifier.value.partition(":")
    latest = data.get("latest") if isinstance(data, dict) else None
    if not isinstance(latest, dict) or not latest.get("id") or not data.get("title"):
        raise Malformed("Wikipedia's page record has no title or latest revision")
    query = urlencode({"title": data.get("key") or title.replace(" ", "_"), "oldid": latest["id"]})
    return compact({
        "type": "entry-encyclopedia",
        "title": clean_text(data["title"]),
        "container-title": NAMES.get(lang, "Wikipedia"),
        "issued": date_parts(latest.get("timestamp")),
        "URL": f"https://{lang}.wikipedia.org/w/index.php?{query}",
        "language": lang,
    })
