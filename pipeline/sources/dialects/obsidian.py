"""Obsidian: ``[[wikilinks]]``, ``![[embeds]]``, ``[[@citekey]]`` and ``%%comments%%``.

A wikilink to another note has nowhere to point in a book: its text (the
alias after ``|``, else the note's name) is printed, with one warning per
manuscript. ``[[#Heading]]`` links to the heading of this text;
``[[@key]]`` (the Citations plugin) cites ``key``; ``![[file.png|300]]`` is an
image (300 px wide); ``![[Other note]]`` cannot be embedded and is reported.
"""

from __future__ import annotations

import re
import unicodedata

from . import Context, Dialect, destination, escape, figure, outside_code, unknown
from .liquid import IMAGE_FILE
from .tokens import EMBED, WIKILINK, Tag

_COMMENT = re.compile(r"%%.*?%%", re.S)


def heading_id(text: str) -> str:
    """Pandoc's identifier for a heading (``auto_identifiers`` + ``ascii_identifiers``)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s.-]", "", text.lower()).strip()
    text = re.sub(r"\s+", "-", text)
    return text.lstrip("0123456789.-_") or "section"


class Obsidian(Dialect):
    name = "Obsidian"

    def rewrite_lines(self, text: str, first_line: int, context: Context) -> str:
        if "%%" not in text:
            return text
        out = []
        for start, end, is_code in outside_code(text):
            chunk = text[start:end]
            # a comment's newlines are kept so that lines stay where they were
            out.append(chunk if is_code else _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), chunk))
        return "".join(out)

    def convert(self, tag: Tag, context: Context) -> str | None:
        if tag.kind == WIKILINK:
            return self.wikilink(tag, context)
        if tag.kind == EMBED:
            return self.embed(tag, context)
        return None

    def wikilink(self, tag: Tag, context: Context) -> str:
        target, _, alias = tag.name.partition("|")
        target = target.strip()
        if target.startswith("@"):  # the Citations plugin: [[@key]]
            key = target[1:]
            if re.fullmatch(r"[\w:.#$%&+?<>~/-]+", key):
                return f"[@{key}]"
            return unknown(tag, context, why="it is not a citation key")
        page, _, heading = target.partition("#")
        shown = alias.strip() or (heading.lstrip("^") if not page else page.rsplit("/", 1)[-1])
        if not page and heading and not heading.startswith("^"):
            return f"[{escape(shown)}](#{heading_id(heading)})"
        context.warn_once("wikilink", f"wikilink {tag.raw} points to another note, which is not in this book: "
                          "its text is printed (this is said once per manuscript)", tag.line)
        return escape(shown)

    def embed(self, tag: Tag, context: Context) -> str:
        target, _, option = tag.name.partition("|")
        target = target.strip()
        if IMAGE_FILE.search(target):
            size = option.strip()
            width = re.fullmatch(r"(\d+)(?:x\d+)?", size)
            alt = "" if width or not size else size
            image = figure(target, alt or None, block=tag.line_start)
            if width:
                image = image.rstrip("\n") + f"{{width={width.group(1)}px}}" + ("" if tag.line_start else "\n\n")
            if not alt:
                context.warn(f"embedded image {target!r} has no description: write ![[{target}|description]]",
                             tag.line)
            return image
        if target.lower().endswith((".pdf", ".mp4", ".webm", ".mp3", ".ogg")):
            return f"[{escape(target.rsplit('/', 1)[-1])}]({destination(target)})"
        return unknown(tag, context, why="another note cannot be embedded in this book; its name is printed") \
            + escape(target)


DIALECT = Obsidian()
