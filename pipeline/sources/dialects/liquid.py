"""Liquid (Jekyll) and Nunjucks / Liquid (Eleventy): ``{% tag %}`` and ``{{ expression }}``.

Jekyll's tags (jekyllrb.com/docs/liquid/tags/): ``raw``, ``highlight``,
``link``, ``post_url``, ``include``; the ``site.url`` / ``site.baseurl`` and
``page.*`` variables; the ``relative_url`` / ``absolute_url`` filters. Eleventy
adds shortcodes written as tags (``{% image "src", "alt" %}``,
``{% youtube "id" %}``) and the ``url`` filter. Control flow (``if``, ``for``,
``assign``, ``capture``) cannot be run: the tags are left out with a warning and
what they enclose is kept.
"""

from __future__ import annotations

import re

from . import Context, Dialect, code_block, code_span, escape, figure, labelled_link, outside_code, unknown
from .hugo import IMAGE_NAMES, VIDEO_URLS, VIDEO_WORDS, lookup, site_path, words
from .tokens import EXPR, TAG, Tag

IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|avif)(?:[?#].*)?$", re.I)
SITE_VARIABLES = {"site.url", "site.baseurl", "site.base_url", "site.github.url", "base_url", "baseurl"}
_LITERAL = re.compile(r"""^\s*(["'])(?P<value>.*?)\1\s*\|\s*(?:relative_url|absolute_url|url|prepend:\s*site\.baseurl)\s*$""")
_SITE_PREFIX = re.compile(r"""^\s*site\.(?:url|baseurl)\s*(?:\|\s*append:\s*(["'])(?P<value>.*?)\1\s*)?$""")


def post_url(name: str) -> str:
    """Jekyll's default ("date") permalink of a post named ``2010-07-21-name``: ``/2010/07/21/name.html``."""
    match = re.match(r"(?:.*/)?(\d{4})-(\d{2})-(\d{2})-(.+?)(?:\.\w+)?$", name.strip())
    if not match:
        return site_path(name)
    year, month, day, slug = match.groups()
    return f"/{year}/{month}/{day}/{slug}.html"


_IAL = re.compile(r"^\s*\{:\s*(?P<inside>[^}]*)\}\s*$")
_TOC_ITEM = re.compile(r"^\s*(?:[-*+]|1\.)\s+(?:TOC|Table of Contents|Sommaire)\s*$", re.I)


class Liquid(Dialect):
    name = "Liquid"

    def rewrite_lines(self, text: str, first_line: int, context: Context) -> str:
        """kramdown's lines (Jekyll's Markdown): ``{:toc}`` and its list item, attribute lists ``{: .class}``.

        The book has its own contents, so ``* TOC`` + ``{:toc}`` go; an attribute list on its own line
        is left out with one warning (pandoc has no place for it). Lines are kept, as empty lines.
        """
        if "{:" not in text:
            return text
        out = []
        for start, end, is_code in outside_code(text):
            chunk = text[start:end]
            if is_code:
                out.append(chunk)
                continue
            lines = chunk.split("\n")
            for index, line in enumerate(lines):
                match = _IAL.match(line)
                if not match:
                    continue
                inside = match.group("inside").strip()
                if inside in ("toc", ":toc"):
                    if index and _TOC_ITEM.match(lines[index - 1]):
                        lines[index - 1] = ""
                else:
                    context.warn_once("ial", f"kramdown attribute list {{: {inside}}} is left out (this is said "
                                      "once per manuscript)", first_line + text.count("\n", 0, start) + index)
                lines[index] = ""
            out.append("\n".join(lines))
        return "".join(out)

    def convert(self, tag: Tag, context: Context) -> str | None:
        if tag.kind == EXPR and not tag.call:
            return self.expression(tag, context)
        if tag.kind != TAG or tag.call:
            return None
        name = tag.name.lower()
        if name in ("raw", "verbatim"):
            return shown_as_written(tag.body or "")
        if name in ("highlight", "codeblock", "code"):
            return code_block(tag.body or "", tag.arg("lang", position=0))
        if name == "comment":
            return ""
        if name == "link":
            target = tag.arg(position=0)
            return site_path(target) if target else unknown(tag, context, why="it names no file")
        if name == "post_url":
            target = tag.arg(position=0)
            return post_url(target) if target else unknown(tag, context, why="it names no post")
        if name in IMAGE_NAMES:  # Eleventy image shortcodes: {% image "src", "alt" %}
            src = tag.arg("src", "path", position=0)
            if not src:
                return unknown(tag, context, why="it names no image")
            return figure(src, tag.arg("caption", position=2), tag.arg("alt", position=1), block=tag.line_start)
        if name in VIDEO_URLS:
            label, pattern = VIDEO_URLS[name]
            video = tag.arg("id", position=0)
            return labelled_link(f"{words(context, VIDEO_WORDS)} {label}", pattern.format(id=video)) if video \
                else unknown(tag, context, why="it names no video")
        if name in ("include", "include_relative", "render"):
            return self.include(tag, context)
        return None

    def expression(self, tag: Tag, context: Context) -> str | None:
        text = tag.name.strip()
        literal = _LITERAL.match(text)
        if literal:
            return literal.group("value")
        prefix = _SITE_PREFIX.match(text)
        if prefix or text in SITE_VARIABLES:
            # the site's address: links after it are root-relative, resolved against base_url
            return (prefix.group("value") or "") if prefix else ""
        for scope in ("page.", "post."):
            if text.startswith(scope) and re.fullmatch(r"[\w.]+", text):
                key = text[len(scope):]
                value = lookup(context.front_matter, key)
                if isinstance(value, (str, int, float)):
                    return escape(str(value))
                return unknown(tag, context, why=f"the front matter has no value {key!r} to print")
        return None

    def include(self, tag: Tag, context: Context) -> str:
        """A theme include: figures and videos of common themes are understood; others left out."""
        image = next((v for k, v in tag.kwargs.items() if k in ("image_path", "image", "src", "file", "url", "path")
                      and IMAGE_FILE.search(v)), None)
        if image:
            return figure(image, tag.kwargs.get("caption") or tag.kwargs.get("title"), tag.kwargs.get("alt"),
                          block=tag.line_start)
        provider = (tag.kwargs.get("provider") or tag.arg(position=0) or "").lower()
        video = tag.kwargs.get("id")
        for name, (label, pattern) in VIDEO_URLS.items():
            if video and name in provider:
                return labelled_link(f"{words(context, VIDEO_WORDS)} {label}", pattern.format(id=video))
        return unknown(tag, context, why="make-book does not have the site's templates; it is left out")


DIALECT = Liquid()


_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def shown_as_written(body: str) -> str:
    """The body of ``{% raw %}``: Markdown whose template tags are shown, not run.

    Each ``{{ … }}`` or ``{% … %}`` outside code becomes a code span, which
    typography never touches (``{{ "x" }}`` must not become ``{{ « x » }}``);
    the rest is Markdown as Jekyll would pass it on.
    """
    pieces = []
    for start, end, is_code in outside_code(body):
        text = body[start:end]
        pieces.append(text if is_code else _TEMPLATE.sub(lambda m: code_span(m.group()), text))
    return "".join(pieces)
