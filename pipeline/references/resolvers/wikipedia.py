"""Wikipedia articles: the REST API's page record (``/w/rest.php/v1/page/{title}/bare``).

The revision current when looked up is cited by its permanent ``oldid`` URL,
with the date of that revision; an encyclopedia article has no person as author.
Wikimedia refuses generic User-Agents: the client sends a descriptive one.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlencode, urlsplit

from ..http import Malformed
from ..identifiers import Identifier
from .common import Item, Raw, clean_text, compact, date_parts, load_json

KIND = "wikipedia"
NAMES = {"fr": "Wikipédia", "en": "Wikipedia", "de": "Wikipedia", "es": "Wikipedia", "it": "Wikipedia"}


def matches(link: str) -> Identifier | None:
    """``fr:Lecture_rapide`` for https://fr.wikipedia.org/wiki/Lecture_rapide (mobile links too)."""
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    if not host.endswith(".wikipedia.org") or not parts.path.startswith("/wiki/"):
        return None
    lang = host.split(".")[0]
    title = unquote(parts.path[len("/wiki/"):]).replace(" ", "_")
    if not title or ":" in title.split("/")[0] and not title.startswith(":"):
        return None  # Special:, Portail:, Fichier:… are not articles
    return Identifier(KIND, f"{lang}:{title}")


def fetch(identifier: Identifier, client) -> Raw:
    lang, _, title = identifier.value.partition(":")
    base = client.endpoints["wikipedia"].replace("{lang}", lang).rstrip("/")
    url = f"{base}/w/rest.php/v1/page/{quote(title, safe='')}/bare"
    return Raw(url, client.get(url).content)


def parse(raw: Raw, identifier: Identifier) -> Item:
    data = load_json(raw.data, "Wikipedia")
    lang, _, title = identifier.value.partition(":")
    latest = data.get("latest") if isinstance(data, dict) else None
    if not isinstance(latest, dict) or not latest.get("id") or not data.get("title"):
        raise Malformed("Wikipedia's page record has no title or latest revision")
    query = urlencode({"title": data.get("key") or title, "oldid": latest["id"]})
    return compact({
        "type": "entry-encyclopedia",
        "title": clean_text(data["title"]),
        "container-title": NAMES.get(lang, "Wikipedia"),
        "issued": date_parts(latest.get("timestamp")),
        "URL": f"https://{lang}.wikipedia.org/w/index.php?{query}",
        "language": lang,
    })
