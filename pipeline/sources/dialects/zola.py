"""Zola (Tera) shortcodes: ``{{ name(key=value) }}`` and ``{% name(key=value) %}…{% end %}``.

Zola has no built-in shortcodes beyond ``youtube``, ``vimeo``, ``streamable``
and ``gist`` in its documentation's examples; themes add image and note ones.
Image-like (``img``, ``image``, ``figure``, ``resize_image``) become figures,
note-like bodies admonitions.
"""

from __future__ import annotations

from . import Context, Dialect, div, figure, labelled_link, unknown
from .admonitions import ADMONITION_NAMES, canonical
from .hugo import IMAGE_NAMES, VIDEO_URLS, VIDEO_WORDS, words
from .tokens import EXPR, TAG, Tag


class Zola(Dialect):
    name = "Zola"

    def convert(self, tag: Tag, context: Context) -> str | None:
        if not tag.call or tag.kind not in (EXPR, TAG):
            return None
        name = tag.name.lower()
        if tag.kind == TAG and tag.body is not None:
            if name in ADMONITION_NAMES or name in ("admonition", "alert", "callout", "notice"):
                kind = name if name in ADMONITION_NAMES else tag.arg("type", "kind", position=0) or "note"
                return div(["admonition", canonical(kind)], context.render(tag.children),
                           title=tag.arg("title"), block=tag.line_start)
            return None
        if name in IMAGE_NAMES or name in ("resize_image", "img_caption"):
            src = tag.arg("src", "path", "file", position=0)
            if not src:
                return unknown(tag, context, why="it names no image")
            return figure(src, tag.arg("caption", "title"), tag.arg("alt"), block=tag.line_start)
        if name in VIDEO_URLS or name == "streamable":
            label, pattern = VIDEO_URLS.get(name, ("Streamable", "https://streamable.com/{id}"))
            video = tag.arg("id", position=0)
            return labelled_link(f"{words(context, VIDEO_WORDS)} {label}", pattern.format(id=video)) if video \
                else unknown(tag, context, why="it names no video")
        if name == "gist":
            url = tag.arg("url", position=0)
            return labelled_link("Gist", url) if url else unknown(tag, context, why="it names no gist")
        return None


DIALECT = Zola()
