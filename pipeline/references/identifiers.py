"""Recognise the work a link or an entry points to: DOI, arXiv id, ISBN, Wikipedia article, URL.

Each function returns a normalised identifier, so that two spellings of the
same work compare equal and two different works never do. Entry fields are
read as exporters write them: LaTeX escapes undone (``10.1007/x{\\_}40``),
``\\url{…}`` in ``howpublished``/``note``, ``eprint`` with ``eprinttype`` or
``archivePrefix``, Google Scholar's ``journal = {arXiv preprint arXiv:…}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

DOI_HOSTS = {"doi.org", "dx.doi.org"}
ARXIV_HOSTS = {"arxiv.org", "export.arxiv.org"}
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_hsenc|_hsmi|ref_src|ref_url|"
                      r"xtor|at_medium|at_campaign|s_cid|cmpid|ncid|yclid)$", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z-]+)(?:\.[A-Z]{2})?/(\d{7})(v\d+)?$", re.I)
_ARXIV_IN_TEXT = re.compile(r"arxiv\s*[:/]?\s*(?:abs/)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)
# A DOI inside any address: a registrant prefix, a slash, then the suffix up to the path's end.
_DOI_IN_PATH = re.compile(r"(?:^|/)(10\.\d{4,9}/[^?#\s]+)")
# What publishers put after a DOI in their paths: views of the same work, never part of a DOI we match first.
_AFTER_DOI = re.compile(r"(/(abstract|full|fulltext|pdf|epdf|pdfdirect|html|references|citedby|figures|"
                        r"supplemental|suppl_file|meta|summary|epub|reader|toc|issuetoc))+$|\.pdf$", re.I)
WIKIPEDIA = re.compile(r"^(?:(\w[\w-]*)\.)?(?:m\.)?wikipedia\.org$")
# Entry types whose ISBN is the work's own; a paper or chapter shares its volume's ISBN.
BOOK_LEVEL = {"book", "mvbook", "collection", "mvcollection", "proceedings", "mvproceedings", "reference",
              "mvreference", "booklet", "manual", "periodical", "thesis", "phdthesis", "mastersthesis", "report",
              "techreport"}
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)


@dataclass(frozen=True)
class Identifier:
    kind: str  # "doi", "arxiv", "isbn", "url"
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def doi(text: str) -> str | None:
    """``10.1038/nature14539`` from a DOI in any usual spelling, lower-cased."""
    value = unquote(text.strip()) if "%" in text else text.strip()
    if value.startswith("10."):  # a bare DOI, as most .bib files write it: nothing to take apart
        pass
    elif value.lower().startswith("doi:"):
        value = value[4:].strip()
    else:
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and _host(parts.netloc) in DOI_HOSTS:
            value = parts.path.lstrip("/")
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
    match = _ARXIV_NEW.match(value)
    if match:
        return match.group(1).lower()
    # Old-style ids: the subject class (cs.DB/0003005) is not part of the id (cs/0003005).
    match = _ARXIV_OLD.match(value)
    return f"{match.group(1)}/{match.group(2)}".lower() if match else None


def arxiv_from_doi(value: str) -> str | None:
    match = _ARXIV_DOI.match(value)
    return arxiv(match.group(1)) if match else None


def dois_in_url(text: str) -> list[str]:
    """DOIs a publisher's address may hold, most likely first, lower-cased.

    Any ``10.NNNN/…`` in the path (``link.springer.com/chapter/10.1007/…``,
    ``onlinelibrary.wiley.com/doi/full/10.1002/…``) or in a query value
    (``?doi=10.…``), as a rule rather than a list of hosts. Publishers append
    views (``/abstract``, ``/full``, ``.pdf``) and a DOI may itself hold
    slashes, so every shorter prefix at a ``/`` follows the trimmed one.
    """
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in ("http", "https"):
        return []
    found: list[str] = []
    places = [unquote(parts.path)] + [value for _, value in parse_qsl(parts.query) if value.startswith("10.")]
    for place in places:
        match = _DOI_IN_PATH.search(place) if place.startswith(("/", "10.")) else None
        if not match:
            continue
        whole = match.group(1).rstrip("/.")
        trimmed = _AFTER_DOI.sub("", whole)
        candidates = [trimmed, whole]
        pieces = whole.split("/")
        candidates += ["/".join(pieces[:n]) for n in range(len(pieces) - 1, 1, -1)]
        for candidate in candidates:
            candidate = candidate.lower()
            if _DOI.match(candidate) and candidate not in found:
                found.append(candidate)
    return found


def wikipedia(text: str) -> str | None:
    """``fr:Jeu de go`` for an article of any Wikipedia, linked or as a permanent link (``?oldid=``).

    ``/wiki/Title``, ``/w/index.php?title=Title&oldid=…``, the mobile site and
    spaces/underscores or percent-encoding all name the same article.
    """
    parts = urlsplit(text.strip())
    match = WIKIPEDIA.match(_host(parts.netloc)) if parts.scheme.lower() in ("http", "https") else None
    if not match:
        return None
    title = None
    if parts.path.startswith("/wiki/"):
        title = unquote(parts.path[len("/wiki/"):])
    elif parts.path.startswith("/w/index.php"):
        title = dict(parse_qsl(parts.query)).get("title")
    if not title or ":" in title:  # Special:, Catégorie:, Talk:… pages are not articles
        return None
    title = " ".join(title.replace("_", " ").split())
    return f"{match.group(1) or 'en'}:{title[:1].upper()}{title[1:]}"


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
    order of the other query parameters. The path is compared as an IRI and
    its URI alike (RFC 3987 §3.1): ``/%C3%89ditions`` and ``/Éditions`` are one
    path, percent-escapes written in either case; an escaped ``/`` (``%2F``)
    stays apart from a ``/``.
    """
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    host = _host(parts.netloc)
    path = _canonical_path(parts.path)
    path = (re.sub(r"/{2,}", "/", path) if "//" in path else path).rstrip("/")
    if not parts.query:
        return urlunsplit(("https", host, path, "", ""))
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    return urlunsplit(("https", host, path, urlencode(query), ""))


# What the path of an address may hold unescaped (RFC 3986 §3.3: pchar and "/"), "%" left to escape.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_PATH_PLAIN = re.compile(r"[A-Za-z0-9/:@!$&'()*+,;=._~-]*")


def _canonical_path(path: str) -> str:
    """``path`` with every character that needs it percent-escaped in UTF-8, and only those (one spelling)."""
    if _PATH_PLAIN.fullmatch(path):
        return path
    pieces = re.split(r"(%2[Ff])", path)  # an escaped "/" is not a "/": kept escaped
    return "".join(piece.upper() if i % 2 else quote(unquote(piece), safe=_PATH_SAFE) for i, piece in enumerate(pieces))


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
    lowered = target.lower()
    # Each test runs only when the address can hold what it looks for (a library's thousands of URLs).
    value = arxiv(target) if "arxiv" in lowered or lowered.startswith("10.48550") else None
    if value:
        found.append(Identifier("arxiv", value))
    if "10." in target:  # every DOI starts with "10."
        value = doi(target)
        if value:
            found.append(Identifier("doi", value))
        else:
            found += [Identifier("doi", candidate) for candidate in dois_in_url(target)]
    value = wikipedia(target) if "wikipedia" in lowered else None
    if value:
        found.append(Identifier("wikipedia", value))
    if lowered.startswith("isbn:"):
        value = isbn(target.split(":", 1)[1])
        if value:
            found.append(Identifier("isbn", value))
    elif "isbn" in lowered:
        match = re.search(r"(?:/isbn/|[?&]isbn=)([\dXx-]{10,17})", target, re.I)
        value = isbn(match.group(1)) if match else None
        if value:
            found.append(Identifier("isbn", value))
    value = url(target)
    if value:
        found.append(Identifier("url", value))
    return found


def entry_identifiers(fields: dict[str, str], entry_type: str | None = None) -> list[Identifier]:
    """What a bibliography entry identifies: its DOI, arXiv id, ISBNs (book-level types only), URLs.

    ``fields`` are raw BibTeX values (LaTeX escapes are undone here); ``entry_type``
    in lower case, or None to take every ISBN.
    """
    from .latex import verbatim

    def value_of(name: str) -> str:
        return verbatim(fields.get(name) or "")

    found: list[Identifier] = []

    def add(identifier: Identifier) -> None:
        if identifier not in found:
            found.append(identifier)

    prefix = (value_of("archiveprefix") or value_of("eprinttype")).strip().lower()
    eprint = value_of("eprint")
    if eprint and prefix in ("arxiv", ""):
        value = arxiv(eprint)
        if value:
            add(Identifier("arxiv", value))
    elif eprint and prefix == "doi" and doi(eprint):
        add(Identifier("doi", doi(eprint)))
    if value_of("doi"):
        value = doi(value_of("doi"))
        if value:
            add(Identifier("doi", value))
            from_doi = arxiv_from_doi(value)
            if from_doi:
                add(Identifier("arxiv", from_doi))
    # Google Scholar: journal = {arXiv preprint arXiv:2106.09685}; others put it in note.
    for name in ("journal", "journaltitle", "note", "howpublished"):
        match = _ARXIV_IN_TEXT.search(fields.get(name) or "")
        if match:
            value = arxiv(match.group(1))
            if value:
                add(Identifier("arxiv", value))
    if entry_type is None or entry_type in BOOK_LEVEL:
        for value in isbns(value_of("isbn")):
            add(Identifier("isbn", value))
    for address in entry_urls(fields):
        for identifier in link_identifiers(address):
            add(identifier)
    return found


# `\textasciitilde user` is one address: TeX drops the spaces that end a control word.
_CONTROL_WORD = r"\\text(?:asciitilde|underscore)(?![A-Za-z])[ \t]*(?:\{\})?"
_URL_IN_TEXT = re.compile(rf"\\url\{{((?:{_CONTROL_WORD}|[^{{}}\s])+)\}}|\\href\{{((?:{_CONTROL_WORD}|[^{{}}\s])+)\}}|"
                          rf"(https?://(?:{_CONTROL_WORD}|[^\s{{}}<>])+)")


def entry_urls(fields: dict[str, str]) -> list[str]:
    """The addresses an entry gives: ``url``, then any in ``howpublished`` or ``note`` (escapes undone)."""
    from .latex import verbatim

    found = []
    if fields.get("url"):
        found.append(verbatim(fields["url"]))
    for name in ("howpublished", "note"):
        for match in _URL_IN_TEXT.finditer(fields.get(name) or ""):
            command, href, bare = match.groups()
            address = verbatim(command or href) if command or href else _in_prose(verbatim(bare))
            if address not in found:
                found.append(address)
    return found


def _in_prose(address: str) -> str:
    """An address written in a sentence, less the punctuation of the sentence after it.

    A final ``.``, ``,``, ``;``, ``:``, ``!``, ``?`` belongs to the sentence, and a
    ``)`` when it closes no ``(`` of the address (``(voir https://x.org/a)``),
    not in ``https://en.wikipedia.org/wiki/Go_(game)``.
    """
    while address:
        if address[-1] in ".,;:!?" or (address[-1] == ")" and address.count(")") > address.count("(")):
            address = address[:-1]
        else:
            break
    return address


# -- finding the entries that may hold an identifier, without taking every entry apart ---------------------

#: The fields ``entry_identifiers`` reads an identifier from (``archiveprefix``/``eprinttype`` only qualify ``eprint``).
IDENTIFIER_FIELDS = ("doi", "eprint", "url", "howpublished", "note", "journal", "journaltitle", "isbn")
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_ALNUM_ASCII = bytes(c for c in range(128) if not chr(c).isalnum())
# The LaTeX control words `latex.verbatim` turns into a character that is no letter nor digit (_ and ~).
_ESCAPE_WORDS = re.compile(r"\\text(?:underscore|asciitilde)(?![A-Za-z])")


def _words(text: str) -> str:
    """``text`` case-folded, with nothing but its letters and digits (ASCII ones dropped in C, fast)."""
    kept = text.casefold().encode("utf-8", "surrogatepass").translate(None, _NOT_ALNUM_ASCII)
    words = kept.decode("utf-8", "surrogatepass")
    return words if words.isascii() else _NOT_WORD.sub("", words)


def searchable(text: str) -> str:
    """``text`` (an entry's raw fields of ``IDENTIFIER_FIELDS``) as the text ``probes`` are looked for in.

    Every identifier ``entry_identifiers`` finds in those fields is made of
    characters of the raw text, taken in order, less some: LaTeX escapes undone
    (``{\\_}``, ``\\textunderscore``), percent-escapes decoded, case changed,
    punctuation and spaces dropped or changed. So this text is the raw one
    with those escapes undone (as ``latex.verbatim`` does; they all give a
    character that is no letter nor digit), case-folded, with nothing but its
    letters and digits; when it holds a ``%``, the same of the percent-decoded
    text follows (an address is matched with and without decoding). Whatever
    ``probes`` gives for an identifier of the entry is then a substring of it.
    About 0.5 µs an entry.
    """
    found = _words(_ESCAPE_WORDS.sub("", text) if "\\text" in text else text)
    if "%" in text:
        from .latex import undo_address_escapes

        found += " " + _words(unquote(undo_address_escapes(text)))
    return found


def probes(identifier: Identifier) -> tuple[str, ...]:
    """Pieces the ``searchable`` text of any entry that identifies ``identifier`` must hold ("" matches all).

    A necessary condition only, cheap to test on thousands of entries: the
    entries it keeps are then taken apart by ``entry_identifiers``. The first
    letter of a Wikipedia title is left out (it is upper-cased, and ``ß``
    becomes ``SS``); an old arXiv id keeps its number (``cs.DB/0003005`` is
    ``cs/0003005``); an ISBN its nine digits an ISBN-10 shares with its ISBN-13.
    """
    value = identifier.value
    word = _words
    if identifier.kind == "arxiv":
        return (word(value.rpartition("/")[2]),)
    if identifier.kind == "isbn":
        return (value[3:12],)
    if identifier.kind == "wikipedia":
        return (word(value.partition(":")[2][1:]),)
    if identifier.kind == "url":
        parts = urlsplit(value)
        return word(parts.netloc), word(unquote(parts.path))  # as the entry may write it: decoded
    return (word(value),)  # a DOI, or a kind to come: its whole value
