"""Wikipedia articles: the REST API's page record (``/w/rest.php/v1/page/{title}/bare``).

The revision current when looked up is cited by its permanent ``oldid`` URL,
with the date of that revision; an encyclopedia article has no person as author.
Wikimedia refuses generic User-Agents: the client sends a descriptive one.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from ..http import Malformed
from ..identifiers import Identifier, wikipedia as wikipedia_title
from .common import Item, Raw, clean_text, compact, date_parts, load_json

KIND = "wikipedia"
NAMES = {"fr": "Wikipédia", "en": "Wikipedia", "de": "Wikipedia", "es": "Wikipedia", "it": "Wikipedia"}


def matches(link: str) -> Identifier | None:
    """``fr:Lecture rapide`` for an article, linked by ``/wiki/…``, a permanent link or the mobile site.

    A permanent link keeps its revision: ``fr:Lecture rapide#219876543`` (``#`` is never in a title).
    """
    value = wikipedia_title(link)
    if not value:
        return None
    oldid = dict(parse_qsl(urlsplit(link).query)).get("oldid", "")
    return Identifier(KIND, f"{value}#{oldid}" if oldid.isdigit() else value)


def fetch(identifier: Identifier, client) -> Raw:
    """The page's latest revision, or the revision a permanent link names."""
    lang, _, rest = identifier.value.partition(":")
    title, _, oldid = rest.partition("#")
    base = client.endpoints["wikipedia"].replace("{lang}", lang).rstrip("/")
    if oldid:
        url = f"{base}/w/rest.php/v1/revision/{oldid}/bare"
    else:
        url = f"{base}/w/rest.php/v1/page/{quote(title.replace(' ', '_'), safe='')}/bare"
    return Raw(url, client.get(url).content)


def parse(raw: Raw, identifier: Identifier) -> Item:
    data = load_json(raw.data, "Wikipedia")
    lang, _, rest = identifier.value.partition(":")
    title = rest.partition("#")[0]
    if isinstance(data, dict) and isinstance(data.get("page"), dict):  # a revision record
        revision = {"id": data.get("id"), "timestamp": data.get("timestamp")}
        data = {"title": data["page"].get("title"), "key": data["page"].get("key"), "latest": revision}
    latest = data.get("latest") if isinstance(data, dict) else None
    if not isinstance(latest, dict) or not latest.get("id") or not data.get("title"):
        raise Malformed("Wikipedia's page record has no title or revision")
    query = urlencode({"title": data.get("key") or title.replace(" ", "_"), "oldid": latest["id"]})
    return compact({
        "type": "entry-encyclopedia",
        "title": clean_text(data["title"]),
        "container-title": NAMES.get(lang, "Wikipedia"),
        "issued": date_parts(latest.get("timestamp")),
        "URL": f"https://{lang}.wikipedia.org/w/index.php?{query}",
        "language": lang,
    })
