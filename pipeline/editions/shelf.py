"""The shelf: dist/index.html, a page listing every edition, for sharing them.

It is made from the build cache (titles, authors, dates, page counts), with
cover thumbnails taken from the EPUBs and the house font copied beside it, so
the page makes no request outside its folder.
"""

from __future__ import annotations

import html
import io
import shutil
import zipfile
from pathlib import Path

from ..cache import BuildCache
from ..project import house_styles
from ..terms import authors_line, format_date

SHELF = "index.html"
ASSETS = "shelf"
FONTS = ("CharisSIL-Regular.ttf", "CharisSIL-Italic.ttf", "CharisSIL-Bold.ttf")
TITLES = {"fr": "Éditions", "en": "Editions"}

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
a { color: #8c2626; }
"""


def write_shelf(out_dir: Path, lang: str | None = None) -> Path:
    """Write ``out_dir``/index.html for the editions recorded in the build cache; return its path.

    The page speaks ``lang``, by default the language most editions are in.
    """
    cache = BuildCache(out_dir)
    if lang is None:
        langs = [e.meta.get("lang", "en").split("-")[0] for e in cache.entries.values()]
        lang = max(sorted(set(langs)), key=langs.count) if langs else "en"
    assets = out_dir / ASSETS
    assets.mkdir(exist_ok=True)
    for name in FONTS:
        source = house_styles() / "fonts" / name
        if not (assets / name).is_file() or (assets / name).stat().st_size != source.stat().st_size:
            shutil.copyfile(source, assets / name)
    items = []
    for slug, entry in sorted(cache.entries.items(), key=lambda kv: kv[1].meta.get("date", ""), reverse=True):
        outputs = {fmt: out for fmt, out in entry.outputs.items() if (out_dir / out["file"]).is_file()}
        if not outputs:
            continue
        meta = entry.meta
        book_lang = meta.get("lang", "en")
        cover = _thumbnail(out_dir, slug, outputs.get("epub"))
        facts = [_language_name(book_lang)]
        if "pdf" in outputs and outputs["pdf"].get("pages"):
            facts.append(f"{outputs['pdf']['pages']} p.")
        links = " · ".join(
            f'<a href="{html.escape(out["file"])}">{fmt.upper()}</a> ({_size(out["size"], lang)})'
            for fmt, out in sorted(outputs.items(), key=lambda kv: kv[0] != "pdf"))
        title = html.escape(meta.get("title", slug))
        parts = [f'<img src="{cover}" alt="{title}"/>' if cover else "",
                 f'<div><h2 lang="{html.escape(book_lang)}">{title}</h2>']
        if meta.get("subtitle"):
            parts.append(f'<p class="subtitle">{html.escape(meta["subtitle"])}</p>')
        if meta.get("author"):
            parts.append(f"<p>{html.escape(authors_line(tuple(meta['author']), book_lang))}</p>")
        if meta.get("date"):
            import datetime as dt

            parts.append(f'<p class="date">{html.escape(format_date(dt.date.fromisoformat(meta["date"]), book_lang))}'
                         "</p>")
        parts.append(f'<p class="facts">{html.escape(" · ".join(facts))}</p><p>{links}</p></div>')
        items.append(f"<li>{''.join(parts)}</li>")
    title = TITLES.get(lang, TITLES["en"])
    page = (f'<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="{lang}" xml:lang="{lang}">'
            f'<head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>'
            f"<title>{title}</title><style>{STYLE}</style></head>"
            f"<body><h1>{title}</h1><ol>{''.join(items)}</ol></body></html>\n")
    target = out_dir / SHELF
    temporary = target.with_name(f".{SHELF}.part")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(target)
    return target


def _thumbnail(out_dir: Path, slug: str, epub: dict | None) -> str | None:
    """covers/<slug>.png from the EPUB's cover image; its address relative to the shelf."""
    if epub is None:
        return None
    target = out_dir / ASSETS / "covers" / f"{slug}.png"
    if target.is_file() and target.stat().st_mtime >= (out_dir / epub["file"]).stat().st_mtime:
        return f"{ASSETS}/covers/{slug}.png"  # made from this very EPUB already
    from PIL import Image

    with zipfile.ZipFile(out_dir / epub["file"]) as archive:
        name = next((n for n in archive.namelist() if n.startswith("EPUB/images/cover.")), None)
        if name is None:
            return None
        image = Image.open(io.BytesIO(archive.read(name)))
        image.thumbnail((300, 450))
    (out_dir / ASSETS / "covers").mkdir(exist_ok=True)
    image.convert("RGB").save(target, format="PNG", optimize=True)
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
