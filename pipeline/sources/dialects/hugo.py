"""Hugo: shortcodes ``{{< name args >}}`` and ``{{% name %}}…{{% /name %}}``.

Hugo's embedded shortcodes (gohugo.io/content-management/shortcodes/):
``figure``, ``ref``/``relref``, ``highlight``, ``youtube``, ``vimeo``,
``x``/``tweet``, ``gist``, ``instagram``, ``param``, ``details``; and the
admonition shortcodes themes add (``notice``, ``admonition``, ``alert``,
``hint``, ``callout``, ``note``, ``tip``, ``warning``…).
"""

from __future__ import annotations

import re

from . import Context, Dialect, code_block, div, escape, figure, labelled_link, unknown
from .admonitions import ADMONITION_NAMES, canonical
from .tokens import HUGO, Tag

IMAGE_NAMES = {"figure", "img", "image", "picture"}
VIDEO_URLS = {
    "youtube": ("YouTube", "https://www.youtube.com/watch?v={id}"),
    "youtube-nocookie": ("YouTube", "https://www.youtube.com/watch?v={id}"),
    "vimeo": ("Vimeo", "https://vimeo.com/{id}"),
    "dailymotion": ("Dailymotion", "https://www.dailymotion.com/video/{id}"),
    "peertube": ("PeerTube", "{id}"),
}
VIDEO_WORDS = {"fr": "Vidéo", "en": "Video"}


def site_path(target: str) -> str:
    """The root-relative address of a page named by ``ref``/``relref``/``link``/``post_url``.

    The site's permalinks are not known here: ``posts/autre.md`` becomes
    ``/posts/autre/``, resolved against ``base_url`` like any root-relative link.
    """
    path, _, fragment = target.strip().partition("#")
    path = re.sub(r"(?:/?_?index)?\.(?:md|markdown|html|qmd|ipynb)$", "", path.strip("/"))
    address = f"/{path}/" if path else ""
    return address + (f"#{fragment}" if fragment else "")


def lookup(front_matter: dict, key: str):
    """A front matter value by name, as Hugo's ``param`` finds it: the page's own keys, then ``params``/``extra``."""
    for scope in (front_matter, front_matter.get("params"), front_matter.get("extra")):
        if isinstance(scope, dict):
            value = scope.get(key)
            if value is None:
                value = next((v for k, v in scope.items() if k.lower() == key.lower()), None)
            if value is not None:
                return value
    return None


def words(context: Context, table: dict[str, str]) -> str:
    """A word make-book writes, as a span the admonitions dialect puts in the text's language once it is known."""
    return "[" + table["en"] + "]{.term}"


class Hugo(Dialect):
    name = "Hugo"

    def convert(self, tag: Tag, context: Context) -> str | None:
        if tag.kind != HUGO:
            return None
        name = tag.name.lower()
        if name in IMAGE_NAMES:
            src = tag.arg("src", position=0)
            if not src:
                return unknown(tag, context, why="it names no image (src=…)")
            return figure(src, tag.arg("caption", "title"), tag.arg("alt"), block=tag.line_start)
        if name in ("toc", "table-of-contents"):  # the book prints its own contents
            return ""
        if name in ("ref", "relref"):
            target = tag.arg("path", position=0)
            return site_path(target) if target else unknown(tag, context, why="it names no page")
        if name == "highlight":
            return code_block(tag.body or "", tag.arg("lang", position=0))
        if name in VIDEO_URLS:
            label, pattern = VIDEO_URLS[name]
            video = tag.arg("id", "src", position=0)
            if not video:
                return unknown(tag, context, why="it names no video")
            title = tag.arg("title")
            return labelled_link(f"{words(context, VIDEO_WORDS)} {label}", pattern.format(id=video), title)
        if name in ("x", "tweet", "twitter"):
            user, post = tag.arg("user", position=0), tag.arg("id", position=1)
            if not post:
                return unknown(tag, context, why="it names no post (id=…)")
            url = f"https://x.com/{user}/status/{post}" if user else f"https://x.com/i/status/{post}"
            return labelled_link("X" if name == "x" else "Twitter", url, f"@{user}" if user else None)
        if name == "instagram":
            post = tag.arg("id", position=0)
            return labelled_link("Instagram", f"https://www.instagram.com/p/{post}/") if post else \
                unknown(tag, context, why="it names no post")
        if name == "gist":
            user, gist = tag.arg("user", position=0), tag.arg("id", position=1)
            if not (user and gist):
                return unknown(tag, context, why="it needs a user and a gist id")
            shown = f"{gist} ({tag.arg('file', position=2)})" if tag.arg("file", position=2) else gist
            return labelled_link("Gist", f"https://gist.github.com/{user}/{gist}", shown)
        if name == "param":
            key = tag.arg("name", position=0) or ""
            value = lookup(context.front_matter, key)
            if isinstance(value, (str, int, float)):
                return escape(str(value))
            return unknown(tag, context, why=f"the front matter has no value {key!r} to print")
        if name in ("details", "spoiler", "collapse"):
            return div(["admonition", "details"], context.render(tag.children),
                       title=tag.arg("summary", "title", position=0), block=tag.line_start)
        if name in ADMONITION_NAMES or name in ("notice", "admonition", "alert", "hint", "callout", "box"):
            kind = name
            if name in ("notice", "admonition", "alert", "hint", "callout", "box"):
                kind = tag.arg("type", "style", "context", position=0) or "note"
            title = tag.arg("title", position=1 if name in ("notice", "admonition") else None)
            if tag.body is None:
                return unknown(tag, context, why="an admonition needs a closing tag")
            return div(["admonition", canonical(kind)], context.render(tag.children), title=title,
                       block=tag.line_start)
        return None


DIALECT = Hugo()
