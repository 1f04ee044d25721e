"""CSL items → BibLaTeX entries for ``resolved.bib``, with readable keys.

Types follow the biblatex manual (§2.1) and how pandoc reads them back:
news and magazine articles are ``@article`` with ``journaltitle`` and
``entrysubtype``; web pages, posts, preprints and encyclopedia articles are
``@online`` with ``urldate``. Titles keep their case; acronyms and words with
inner capitals are braced so no style lowercases them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from slugify import slugify

from .stubs import bibtex_escape

TYPES = {
    "article-journal": "article", "article-newspaper": "article", "article-magazine": "article",
    "paper-conference": "inproceedings", "chapter": "incollection", "book": "book", "report": "report",
    "thesis": "thesis", "dataset": "dataset", "software": "software", "article": "online", "webpage": "online",
    "post-weblog": "online", "post": "online", "entry-encyclopedia": "online", "motion_picture": "video",
}
LANGIDS = {"fr": "french", "en": "english", "de": "german", "es": "spanish", "it": "italian", "pt": "portuguese",
           "nl": "dutch", "la": "latin"}
STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "le", "la", "les", "l", "un", "une", "des", "du",
        "de", "d", "et", "en", "au", "aux", "sur", "pour"}
_ACRONYM = re.compile(r"(?<![\w{])(\w*[A-Z]\w*[A-Z0-9]\w*|[A-Z](?=[-\d]))(?![\w}])")


def entry(key: str, item: dict[str, Any], *, urldate: str, todo: list[str]) -> str:
    """One ``@type{key, field = {value}, …}`` entry, fields in a fixed order."""
    kind = item.get("type", "webpage")
    biblatex_type = TYPES.get(kind, "misc")
    fields: list[tuple[str, str]] = []

    def add(name: str, value: Any, *, protect: bool = False, raw: bool = False) -> None:
        if value:
            fields.append((name, value if raw else protect_case(escape(value)) if protect else escape(value)))

    add("author", names(item.get("author", [])), raw=True)
    add("editor", names(item.get("editor", [])), raw=True)
    add("translator", names(item.get("translator", [])), raw=True)
    add("title", item.get("title"), protect=True)
    add("subtitle", item.get("subtitle"), protect=True)
    container = item.get("container-title")
    if biblatex_type == "article":
        add("journaltitle", container)
        if kind in ("article-newspaper", "article-magazine"):
            add("entrysubtype", kind.removeprefix("article-"))
    elif biblatex_type in ("inproceedings", "incollection"):
        add("booktitle", container, protect=True)
    elif biblatex_type == "online":
        add("organization", container or item.get("publisher"))
    add("volume", item.get("volume"))
    add("number", item.get("issue") if biblatex_type == "article" else item.get("number")
        if biblatex_type in ("report", "online") and not item.get("eprint") else "")
    add("pages", (item.get("page") or "").replace("-", "--").replace("----", "--"))
    add("edition", item.get("edition"))
    add("version", item.get("version"))
    if biblatex_type in ("thesis", "report"):
        add("type", item.get("genre") or ("phdthesis" if biblatex_type == "thesis" else "techreport"))
        add("institution", item.get("publisher"))
    elif biblatex_type != "online":
        add("publisher", item.get("publisher"))
    add("location", item.get("publisher-place"))
    add("date", iso(item.get("issued")))
    add("isbn", item.get("ISBN"))
    add("doi", item.get("DOI"))
    if item.get("eprint"):
        add("eprint", item["eprint"])
        add("eprinttype", "arxiv")
        add("eprintclass", item.get("eprintclass"))
    add("url", bibtex_escape(item.get("URL") or "", url=True), raw=True)
    if item.get("URL"):
        add("urldate", urldate)
    if item.get("related-doi"):
        add("related", item["related-doi"])
        add("relatedtype", "published")
    add("addendum", f"Version publiée : {item['journal-ref']}" if item.get("journal-ref") and item.get("language", "").startswith("fr") else item.get("journal-ref"))
    add("langid", LANGIDS.get((item.get("language") or "").split("-")[0].lower(), ""))
    add("todo", ("missing: " + ", ".join(todo)) if todo else "")
    width = max(len(n) for n, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@{biblatex_type}{{{key},\n{body}\n}}\n"


def names(people: list[dict[str, str]]) -> str:
    """``Family, Given and {Organisation}``: BibLaTeX name lists, each part escaped."""
    out = []
    for p in people:
        p = {k: escape(v) for k, v in p.items()}
        if p.get("literal"):
            out.append("{" + p["literal"] + "}")
        else:
            family = " ".join(x for x in (p.get("non-dropping-particle"), p.get("family")) if x)
            out.append(", ".join(x for x in (family, p.get("suffix", ""), p.get("given", "")) if x)
                       if not p.get("suffix") else f"{family}, {p['suffix']}, {p.get('given', '')}")
    return " and ".join(out)


def escape(value: Any) -> str:
    """Text safe in a braced BibLaTeX value: LaTeX specials escaped, braces balanced away."""
    text = " ".join(str(value).split()).replace("\\", "/")
    text = text.replace("{", "(").replace("}", ")")
    return re.sub(r"([&%$#_])", r"\\\1", text)


def protect_case(text: str) -> str:
    """Brace acronyms and words with inner capitals (``{BERT}``, ``{GPT-4}``, ``{iPhone}``)."""
    return re.sub(r"(?<![\w{\\])([A-Za-z]*[A-Z][A-Za-z0-9]*[A-Z0-9][\w-]*|[a-z]+[A-Z]\w*)(?![\w}])",
                  lambda m: "{" + m.group(1) + "}" if not m.group(1)[1:].islower() else m.group(1), text)


def iso(issued: Any) -> str:
    if not isinstance(issued, dict) or not issued.get("date-parts"):
        return ""
    parts = issued["date-parts"][0]
    return "-".join(f"{int(p):02d}" if i else f"{int(p):04d}" for i, p in enumerate(parts[:3]))


def make_key(item: dict[str, Any], taken: set[str]) -> str:
    """``vaswani2017attention``: first author's family name, year, first significant title word."""
    people = item.get("author") or item.get("editor") or []
    who = ""
    if people:
        first = people[0]
        who = first.get("family") or first.get("literal") or ""
    if not who:
        who = item.get("container-title") or item.get("publisher") or ""
    if people and people[0].get("family"):
        who = who.split()[-1]  # "de Montaigne" → montaigne
    who = "".join(_ascii(who).split())
    year = str(item["issued"]["date-parts"][0][0]) if item.get("issued") else ""
    words = [w for w in _ascii(item.get("title", "")).split() if w not in STOP]
    key = f"{who}{year}{words[0] if words else ''}" or "ref"
    candidate, n = key, 1
    while candidate in taken:
        candidate = key + "abcdefghijklmnopqrstuvwxyz"[n - 1] if n <= 26 else f"{key}{n}"
        n += 1
    return candidate


def _ascii(text: str) -> str:
    text = re.sub(r"['’]", " ", unicodedata.normalize("NFKC", text or ""))
    return slugify(text, separator=" ").lower() if text else ""
