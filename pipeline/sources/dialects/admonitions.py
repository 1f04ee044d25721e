"""Admonitions, whichever generator wrote them, as one kind of styled box with a localised label.

Sources: MkDocs / Python-Markdown ``!!! type "Title"`` (rewritten by the
mkdocs dialect), Hugo ``{{% notice type %}}`` and theme shortcodes (hugo
dialect), Quarto ``::: {.callout-type}`` and GitHub alerts ``> [!NOTE]``
(here, on pandoc's tree). Each becomes
``Div(classes=["admonition", TYPE], [Div(["admonition-title"], [Para(label)]), …])``
which the house styles (``.admonition`` in book.css and epub.css) draw as a box.

Types follow MkDocs Material's set; aliases from the other generators map onto it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from ...pandoc import Ast, Node, inlines, stringify, walk
from . import Context, Dialect

# alias → type
ALIASES = {
    "note": "note", "seealso": "note", "memo": "note",
    "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info", "todo": "info", "information": "info", "primary": "info", "secondary": "info",
    "tip": "tip", "hint": "tip", "important": "important",
    "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question",
    "warning": "warning", "caution": "caution", "attention": "warning", "warn": "warning",
    "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger",
    "bug": "bug", "example": "example", "quote": "quote", "cite": "quote", "details": "details",
}
ADMONITION_NAMES = set(ALIASES)

LABELS = {
    "note": ("Note", "Note"), "abstract": ("Résumé", "Abstract"), "info": ("Information", "Info"),
    "tip": ("Astuce", "Tip"), "important": ("Important", "Important"), "success": ("Réussite", "Success"),
    "question": ("Question", "Question"), "warning": ("Attention", "Warning"), "caution": ("Prudence", "Caution"),
    "failure": ("Échec", "Failure"), "danger": ("Danger", "Danger"), "bug": ("Bogue", "Bug"),
    "example": ("Exemple", "Example"), "quote": ("Citation", "Quote"), "details": ("Détails", "Details"),
}


WORDS = {"Video": "Vidéo"}


def localised_word(word: str, lang: str) -> str:
    """A word make-book writes (``Video``) in the text's language."""
    return WORDS.get(word, word) if lang.lower().startswith("fr") else word


def canonical(kind: str) -> str:
    """The admonition type for a generator's name of it (``hint`` → ``tip``); ``note`` when unknown."""
    return ALIASES.get(kind.strip().lower(), "note")


def label(kind: str, lang: str) -> str:
    french, english = LABELS.get(kind, LABELS["note"])
    return french if lang.lower().startswith("fr") else english


def title_block(text: list[Node]) -> Node:
    return {"t": "Div", "c": [["", ["admonition-title"], []], [{"t": "Para", "c": text}]]}


_ALERT = re.compile(r"^\[!(\w+)\]([+-]?)$")


class Admonitions(Dialect):
    name = "admonitions"

    def transform(self, ast: Ast, context: Context) -> None:
        def action(kind, value, _fmt, _meta):
            if kind == "BlockQuote":
                alert = _github_alert(value)
                return _admonition(alert["c"], context.lang) if alert else None
            if kind == "Div":
                return _admonition(value, context.lang)
            if kind == "Span" and value[0][1][:1] == ["term"]:  # a word a dialect wrote: in the text's language
                return {"t": "Str", "c": localised_word(stringify(value[1]), context.lang)}
            return None

        ast["blocks"] = walk(ast["blocks"], action, "html", {})


def _github_alert(blocks: list[Node]) -> Node | None:
    """GitHub's ``> [!NOTE]`` (and Obsidian's ``> [!tip] Title``) callout in a block quote."""
    if not blocks or blocks[0]["t"] not in ("Para", "Plain") or not blocks[0]["c"]:
        return None
    first = blocks[0]["c"]
    head = first[0]
    if head["t"] != "Str" or not _ALERT.match(head["c"]):
        return None
    kind = _ALERT.match(head["c"]).group(1).lower()
    rest = first[1:]
    title: list[Node] = []
    while rest and rest[0]["t"] not in ("SoftBreak", "LineBreak"):
        title.append(rest.pop(0))
    while title and title[0]["t"] == "Space":
        title.pop(0)
    if rest:
        rest.pop(0)  # the line break after the marker line
    body = ([{"t": blocks[0]["t"], "c": rest}] if rest else []) + blocks[1:]
    attributes = [["data-title", stringify(title)]] if title else []
    return {"t": "Div", "c": [["", ["admonition", canonical(kind)], attributes], body]}


def _admonition(value, lang: str) -> Node | None:
    (ident, classes, attributes), blocks = value
    callout = next((c for c in classes if c.startswith("callout-")), None)
    if "admonition" not in classes and callout is None:
        return None
    kind = canonical(callout[len("callout-"):]) if callout else next(
        (c for c in classes if c in LABELS), "note")
    title_text = dict(attributes).get("data-title") or dict(attributes).get("title")
    title: list[Node] | None = None
    blocks = list(blocks)
    if blocks and blocks[0]["t"] == "Div" and "admonition-title" in blocks[0]["c"][0][1]:
        title = None  # already has its title block
    elif title_text:
        title = inlines(unquote(title_text) if "%" in title_text else title_text)
    elif callout and blocks and blocks[0]["t"] == "Header":  # Quarto: ## Title as the callout's first line
        title = blocks.pop(0)["c"][2]
    else:
        title = inlines(label(kind, lang))
    if title is not None:
        blocks.insert(0, title_block(title))
    kept = [[k, v] for k, v in attributes if k not in ("data-title", "title", "collapse", "appearance", "icon")]
    return {"t": "Div", "c": [[ident, ["admonition", kind], kept + [["role", "note"]]], blocks]}


DIALECT = Admonitions()
