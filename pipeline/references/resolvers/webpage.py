"""Any other web page: the metadata in its ``<head>``, most trusted first.

1. Highwire Press ``citation_*`` meta (Google Scholar inclusion guidelines);
   a ``citation_doi`` hands the page over to the DOI resolver;
2. JSON-LD (schema.org ``Article``, ``NewsArticle``, ``BlogPosting``,
   ``ScholarlyArticle``, ``Book``…, inside ``@graph`` too);
3. Open Graph (``og:title``, ``og:site_name``, ``article:published_time``);
4. Dublin Core (``DC.title``, ``DC.creator``, ``DC.date``);
5. ``<title>``.

What is not metadata is refused: a captcha or "Just a moment…" page, a login
wall, an error page; a byline that is a date or "Updated…", or the site's own
name, is not an author; ``dateModified`` is never the publication date.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from lxml import html as lxml_html

from ..http import Malformed, NotMetadata
from ..identifiers import Identifier, doi as normal_doi, url as normal_url, without_tracking
from .common import Item, Raw, clean_text, compact, date_parts, person

KIND = "url"
NOT_METADATA = re.compile(
    r"just a moment|attention required|are you a robot|verify(ing)? you are (a )?human|captcha|access denied|"
    r"enable (javascript|cookies)|^(log ?in|sign ?in|se connecter|connexion|identification)\b|"
    r"page not found|page introuvable|^404\b|^403\b|forbidden|subscribe to (continue|read)|"
    r"abonnez-vous pour (lire|continuer)|ddos protection|security check", re.I)
BYLINE_NOISE = re.compile(
    r"\d{1,4}[/.-]\d{1,2}|\b(19|20)\d\d\b|updated|mis à jour|modifié|published|publié|\bby\b|\bpar\b|"
    r"\bstaff\b|rédaction|redaction|admin|editorial|newsroom|\bagence\b|\bAFP\b|^le monde$", re.I)
WORK_TYPES = {"article": "article", "newsarticle": "article-newspaper", "reportagenewsarticle": "article-newspaper",
              "analysisnewsarticle": "article-newspaper", "opinionnewsarticle": "article-newspaper",
              "blogposting": "post-weblog", "socialmediaposting": "post", "scholarlyarticle": "article-journal",
              "techarticle": "webpage", "book": "book", "report": "report", "thesis": "thesis",
              "videoobject": "motion_picture", "podcastepisode": "song", "dataset": "dataset",
              "creativework": "webpage", "webpage": "webpage", "medicalscholarlyarticle": "article-journal"}
LINK_TYPES = {"website", "organization", "corporation", "newsmediaorganization", "person", "profilepage",
              "product", "softwareapplication", "webapplication", "mobileapplication", "collectionpage",
              "searchresultspage", "store", "localbusiness", "aboutpage", "contactpage", "itemlist"}


class Handover(Exception):
    """The page names a better identifier (its DOI): resolve that instead."""

    def __init__(self, identifier: Identifier) -> None:
        super().__init__(str(identifier))
        self.identifier = identifier


def matches(link: str) -> Identifier | None:
    value = normal_url(link)
    return Identifier(KIND, without_tracking(link)) if value else None


def fetch(identifier: Identifier, client) -> Raw:
    response = client.get(identifier.value, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
    kind = response.headers.get("content-type", "")
    if "html" not in kind and "xml" not in kind:
        raise NotMetadata(f"the address answers {kind.split(';')[0] or 'no content type'}, not a web page")
    charset = response.charset_encoding  # from the Content-Type header, when the server says
    return Raw(str(response.url), response.content, {"charset": charset.encode()} if charset else {})


def decode(raw: Raw) -> str:
    """The page as text: the header's charset, else the page's ``<meta charset>``, else UTF-8, else cp1252."""
    head = raw.data[:4096].decode("ascii", "ignore")
    declared = re.search(r"""<meta[^>]+charset=["']?([\w-]+)""", head, re.I)
    candidates = [raw.extra["charset"].decode()] if raw.extra.get("charset") else []
    candidates += [declared.group(1)] if declared else []
    for encoding in [*candidates, "utf-8"]:
        try:
            text = raw.data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        return re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    return raw.data.decode("cp1252", "replace")


def parse(raw: Raw, identifier: Identifier) -> Item:
    """The page's CSL item; ``role`` says whether the page is a work (``"work"``) or a site (``"link"``)."""
    try:
        tree = lxml_html.fromstring(decode(raw))
    except (ValueError, TypeError, Exception) as exc:  # lxml raises ParserError on an empty document
        raise Malformed(f"the page could not be read as HTML ({type(exc).__name__})") from None
    meta = _meta(tree)
    ld = _json_ld(tree)
    doi = normal_doi(_first(meta, "citation_doi", "dc.identifier", "prism.doi") or "")
    if doi and _first(meta, "citation_doi"):
        raise Handover(Identifier("doi", doi))
    page_title = clean_text(tree.findtext(".//title"))
    site = clean_text(_first(meta, "og:site_name", "application-name") or _ld_name(ld.get("publisher")) or "")
    title = (_first(meta, "citation_title") or clean_text(ld.get("headline") or ld.get("name"))
             or _first(meta, "og:title", "twitter:title", "dc.title") or _strip_site(page_title, site))
    title = clean_text(title)
    for text in (title, page_title):
        if text and NOT_METADATA.search(text):
            raise NotMetadata(f"the page is not the work but {text!r} (a captcha, login or error page); "
                              "open it in a browser and complete the entry by hand")
    if not title:
        raise Malformed("the page has no title")
    ld_type = _ld_type(ld)
    og_type = (_first(meta, "og:type") or "").lower()
    authors = _authors(meta, ld, site)
    date = (_first(meta, "citation_publication_date", "citation_date", "citation_online_date")
            or ld.get("datePublished") or _first(meta, "article:published_time", "og:published_time",
                                                  "dc.date.issued", "dc.date", "date", "pubdate"))
    container = _first(meta, "citation_journal_title", "citation_conference_title", "citation_inbook_title")
    kind = "webpage"
    if _first(meta, "citation_journal_title"):
        kind = "article-journal"
    elif _first(meta, "citation_conference_title"):
        kind = "paper-conference"
    elif ld_type in WORK_TYPES:
        kind = WORK_TYPES[ld_type]
    elif og_type == "article" and site:
        kind = "post-weblog" if not date else "article-newspaper" if _newsish(raw.source) else "post-weblog"
    if kind == "article":
        kind = "article-newspaper" if _newsish(raw.source) else "post-weblog"
    if kind in ("article-newspaper", "article-magazine", "post-weblog") and not container:
        container = site
    role = "link" if (ld_type in LINK_TYPES or og_type in ("website", "profile", "product", "music.song")) \
        and not date and not authors and kind == "webpage" else "work"
    lang = (_first(meta, "citation_language", "dc.language", "content-language")
            or clean_text(ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str) else "")
            or tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
            or (_first(meta, "og:locale") or "").replace("_", "-"))
    return compact({
        "type": kind,
        "title": title,
        "author": authors,
        "issued": date_parts(date) if date else None,
        "container-title": clean_text(container) if kind != "webpage" else "",
        "publisher": site if kind in ("webpage", "post-weblog", "post") else clean_text(_first(meta, "citation_publisher")),
        "volume": _first(meta, "citation_volume"),
        "issue": _first(meta, "citation_issue"),
        "page": "-".join(p for p in (_first(meta, "citation_firstpage"), _first(meta, "citation_lastpage")) if p),
        "URL": identifier.value,
        "language": clean_text(lang).split(",")[0].strip(),
        "role": role,
    })


def _meta(tree) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        name = (element.get("name") or element.get("property") or element.get("http-equiv") or "").strip().lower()
        content = clean_text(element.get("content"))
        if name and content:
            found.setdefault(name, []).append(content)
    return found


def _first(meta: dict[str, list[str]], *names: str) -> str:
    for name in names:
        if meta.get(name):
            return meta[name][0]
    return ""


def _json_ld(tree) -> dict:
    """The first JSON-LD object describing a work (or, failing that, the first object at all)."""
    objects: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            value = stack.pop(0)
            if isinstance(value, dict):
                objects.append(value)
                if isinstance(value.get("@graph"), list):
                    stack.extend(value["@graph"])
            elif isinstance(value, list):
                stack.extend(value)
    for value in objects:
        if _ld_type(value) in WORK_TYPES and _ld_type(value) not in ("webpage", "creativework"):
            return value
    return next((v for v in objects if _ld_type(v)), {})


def _ld_type(value: dict) -> str:
    kind = value.get("@type") if isinstance(value, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str) and k.lower() in WORK_TYPES), kind[0] if kind else "")
    return kind.lower() if isinstance(kind, str) else ""


def _ld_name(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return clean_text(value.get("name"))
    return clean_text(value) if isinstance(value, str) else ""


def _authors(meta: dict[str, list[str]], ld: dict, site: str) -> list[dict]:
    names = meta.get("citation_author") or []
    if not names:
        value = ld.get("author")
        values = value if isinstance(value, list) else [value] if value else []
        names = [_ld_name(v) for v in values if not (isinstance(v, dict) and _ld_type(v) in LINK_TYPES - {"person"})]
    if not names:
        names = meta.get("article:author") or meta.get("author") or meta.get("dc.creator") or []
    people = []
    for name in names:
        name = clean_text(name)
        if not name or name.startswith("http") or BYLINE_NOISE.search(name):
            continue
        if site and name.lower().replace(" ", "") == site.lower().replace(" ", ""):
            continue  # the site's own name is not an author
        found = person(name)
        if found and found not in people:
            people.append(found)
    return people


def _strip_site(title: str, site: str) -> str:
    """``An article | Le Site`` → ``An article``."""
    parts = re.split(r"\s+[|–—·•-]\s+", title)
    if len(parts) > 1 and (not site or parts[-1].strip().lower() == site.lower() or len(parts[-1]) < 30):
        return " - ".join(parts[:-1]).strip()
    return title


def _newsish(url: str) -> bool:
    """A dated path (``/2025/09/15/``) or a news section is the shape of a newspaper article."""
    path = urlsplit(url).path.lower()
    return bool(re.search(r"/(19|20)\d\d/\d\d/", path) or re.search(r"/(news|actualite|actualites|article)s?/", path))
