"""Recognise the work a link or an entry points to: DOI, arXiv id, ISBN, URL.

Each function returns a normalised identifier, so that two spellings of the
same work compare equal and two different works never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

DOI_HOSTS = {"doi.org", "dx.doi.org"}
ARXIV_HOSTS = {"arxiv.org", "export.arxiv.org"}
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_hsenc|_hsmi|ref_src|ref_url|"
                      r"xtor|at_medium|at_campaign|s_cid|cmpid|ncid|yclid)$", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", re.I)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


@dataclass(frozen=True)
class Identifier:
    kind: str  # "doi", "arxiv", "isbn", "url"
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def doi(text: str) -> str | None:
    """``10.1038/nature14539`` from a DOI in any usual spelling, lower-cased."""
    value = unquote(text.strip())
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and _host(parts.netloc) in DOI_HOSTS:
        value = parts.path.lstrip("/")
    elif value.lower().startswith("doi:"):
        value = value[4:].strip()
    value = value.strip().rstrip(".")
    return value.lower() if _DOI.match(value) else None


def arxiv(text: str) -> str | None:
    """``1706.03762`` from an arXiv id, an arxiv.org URL or an arXiv DOI; version dropped."""
    value = text.strip()
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        if _host(parts.netloc) not in ARXIV_HOSTS:
            found = doi(value)
            return arxiv_from_doi(found) if found else None
        path = parts.path.strip("/")
        kind, _, rest = path.partition("/")
        if kind not in ("abs", "pdf", "html", "format"):
            return None
        value = rest.removesuffix(".pdf")
    else:
        lowered = value.lower()
        if lowered.startswith("arxiv:"):
            value = value[6:]
        elif lowered.startswith(("doi:", "10.")):
            found = doi(value)
            return arxiv_from_doi(found) if found else None
    match = _ARXIV_NEW.match(value) or _ARXIV_OLD.match(value)
    return match.group(1).lower() if match else None


def arxiv_from_doi(value: str) -> str | None:
    match = _ARXIV_DOI.match(value)
    return arxiv(match.group(1)) if match else None


def isbn(text: str) -> str | None:
    """An ISBN-10 or ISBN-13 as its ISBN-13 digits, hyphens and spaces ignored; None if the checksum fails."""
    digits = re.sub(r"[\s-]", "", text.strip()).upper()
    if digits.startswith("ISBN"):
        digits = digits[4:].lstrip(":")
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11:
            return None
        digits = "978" + digits[:9]
        return digits + _isbn13_check(digits)
    if re.fullmatch(r"97[89]\d{10}", digits):
        return digits if _isbn13_check(digits[:12]) == digits[12] else None
    return None


def isbns(text: str) -> list[str]:
    """Every valid ISBN in a field that may list several."""
    found = []
    for part in re.split(r"[,;/]|\s(?=\d{3}[\d-])", text):
        value = isbn(part)
        if value:
            found.append(value)
    return found


def _isbn13_check(first12: str) -> str:
    total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def url(text: str) -> str | None:
    """A URL reduced to what identifies the page.

    Scheme (http or https) and host case are ignored, as are ``www.``, a trailing
    slash, the fragment, tracking parameters (``utm_*``, ``fbclid``…) and the
    order of the other query parameters.
    """
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    host = _host(parts.netloc)
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    return urlunsplit(("https", host, path, urlencode(query), ""))


def without_tracking(text: str, *, keep_fragment: bool = False) -> str:
    """The URL as written, less its tracking parameters (and its fragment, unless kept)."""
    parts = urlsplit(text.strip())
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(TRACKING.match(k) for k, _ in pairs):
        query = parts.query  # nothing to remove: keep the query exactly as written
    else:
        query = urlencode([(k, v) for k, v in pairs if not TRACKING.match(k)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment if keep_fragment else ""))


def _host(netloc: str) -> str:
    host = netloc.lower().rsplit("@", 1)[-1]
    host = re.sub(r":(80|443)$", "", host)
    return host.removeprefix("www.")


def link_identifiers(target: str) -> list[Identifier]:
    """What a link's target may identify, most specific first."""
    found: list[Identifier] = []
    value = arxiv(target) if "arxiv" in target.lower() or target.lower().startswith("10.48550") else None
    if value:
        found.append(Identifier("arxiv", value))
    value = doi(target)
    if value:
        found.append(Identifier("doi", value))
    parts = urlsplit(target)
    if parts.scheme.lower() == "isbn" or target.lower().startswith("isbn:"):
        value = isbn(target.split(":", 1)[1])
        if value:
            found.append(Identifier("isbn", value))
    else:
        match = re.search(r"(?:/isbn/|[?&]isbn=)([\dXx-]{10,17})", target, re.I)
        value = isbn(match.group(1)) if match else None
        if value:
            found.append(Identifier("isbn", value))
    value = url(target)
    if value:
        found.append(Identifier("url", value))
    return found


def entry_identifiers(fields: dict[str, str]) -> list[Identifier]:
    """What a bibliography entry identifies: its DOI, arXiv id, ISBNs and URL."""
    found: list[Identifier] = []
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if fields.get("eprint") and prefix == "arxiv":
        value = arxiv(fields["eprint"])
        if value:
            found.append(Identifier("arxiv", value))
    if fields.get("doi"):
        value = doi(fields["doi"])
        if value:
            found.append(Identifier("doi", value))
            from_doi = arxiv_from_doi(value)
            if from_doi:
                found.append(Identifier("arxiv", from_doi))
    for value in isbns(fields.get("isbn", "")):
        found.append(Identifier("isbn", value))
    if fields.get("url"):
        found.extend(i for i in link_identifiers(fields["url"]) if i not in found)
    return found
