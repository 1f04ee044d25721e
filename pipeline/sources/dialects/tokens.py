"""A tokenizer for the template syntax blogs put in Markdown, which is not Markdown.

Hugo shortcodes (``{{< name >}}``, ``{{% name %}}``), Liquid / Nunjucks / Tera
tags and expressions (``{% tag %}``, ``{{ expr }}``), Obsidian links
(``[[page]]``, ``![[file]]``) and the ``<!--more-->`` divider are found here,
in the manuscript's text, before pandoc reads it. Code is never looked into:
fenced code blocks (```` ``` ```` and ``~~~``, CommonMark's closing rule),
indented code blocks, and inline code spans (a run of N backticks closed by a
run of exactly N) are passed through untouched. Quoted strings inside a tag may
hold its closing delimiter.

Every tag carries its 1-based line in the manuscript file, for warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# syntax kinds
HUGO = "hugo"  # {{< name >}} (content not rendered as Markdown) and {{% name %}} (rendered)
TAG = "tag"  # {% name args %}: Liquid, Nunjucks, Tera
EXPR = "expr"  # {{ expression }}: Liquid, Nunjucks, Tera (Zola shortcodes are {{ name(args) }})
WIKILINK = "wikilink"  # [[target|label]]
EMBED = "embed"  # ![[file|size]]
MORE = "more"  # <!--more-->

_OPENERS = (
    ("{{<", ">}}", HUGO), ("{{%", "%}}", HUGO), ("{%", "%}", TAG), ("{{", "}}", EXPR),
    ("![[", "]]", EMBED), ("[[", "]]", WIKILINK),
)
# Liquid / Nunjucks tags whose body is kept as written: neither tags nor Markdown are read in it.
VERBATIM = {"raw", "verbatim", "highlight", "comment", "codeblock", "code"}


@dataclass
class Tag:
    """One template construct found in the text.

    ``name`` is the shortcode or tag name (``figure``, ``/figure``, ``endraw``,
    a Zola call's function); ``args`` the positional arguments and ``kwargs``
    the named ones, quotes removed; ``delimiter`` the opening delimiter
    (``{{<``, ``{{%``, ``{%``, ``{{``, ``[[``, ``![[``). For a paired
    construct, ``body`` is the text between the opening and the closing tag
    and ``body_line`` the line it starts on.
    """

    kind: str
    delimiter: str
    raw: str
    inside: str
    line: int
    name: str = ""
    args: list[str] = field(default_factory=list)
    kwargs: dict[str, str] = field(default_factory=dict)
    call: bool = False  # Zola / Tera style name(key=value, …)
    closing: bool = False
    self_closing: bool = False
    escaped: bool = False  # Hugo's {{</* name */>}}: the shortcode written out, not run
    body: str | None = None
    body_line: int = 0
    children: list["Piece"] = field(default_factory=list)  # the body, tokenized
    start: int = 0  # offsets in the text
    end: int = 0
    span_lines: int = 0  # newlines from the opening tag's start to the closing tag's end
    line_start: bool = False  # only spaces before it on its line

    def arg(self, *names: str, position: int | None = None) -> str | None:
        """The first named argument among ``names``, else the positional one at ``position``."""
        for name in names:
            if self.kwargs.get(name):
                return self.kwargs[name]
        if position is not None and position < len(self.args):
            return self.args[position]
        return None


@dataclass
class Code:
    """Text that is code (a code block or a code span): passed through as it is."""

    text: str


Piece = str | Tag | Code

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def code_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the fenced and indented code blocks of ``text``."""
    regions: list[tuple[int, int]] = []
    offset = 0
    lines = text.split("\n")
    fence: tuple[str, int] | None = None  # (character, length) of the open fence
    start = 0
    previous_blank = True
    previous_text = ""
    indented_start: int | None = None
    for line in lines:
        end = offset + len(line) + 1
        if fence is not None:
            match = _FENCE.match(line)
            if match and match.group(2)[0] == fence[0] and len(match.group(2)) >= fence[1] \
                    and not match.group(3).strip():
                regions.append((start, end))
                fence = None
            offset = end
            continue
        match = _FENCE.match(line)
        if match and not (match.group(2)[0] == "`" and "`" in match.group(3)):
            if indented_start is not None:
                regions.append((indented_start, offset))
                indented_start = None
            fence = (match.group(2)[0], len(match.group(2)))
            start = offset
            offset = end
            previous_blank = False
            continue
        indented = line.startswith(("    ", "\t")) and line.strip()
        if indented and indented_start is None and previous_blank and not _LIST_ITEM.match(previous_text) \
                and not previous_text.startswith((" ", "\t")):
            indented_start = offset
        elif indented_start is not None and line.strip() and not indented:
            regions.append((indented_start, offset))
            indented_start = None
        if line.strip():
            previous_text = line if indented_start is None else previous_text
        previous_blank = not line.strip()
        offset = end
    if fence is not None:
        regions.append((start, len(text)))
    if indented_start is not None:
        regions.append((indented_start, len(text)))
    return regions


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of all code in ``text``: code blocks and inline code spans, in order."""
    spans: list[tuple[int, int]] = []
    position = 0
    for start, end in code_regions(text) + [(len(text), len(text))]:
        i = position
        while i < start:
            i = text.find("`", i, start)
            if i < 0:
                break
            run = len(text[i:start]) - len(text[i:start].lstrip("`"))
            close = _closing_backticks(text, i + run, start, run)
            if close is None:
                i += run
                continue
            spans.append((i, close + run))
            i = close + run
        if start < end:
            spans.append((start, end))
        position = end
    return spans


def tokenize(text: str, first_line: int = 1) -> list[Piece]:
    """Split ``text`` into plain text, code, and tags; ``first_line`` is the file line of its first line."""
    pieces: list[Piece] = []
    regions = code_regions(text)
    position = 0
    for start, end in regions:
        pieces += _inline(text, position, start, first_line)
        pieces.append(Code(text[start:end]))
        position = end
    pieces += _inline(text, position, len(text), first_line)
    return _pair(pieces, text, first_line)


def _inline(text: str, start: int, stop: int, first_line: int) -> list[Piece]:
    pieces: list[Piece] = []
    plain = start
    i = start
    while i < stop:
        char = text[i]
        if char == "`":
            run = len(text[i:stop]) - len(text[i:stop].lstrip("`"))
            close = _closing_backticks(text, i + run, stop, run)
            if close is None:
                i += run
                continue
            if plain < i:
                pieces.append(text[plain:i])
            pieces.append(Code(text[i:close + run]))
            i = plain = close + run
            continue
        if text.startswith("<!--more-->", i):
            if plain < i:
                pieces.append(text[plain:i])
            pieces.append(Tag(MORE, "<!--", "<!--more-->", "more", first_line + text.count("\n", 0, i), name="more",
                              start=i, end=i + len("<!--more-->")))
            i = plain = i + len("<!--more-->")
            continue
        if char in "{![":
            found = _tag_at(text, i, stop, first_line)
            if found is not None:
                tag, end = found
                if plain < i:
                    pieces.append(text[plain:i])
                pieces.append(tag)
                i = plain = end
                continue
        i += 1
    if plain < stop:
        pieces.append(text[plain:stop])
    return pieces


def _closing_backticks(text: str, start: int, stop: int, run: int) -> int | None:
    for match in re.finditer(r"`+", text[start:stop]):
        if len(match.group(0)) == run:
            return start + match.start()
    return None


def _tag_at(text: str, i: int, stop: int, first_line: int) -> tuple[Tag, int] | None:
    for opener, closer, kind in _OPENERS:
        if not text.startswith(opener, i):
            continue
        end = _find_closer(text, i + len(opener), stop, closer, kind)
        if end is None:
            return None
        inside = text[i + len(opener):end]
        if kind in (WIKILINK, EMBED):
            if "\n" in inside or not inside.strip():
                return None
        elif "\n\n" in inside:
            return None
        raw = text[i:end + len(closer)]
        tag = Tag(kind, opener, raw, inside, first_line + text.count("\n", 0, i), start=i,
                  end=end + len(closer), span_lines=raw.count("\n"),
                  line_start=not text[text.rfind("\n", 0, i) + 1:i].strip())
        _parse_inside(tag)
        return tag, end + len(closer)
    return None


def _find_closer(text: str, start: int, stop: int, closer: str, kind: str) -> int | None:
    i = start
    quote = None
    while i < stop:
        char = text[i]
        if quote:
            if char == "\\" and quote != "`":
                i += 2
                continue
            if char == quote:
                quote = None
        elif char in "\"'`" and kind not in (WIKILINK, EMBED):
            # an apostrophe inside a word (l'autre) opens nothing
            if not (char == "'" and i > start and text[i - 1].isalnum()):
                quote = char
        elif text.startswith(closer, i):
            return i
        elif char == "\n" and text.startswith("\n", i + 1):
            return None
        i += 1
    return None


_ARG = re.compile(r"""\s*(?:([A-Za-z_][\w.-]*)\s*=\s*)?("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`|[^\s,)]+)\s*,?""")
_CALL = re.compile(r"\s*([A-Za-z_][\w-]*)\s*\((.*)\)\s*$", re.S)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
        inner = value[1:-1]
        return inner if value[0] == "`" else re.sub(r"\\(.)", r"\1", inner)
    return value


def _parse_inside(tag: Tag) -> None:
    inside = tag.inside
    if tag.kind in (WIKILINK, EMBED):
        tag.name = inside.strip()
        return
    if tag.delimiter in ("{{<", "{{%") and inside.startswith("/*") and inside.endswith("*/"):
        tag.escaped = True
        inside = inside[2:-2]
    inside = inside.strip().strip("-").strip()  # {%- … -%} whitespace control
    if tag.kind == HUGO and inside.endswith("/") and not inside.startswith("/"):
        tag.self_closing = True
        inside = inside[:-1].strip()
    call = _CALL.match(inside)
    if call and tag.kind in (EXPR, TAG):
        tag.call = True
        tag.name = call.group(1)
        _arguments(tag, call.group(2))
        return
    name, _, rest = inside.partition(" ") if " " in inside else (inside, "", "")
    name = name.strip()
    if tag.kind == HUGO and name.startswith("/"):
        tag.closing, name = True, name[1:].strip()
    if tag.kind == TAG and (name.startswith("end") and name != "end" and len(name) > 3 or name == "end"):
        tag.closing = True
    tag.name = name
    if tag.kind == EXPR:
        tag.name = inside  # an expression: site.baseurl, page.title | upcase…
        return
    _arguments(tag, rest)


def _arguments(tag: Tag, text: str) -> None:
    position = 0
    text = text.strip()
    while position < len(text):
        match = _ARG.match(text, position)
        if not match or match.end() == position:
            break
        key, value = match.group(1), _unquote(match.group(2))
        if key:
            tag.kwargs[key] = value
        else:
            tag.args.append(value)
        position = match.end()


def _opens_pair(tag: Tag, rest: list[Piece]) -> bool:
    """Does a closing tag for ``tag`` follow (before another opening of the same name closes it)?"""
    if tag.closing or tag.self_closing or tag.kind not in (HUGO, TAG):
        return False
    depth = 0
    for piece in rest:
        if not isinstance(piece, Tag) or piece.kind != tag.kind:
            continue
        if tag.kind == TAG and tag.call:  # Zola: {% name(…) %} … {% end %}
            if piece.call and not piece.closing:
                depth += 1
            elif piece.name == "end":
                if depth == 0:
                    return True
                depth -= 1
            continue
        if piece.name == tag.name and not piece.closing and not piece.self_closing:
            depth += 1
        elif piece.closing and piece.name in (tag.name, "end" + tag.name):
            if depth == 0:
                return True
            depth -= 1
    return False


def _pair(pieces: list[Piece], text: str, first_line: int) -> list[Piece]:
    """Give paired constructs their body (the pieces between opening and closing tag), nested."""
    out: list[Piece] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        if isinstance(piece, Tag) and _opens_pair(piece, pieces[index + 1:]):
            depth = 0
            for close in range(index + 1, len(pieces)):
                other = pieces[close]
                if not isinstance(other, Tag) or other.kind != piece.kind:
                    continue
                if piece.call:
                    if other.call and not other.closing:
                        depth += 1
                    elif other.name == "end":
                        if depth == 0:
                            break
                        depth -= 1
                elif other.name == piece.name and not other.closing and not other.self_closing:
                    depth += 1
                elif other.closing and other.name in (piece.name, "end" + piece.name):
                    if depth == 0:
                        break
                    depth -= 1
            inner = pieces[index + 1:close]
            piece.body = text[piece.end:pieces[close].start]
            piece.body_line = piece.line + piece.raw.count("\n")
            piece.children = _pair(inner, text, first_line)
            piece.span_lines = text.count("\n", piece.start, pieces[close].end)
            out.append(piece)
            index = close + 1
            continue
        out.append(piece)
        index += 1
    return out
