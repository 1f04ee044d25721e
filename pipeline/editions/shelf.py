"""The shelf: dist/index.html, a page listing every edition, for sharing them.

It is made from the build cache (titles, authors, dates, page counts), with
cover thumbnails taken from the EPUBs and the house font copied beside it, so
the page makes no request outside its folder.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
import zipfile
from pathlib import Path
from urllib.parse import quote

from lxml import etree
from lxml.builder import ElementMaker

from ..cache import BuildCache
from ..config import BCP47
from ..errors import ProjectError
from ..project import house_styles
from ..terms import authors_line, format_date

SHELF = "index.html"
ASSETS = "shelf"
# how to choose another output folder, for the hint of a refused page: as the folder was chosen
OUTPUT_SETTING = "set another 'output' folder in make-book.toml"
OUT_OPTION = "give another folder to --out"
FONTS = ("CharisSIL-Regular.ttf", "CharisSIL-Italic.ttf", "CharisSIL-Bold.ttf")
TITLES = {"fr": "Éditions", "en": "Editions"}
DRAFT = {"fr": "Brouillon", "en": "Draft"}
EMPTY = {"fr": "Aucune édition pour l’instant : lancez make-book pour les construire.",
         "en": "No editions yet: run make-book to build them."}
GENERATOR = "make-book shelf"  # the mark by which make-book knows an index.html as its own
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
VOID = {"meta", "img", "br", "link", "hr", "input"}
LEGACY_MARK = b'src: url("shelf/CharisSIL-Regular.ttf")'  # shelves written before the generator mark
MAX_COVER_BYTES = 20 * 1024 * 1024
MAX_COVER_PIXELS = 40_000_000
H = ElementMaker(namespace=XHTML_NS, nsmap={None: XHTML_NS})
log = logging.getLogger(__name__)

STYLE = """
@font-face { font-family: "Charis SIL"; src: url("shelf/CharisSIL-Regular.ttf"); }
@font-face { font-family: "Charis SIL"; font-style: italic; src: url("shelf/CharisSIL-Italic.ttf"); }
@font-face { font-family: "Charis SIL"; font-weight: bold; src: url("shelf/CharisSIL-Bold.ttf"); }
body { font-family: "Charis SIL", serif; margin: 2.5rem auto; max-width: 46rem; padding: 0 1rem; color: #222;
       background: #f5f0e6; line-height: 1.45; }
h1 { font-size: 2rem; margin-bottom: 2rem; }
ol { list-style: none; padding: 0; }
li { display: flex; gap: 1.5rem; margin-bottom: 2rem; align-items: flex-start; }
li img { width: 7.5rem; height: auto; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
h2 { font-size: 1.3rem; margin: 0 0 .3rem 0; }
p { margin: .2rem 0; }
.subtitle, .date { font-style: italic; }
.facts { color: #555; font-size: .9rem; }
.draft { display: inline-block; font-size: .8rem; font-weight: bold; letter-spacing: .05em; text-transform: uppercase;
         color: #fff; background: #8c2626; padding: .05rem .4rem; margin-right: .4rem; vertical-align: middle; }
a { color: #8c2626; }
"""


def write_shelf(out_dir: Path, lang: str | None = None, *, drafts: bool = False,
                elsewhere: str = OUTPUT_SETTING) -> Path:
    """Write ``out_dir``/index.html for the editions recorded in the build cache; return its path.

    The page speaks ``lang``, by default the language most editions are in. It
    is built as an XHTML tree with lxml, so no value from a manuscript (title,
    author, language) or from the cache can add markup; a language that is not
    a BCP 47 tag is replaced by ``en`` (the cache is untrusted input).
    Raises :class:`~pipeline.errors.ProjectError` when ``out_dir`` holds an
    index.html that make-book did not write; its hint says to move that file away or
    to ``elsewhere`` (how the output folder was chosen: ``--out`` or make-book.toml).
    Draft editions (``essai.draft.pdf``) are listed only with ``drafts``, or when
    there is no final edition at all, each marked as a draft: a shelf for sharing
    never offers them beside final editions. Before any build
    (or with a new output folder) the folder is created and the page says that
    nothing is built yet.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = BuildCache(out_dir)
    if lang is None or not BCP47.fullmatch(lang):
        langs = [_safe_lang(e.meta.get("lang")).split("-")[0] for e in cache.entries.values()]
        lang = max(sorted(set(langs)), key=langs.count) if langs else "en"
    target = out_dir / SHELF
    refuse_foreign_page(target, elsewhere=elsewhere)
    assets = out_dir / ASSETS
    for folder in (assets, assets / "covers"):
        if folder.is_symlink():  # make-book's own folder names: a link planted there is replaced, not followed
            folder.unlink()
    assets.mkdir(exist_ok=True)
    for name in FONTS:
        source = house_styles() / "fonts" / name
        if not (assets / name).is_file() or (assets / name).stat().st_size != source.stat().st_size:
            copy_into(source, assets / name, out_dir)
    items = []
    # With no final edition at all (a project built only with --draft), the drafts are the shelf: listed,
    # each marked as a draft, rather than a page saying nothing was built.
    finals = [e for e in cache.entries.values() if not e.meta.get("draft_edition") and _present(out_dir, e)]
    drafts = drafts or not finals
    for slug, entry in sorted(cache.entries.items(), key=lambda kv: str(kv[1].meta.get("date", "")), reverse=True):
        if entry.meta.get("draft_edition") and not drafts:
            continue
        outputs = {fmt: out for fmt, out in entry.outputs.items()
                   if (out_dir / out["file"]).is_file() and not (out_dir / out["file"]).is_symlink()}
        if not outputs:
            continue
        items.append(_item(out_dir, slug, entry.meta, outputs, lang))
    title = TITLES.get(lang, TITLES["en"])
    html_element = H.html(
        H.head(H.meta(charset="utf-8"), H.meta(name="viewport", content="width=device-width, initial-scale=1"),
               H.meta(name="generator", content=GENERATOR), H.title(title), H.style(STYLE)),
        H.body(H.h1(title), H.ol(*items) if items else H.p(EMPTY.get(lang.split("-")[0], EMPTY["en"]))),
        lang=lang)
    html_element.set(f"{{{XML_NS}}}lang", lang)
    for element in html_element.iter():
        if element.text is None and len(element) == 0 and etree.QName(element).localname not in VOID:
            element.text = ""  # <ol></ol>, never <ol/>, which an HTML parser reads as an open tag
    page = b"<!DOCTYPE html>\n" + etree.tostring(html_element, encoding="utf-8") + b"\n"
    temporary = target.with_name(f".{SHELF}.part")
    temporary.unlink(missing_ok=True)  # never write through a symlink planted in dist/
    temporary.write_bytes(page)
    temporary.replace(target)
    return target


def _item(out_dir: Path, slug: str, meta: dict, outputs: dict, lang: str) -> etree._Element:
    """One <li> of the shelf: cover, title, subtitle, authors, date, facts, links."""
    book_lang = _safe_lang(meta.get("lang"))
    title = str(meta.get("title") or slug)
    facts = [_language_name(book_lang)]
    pages = outputs.get("pdf", {}).get("pages")
    if isinstance(pages, int) and pages > 0:
        facts.append(f"{pages} p.")
    text = H.div(H.h2(title, lang=book_lang))
    if meta.get("draft_edition") or meta.get("draft"):  # a draft edition, or a post marked draft
        label = H.span(DRAFT.get(lang.split("-")[0], DRAFT["en"]), **{"class": "draft"})
        label.tail = text[0].text
        text[0].text = None
        text[0].insert(0, label)
    if meta.get("subtitle"):
        text.append(H.p(str(meta["subtitle"]), **{"class": "subtitle"}))
    authors = meta.get("author")
    if isinstance(authors, list) and authors:
        text.append(H.p(authors_line(tuple(str(a) for a in authors), book_lang)))
    date = _date(meta.get("date"))
    if date is not None:
        text.append(H.p(format_date(date, book_lang), **{"class": "date"}))
    text.append(H.p(" · ".join(facts), **{"class": "facts"}))
    links = H.p()
    for index, (fmt, out) in enumerate(sorted(outputs.items(), key=lambda kv: kv[0] != "pdf")):
        link = H.a(fmt.upper(), href=quote(out["file"]))
        link.tail = f" ({_size(out.get('size', 0), lang)})"
        if index:
            links[-1].tail += " · "
        links.append(link)
    text.append(links)
    item = H.li()
    cover = _thumbnail(out_dir, slug, outputs.get("epub"))
    if cover:
        item.append(H.img(src=cover, alt=title))
    item.append(text)
    return item


def _present(out_dir: Path, entry) -> bool:
    """Whether one of the entry's editions is still in ``out_dir`` (a real file, not a planted link)."""
    return any((out_dir / out["file"]).is_file() and not (out_dir / out["file"]).is_symlink()
               for out in entry.outputs.values())


def has_drafts(out_dir: Path) -> bool:
    """Whether draft editions were built in ``out_dir``: then each build rewrites the shelf, which shows
    them after a draft build and hides them after a final one."""
    return any(entry.meta.get("draft_edition") for entry in BuildCache(out_dir).entries.values())


def _safe_lang(value: object) -> str:
    return value if isinstance(value, str) and BCP47.fullmatch(value) else "en"


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def refuse_foreign_page(target: Path, *, elsewhere: str = OUTPUT_SETTING) -> None:
    """Raise ProjectError when ``target`` exists and is not a shelf make-book wrote (its generator mark)."""
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise ProjectError(f"{target} is a link or a folder, not a shelf page make-book wrote", path=target,
                           hint=f"remove it, or {elsewhere}")
    if target.is_file():
        with open(target, "rb") as stream:
            head = stream.read(4096)
        if f'content="{GENERATOR}"'.encode() not in head and LEGACY_MARK not in head:
            raise ProjectError(f"{target.name} in the output folder was not written by make-book; it is kept",
                               path=target, hint=f"move that file away, or {elsewhere}")


def copy_into(source: Path, target: Path, out_dir: Path) -> None:
    """Copy ``source`` to ``target`` inside ``out_dir``, never through a symlink planted there."""
    if not target.parent.resolve().is_relative_to(out_dir.resolve()):
        raise ProjectError(f"{target.parent} leaves the output folder", path=target.parent,
                           hint="remove the symbolic link from the output folder")
    target.unlink(missing_ok=True)
    shutil.copyfile(source, target)


def _thumbnail(out_dir: Path, slug: str, epub: dict | None) -> str | None:
    """covers/<slug>.png from the EPUB's cover image; its address relative to the shelf."""
    if epub is None:
        return None
    target = out_dir / ASSETS / "covers" / f"{slug}.png"
    if target.is_file() and target.stat().st_mtime >= (out_dir / epub["file"]).stat().st_mtime:
        return f"{ASSETS}/covers/{slug}.png"  # made from this very EPUB already
    from PIL import Image

    try:
        with zipfile.ZipFile(out_dir / epub["file"]) as archive:
            name = next((n for n in archive.namelist() if n.startswith("EPUB/images/cover.")), None)
            if name is None or archive.getinfo(name).file_size > MAX_COVER_BYTES:
                return None
            with Image.open(io.BytesIO(archive.read(name))) as image:
                if image.width * image.height > MAX_COVER_PIXELS:
                    return None
                image.thumbnail((300, 450))
                thumbnail = image.convert("RGB")
    except (OSError, ValueError, zipfile.BadZipFile, Image.DecompressionBombError) as exc:
        log.warning("%s: no cover on the shelf (%s)", epub["file"], exc)
        return None
    (out_dir / ASSETS / "covers").mkdir(exist_ok=True)
    if not target.parent.resolve().is_relative_to(out_dir.resolve()):
        return None
    target.unlink(missing_ok=True)
    thumbnail.save(target, format="PNG", optimize=True)
    return f"{ASSETS}/covers/{slug}.png"


def _language_name(lang: str) -> str:
    from babel import Locale

    try:
        name = Locale.parse(lang.replace("-", "_")).get_display_name(lang.replace("-", "_"))
        return name[:1].upper() + name[1:]
    except (ValueError, LookupError):
        return lang


def _size(size: int, lang: str) -> str:
    kilo, mega = ("Ko", "Mo") if lang == "fr" else ("KB", "MB")
    return f"{size / 1024:.0f} {kilo}" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} {mega}"
