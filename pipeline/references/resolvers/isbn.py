"""ISBNs: the BnF catalogue (SRU, UNIMARC) for French ISBNs, Open Library for the others.

Normalised with python-stdnum. French ISBNs are 978-2 and 979-10
(https://www.isbn-international.org/range_file_generation). UNIMARC fields read:
200 $a title $e subtitle, 210/214 $a place $c publisher $d date, 700/701/702
$a family $b given $4 role (070 author, 730 translator, 340 editor), 101 $a language.
Google Books is not used: it sometimes answers with another book (isbnlib #23, #40).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from lxml import etree
from stdnum import isbn as stdnum_isbn

from ..http import Malformed, NotFound
from ..identifiers import Identifier
from .common import Item, Raw, clean_text, compact, date_parts, fix_caps, load_json, person

KIND = "isbn"
_IN_LINK = re.compile(r"(?:^isbn:|/isbn/|[?&]isbn=|/ISBN/)\s*([\dXx][\dXx -]{8,16}[\dXx])", re.I)
ROLES = {"070": "author", "730": "translator", "340": "editor", "651": "editor"}
LANGS = {"fre": "fr", "eng": "en", "ger": "de", "ita": "it", "spa": "es", "por": "pt", "lat": "la"}


def matches(link: str) -> Identifier | None:
    match = _IN_LINK.search(link.strip())
    if not match or not stdnum_isbn.is_valid(match.group(1)):
        return None
    return Identifier(KIND, stdnum_isbn.to_isbn13(stdnum_isbn.compact(match.group(1))))


def is_french(isbn13: str) -> bool:
    return isbn13.startswith(("9782", "97910"))


def fetch(identifier: Identifier, client) -> Raw:
    if is_french(identifier.value):
        query = f'bib.isbn all "{identifier.value}"'
        response = client.get(client.endpoints["bnf"], params={
            "version": "1.2", "operation": "searchRetrieve", "query": query, "recordSchema": "unimarcxchange",
            "maximumRecords": "1"})
        return Raw(str(response.url), response.content)
    base = client.endpoints["openlibrary"].rstrip("/")
    response = client.get(f"{base}/isbn/{identifier.value}.json")
    book = load_json(response.content, "Open Library")
    extra = {}
    for author in book.get("authors") or []:
        key = author.get("key", "") if isinstance(author, dict) else ""
        if re.fullmatch(r"/authors/OL\d+A", key):
            extra[key] = client.get(f"{base}{key}.json").content
    return Raw(str(response.url), response.content, extra)


def parse(raw: Raw, identifier: Identifier) -> Item:
    if urlsplit(raw.source).path.endswith(".json"):
        return parse_openlibrary(raw, identifier)
    return parse_unimarc(raw, identifier)


def parse_openlibrary(raw: Raw, identifier: Identifier) -> Item:
    book = load_json(raw.data, "Open Library")
    if not isinstance(book, dict) or not book.get("title"):
        raise Malformed("Open Library's record has no title")
    authors = []
    for key, data in raw.extra.items():
        record = load_json(data, "Open Library")
        name = person(record.get("personal_name") or record.get("name") or "") if isinstance(record, dict) else None
        if name:
            authors.append(name)
    if not authors and book.get("by_statement"):
        authors = [p for p in (person(n) for n in re.split(r"\band\b|,|;", book["by_statement"])) if p]
    publishers = book.get("publishers") or []
    places = book.get("publish_places") or []
    languages = [LANGS.get(l.get("key", "").rsplit("/", 1)[-1], "") for l in book.get("languages") or []
                 if isinstance(l, dict)]
    return compact({
        "type": "book",
        "title": clean_text(book["title"]),
        "subtitle": clean_text(book.get("subtitle")),
        "author": authors,
        "issued": date_parts(book.get("publish_date")),
        "publisher": clean_text(publishers[0]) if publishers else "",
        "publisher-place": clean_text(places[0]) if places else "",
        "edition": clean_text(book.get("edition_name")),
        "number-of-pages": str(book.get("number_of_pages") or ""),
        "ISBN": identifier.value,
        "language": languages[0] if languages else "",
    })


def parse_unimarc(raw: Raw, identifier: Identifier) -> Item:
    try:
        root = etree.fromstring(raw.data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        raise Malformed("the BnF catalogue did not answer SRU XML") from None
    if etree.QName(root).localname != "searchRetrieveResponse":
        raise Malformed("the BnF catalogue did not answer an SRU searchRetrieveResponse")
    records = root.xpath("//*[local-name()='record'][*[local-name()='datafield']]")
    if not records:
        raise NotFound(f"the BnF catalogue has no book with ISBN {identifier.value}")
    record = records[0]

    def subfields(tag: str, code: str) -> list[str]:
        return [clean_text(s.text) for s in record.xpath(
            f"*[local-name()='datafield'][@tag='{tag}']/*[local-name()='subfield'][@code='{code}']") if s.text]

    def value(tags: tuple[str, ...], code: str) -> str:
        for tag in tags:
            found = subfields(tag, code)
            if found:
                return found[0]
        return ""

    title = value(("200",), "a")
    if not title:
        raise Malformed("the BnF record has no title (UNIMARC 200 $a)")
    people: dict[str, list[dict]] = {"author": [], "translator": [], "editor": []}
    for field in record.xpath("*[local-name()='datafield'][@tag='700' or @tag='701' or @tag='702']"):
        codes = {s.get("code"): clean_text(s.text) for s in field.xpath("*[local-name()='subfield']")}
        family = re.sub(r"\.\s*Auteur du texte$|Auteur du texte", "", codes.get("a", "")).strip(" .,")
        if not family:
            continue
        role = ROLES.get(codes.get("4", "070"), "author" if field.get("tag") != "702" else "")
        if not role:
            continue
        name = {"family": fix_caps(family)}
        if codes.get("b"):
            name["given"] = fix_caps(codes["b"].strip(" ,"))
        people[role].append(name)
    date = value(("214", "210"), "d")
    lang = value(("101",), "a")
    return compact({
        "type": "book",
        "title": title,
        "subtitle": value(("200",), "e"),
        "author": people["author"],
        "translator": people["translator"],
        "editor": people["editor"],
        "issued": date_parts(date),
        "publisher": value(("214", "210"), "c"),
        "publisher-place": value(("214", "210"), "a"),
        "ISBN": identifier.value,
        "language": LANGS.get(lang, ""),
    })
