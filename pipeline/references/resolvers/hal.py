"""HAL, the French open archive: its search API (https://api.archives-ouvertes.fr/docs/search)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..http import Malformed, NotFound
from ..identifiers import Identifier
from .common import Item, Raw, clean_text, compact, date_parts, load_json, person

KIND = "hal"
HOSTS = re.compile(r"(^|\.)(hal\.science|hal\.archives-ouvertes\.fr|hal\.inria\.fr|archives-ouvertes\.fr)$")
_ID = re.compile(r"^/?([a-z]+(?:-[a-z]+)*-\d{8})(v\d+)?(?:/|$)", re.I)
FIELDS = ("halId_s,docType_s,title_s,subTitle_s,authFirstName_s,authLastName_s,producedDate_s,publicationDate_s,"
          "journalTitle_s,conferenceTitle_s,bookTitle_s,publisher_s,volume_s,issue_s,page_s,doiId_s,uri_s,"
          "language_s,city_s,authorityInstitution_s")
TYPES = {"ART": "article-journal", "COMM": "paper-conference", "COUV": "chapter", "OUV": "book",
         "THESE": "thesis", "HDR": "thesis", "REPORT": "report", "UNDEFINED": "article", "PREPRINT": "article"}


def matches(link: str) -> Identifier | None:
    parts = urlsplit(link)
    if not HOSTS.search((parts.hostname or "").lower()):
        return None
    match = _ID.match(parts.path)
    return Identifier(KIND, match.group(1).lower()) if match else None


def fetch(identifier: Identifier, client) -> Raw:
    response = client.get(client.endpoints["hal"], params={"q": f"halId_s:{identifier.value}", "wt": "json",
                                                          "fl": FIELDS})
    return Raw(str(response.url), response.content)


def parse(raw: Raw, identifier: Identifier) -> Item:
    data = load_json(raw.data, "HAL")
    try:
        docs = data["response"]["docs"]
    except (KeyError, TypeError):
        raise Malformed("HAL's answer has no response.docs") from None
    if not docs:
        raise NotFound(f"HAL has no document {identifier.value}")
    doc = docs[0]
    titles = doc.get("title_s") or []
    if not titles:
        raise Malformed("HAL's record has no title")
    kind = TYPES.get(doc.get("docType_s", ""), "article")
    authors = [person(f"{last}, {first}") for first, last in zip(doc.get("authFirstName_s") or [],
                                                                 doc.get("authLastName_s") or [])]
    container = doc.get("journalTitle_s") or doc.get("conferenceTitle_s") or doc.get("bookTitle_s") or ""
    publisher = doc.get("publisher_s") or (doc.get("authorityInstitution_s") if kind in ("thesis", "report") else None) or []
    languages = doc.get("language_s") or []
    return compact({
        "type": kind,
        "title": clean_text(titles[0]),
        "subtitle": clean_text((doc.get("subTitle_s") or [""])[0]),
        "author": [a for a in authors if a],
        "issued": date_parts(doc.get("publicationDate_s") or doc.get("producedDate_s")),
        "container-title": clean_text(container),
        "publisher": clean_text(publisher[0] if isinstance(publisher, list) and publisher else publisher),
        "volume": clean_text(doc.get("volume_s")),
        "issue": clean_text(doc.get("issue_s")),
        "page": clean_text(doc.get("page_s")),
        "DOI": clean_text(doc.get("doiId_s")).lower(),
        "URL": doc.get("uri_s") or f"https://hal.science/{identifier.value}",
        "language": clean_text(languages[0] if languages else ""),
        "number": identifier.value,
        "genre": "Habilitation à diriger des recherches" if doc.get("docType_s") == "HDR" else "",
    })
