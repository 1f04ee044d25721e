"""Quarto and R Markdown: executable chunks, Quarto shortcodes, callouts, cross-references.

* ```` ```{r} ```` / ```` ```{python} ```` chunks are shown as code, never run
  (one warning per manuscript);
* Quarto's shortcodes (``{{< video >}}``, ``{{< meta key >}}``,
  ``{{< pagebreak >}}``, ``{{< kbd >}}``…);
* ``@fig-x``, ``@tbl-x``, ``@sec-x`` cross-references point to the labelled
  figure, table or section, which are numbered (quarto.org/docs/authoring/cross-references.html);
* a bare ``@word`` that is no key of the bibliography (a handle, ``@YouTube``)
  is printed as written, with a warning; only ``[@key]`` in brackets is a citation
  whose unknown key stops the build.

Callouts (``::: {.callout-note}``) are read by the admonitions dialect.
"""

from __future__ import annotations

import re

from ...pandoc import Ast, Node, inlines, iter_nodes, stringify, walk
from . import Context, Dialect, code_span, escape, labelled_link, outside_code, unknown
from .hugo import VIDEO_WORDS, words
from .tokens import HUGO, Tag

_CHUNK = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*\{(?P<lang>[A-Za-z][\w-]*)(?:[\s,][^}]*)?\}\s*$")
PREFIXES = {"fig": ("Figure", "Figure"), "tbl": ("Tableau", "Table"), "lst": ("Listing", "Listing"),
            "sec": ("Section", "Section"), "eq": ("Équation", "Equation")}
_EQ_LABEL = re.compile(r"^\{#(eq-[\w-]+)\}$")


class Quarto(Dialect):
    name = "Quarto"

    def rewrite_lines(self, text: str, first_line: int, context: Context) -> str:
        out = []
        for start, end, is_code in outside_code(text):
            chunk = text[start:end]
            head, newline, rest = chunk.partition("\n")
            match = _CHUNK.match(head) if is_code else None
            if match:  # the opening fence of a code block: ```{r, echo=FALSE} → ```r
                head = f"{match.group('indent')}{match.group('fence')}{match.group('lang')}"
                context.warn_once("chunk", f"code chunk {{{match.group('lang')}}} is shown as code and not run "
                                  "(make-book does not execute code; this is said once per manuscript)",
                                  first_line + text.count("\n", 0, start))
            out.append(head + newline + rest)
        return "".join(out)

    def convert(self, tag: Tag, context: Context) -> str | None:
        if tag.kind != HUGO:
            return None
        name = tag.name.lower()
        if name == "video":
            url = tag.arg("src", position=0)
            return labelled_link(words(context, VIDEO_WORDS), url, tag.arg("title")) if url else \
                unknown(tag, context, why="it names no video")
        if name in ("meta", "var"):
            key = tag.arg(position=0) or ""
            value = context.front_matter
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, (str, int, float)):
                return escape(str(value))
            return unknown(tag, context, why=f"the front matter has no value {key!r} to print")
        if name == "pagebreak":
            return ""
        if name == "kbd":
            return code_span(" ".join(tag.args) or next(iter(tag.kwargs.values()), ""))
        return None

    def transform(self, ast: Ast, context: Context) -> None:
        numbers, titles = _number_targets(ast, context.lang)
        keys = context.bibliography_keys

        def action(kind, value, _fmt, _meta):
            if kind != "Cite":
                return None
            citations, text = value
            ids = [c["citationId"] for c in citations]
            if all(i in numbers or i in titles for i in ids):
                out: list[Node] = []
                for index, ident in enumerate(ids):
                    if index:
                        out += [{"t": "Str", "c": ","}, {"t": "Space"}]
                    shown = titles.get(ident) or inlines(numbers[ident])
                    out.append({"t": "Link", "c": [["", ["cross-ref"], []], shown, ["#" + ident, ""]]})
                return out
            bare = len(citations) == 1 and citations[0]["citationMode"]["t"] == "AuthorInText"
            if bare and ids[0] not in keys:
                written = stringify(text) or "@" + ids[0]
                prefix = ids[0].split("-", 1)[0]
                why = (f"no figure, table or section is labelled {{#{ids[0]}}}" if prefix in PREFIXES
                       else "it is no key of the bibliography")
                context.warn(f"{written} is printed as written: {why} (write [@key] to cite, \\@ for a plain @)",
                             context.line_of("@" + ids[0]))
                return {"t": "Str", "c": written}
            return None

        ast["blocks"] = walk(ast["blocks"], action, "html", {})


def _number_targets(ast: Ast, lang: str) -> tuple[dict[str, str], dict[str, list[Node]]]:
    """Number the figures and tables labelled fig-/tbl-/lst-, and title the sections labelled sec-.

    The number is also put at the head of each caption ("Figure 2: …"), as Quarto does.
    """
    french = lang.lower().startswith("fr")
    counters: dict[str, int] = {}
    numbers: dict[str, str] = {}
    titles: dict[str, list[Node]] = {}
    for node in iter_nodes(ast["blocks"]):
        kind = node["t"]
        if kind in ("Para", "Plain"):
            _label_equations(node["c"], counters, numbers, french)
            continue
        if kind == "Header":
            ident = node["c"][1][0]
            if ident.startswith("sec-"):
                titles[ident] = node["c"][2]
            continue
        if kind not in ("Figure", "Table", "CodeBlock", "Div"):
            continue
        ident = node["c"][0][0]
        prefix = ident.split("-", 1)[0]
        if prefix not in ("fig", "tbl", "lst") or kind == "CodeBlock" and prefix != "lst":
            continue
        counters[prefix] = counters.get(prefix, 0) + 1
        label = f"{PREFIXES[prefix][0 if french else 1]} {counters[prefix]}"
        numbers[ident] = label
        if kind in ("Figure", "Table"):
            caption = node["c"][1][1]
            head = inlines(label) + [{"t": "Str", "c": ":"}, {"t": "Space"}]
            if caption and caption[0]["t"] in ("Plain", "Para"):
                caption[0]["c"][:0] = head
            else:
                caption.insert(0, {"t": "Plain", "c": head[:-2]})
    return numbers, titles


def _label_equations(content: list[Node], counters: dict[str, int], numbers: dict[str, str], french: bool) -> None:
    """``$$ … $$ {#eq-x}``: the formula in a span with that id, followed by its number "(N)"."""
    for index, node in enumerate(content):
        if node["t"] != "Str" or not _EQ_LABEL.match(node["c"]):
            continue
        before = index - 1
        while before >= 0 and content[before]["t"] in ("Space", "SoftBreak"):
            before -= 1
        if before < 0 or content[before]["t"] != "Math" or content[before]["c"][0]["t"] != "DisplayMath":
            continue
        ident = _EQ_LABEL.match(node["c"]).group(1)
        counters["eq"] = counters.get("eq", 0) + 1
        number = counters["eq"]
        numbers[ident] = f"{PREFIXES['eq'][0 if french else 1]} {number}"
        formula = content[before]
        content[before] = {"t": "Span", "c": [[ident, ["equation"], []], [formula]]}
        content[index] = {"t": "Span", "c": [["", ["equation-number"], []], [{"t": "Str", "c": f"({number})"}]]}
        del content[before + 1:index]


DIALECT = Quarto()
