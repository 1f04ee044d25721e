"""Run pandoc (the binary pypandoc-binary ships) and walk its document tree."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any, Callable

from pandocfilters import stringify

from .errors import RenderError

Ast = dict[str, Any]
Node = dict[str, Any]

# Pandoc Markdown as the blog writes it; the front matter is read by make-book,
# so a later '---' in the body stays a rule. ASCII identifiers keep fragment
# links readable (#pourquoi-ca rather than #pourquoi-ça). Math in $…$ and $$…$$;
# MathJax's \(…\) and \[…\] are read by sources/dialects/mathjax.py, since
# pandoc's tex_math_single_backslash would take every escaped bracket \[…\] for math.
MARKDOWN = "markdown-yaml_metadata_block+ascii_identifiers+mark"

__all__ = ["Ast", "Node", "MARKDOWN", "run", "parse_markdown", "stringify", "walk", "iter_nodes", "inlines",
           "transform"]


@cache
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def run(source: str, args: list[str], *, what: Path | None = None) -> tuple[str, str]:
    """Run pandoc in its sandbox on ``source``; return (stdout, stderr)."""
    command = [pandoc_path(), "--sandbox", *args]
    proc = subprocess.run(command, input=source.encode("utf-8"), capture_output=True)
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {proc.returncode}"
        if len(detail) > 300:  # pandoc may quote a whole file it read: never print more than its beginning
            detail = detail[:300] + "…"
        raise RenderError(f"pandoc failed: {detail}", path=what,
                          hint="run with --debug for pandoc's full message; the manuscript may use unsupported syntax")
    return proc.stdout.decode("utf-8"), stderr


def parse_markdown(text: str, *, what: Path | None = None) -> Ast:
    out, _ = run(text, ["-f", MARKDOWN, "-t", "json"], what=what)
    return json.loads(out)


def inlines(text: str) -> list[Node]:
    """Plain text as pandoc inlines (words and spaces)."""
    out: list[Node] = []
    for index, word in enumerate(text.split(" ")):
        if index:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def walk(value: Any, action: Callable[[str, Any, str, Any], Any], fmt: str, meta: Any) -> Any:
    """pandocfilters' ``walk``, for large documents.

    Same contract: ``action(type, content, fmt, meta)`` returns None to keep a
    node (its children are then walked), a node to replace it, or a list of
    nodes to splice in its place; the children of what it returns are walked
    too. Strings and numbers are not visited, which makes it several times
    faster on a book.
    """
    kind = type(value)
    if kind is list:
        out = []
        append = out.append
        for item in value:
            if type(item) is dict and "t" in item:
                result = action(item["t"], item.get("c"), fmt, meta)
                if result is None:
                    append(_walk_children(item, action, fmt, meta))
                elif type(result) is list:
                    for node in result:
                        append(walk(node, action, fmt, meta))
                else:
                    append(walk(result, action, fmt, meta))
            elif type(item) is list or type(item) is dict:
                append(walk(item, action, fmt, meta))
            else:
                append(item)
        return out
    if kind is dict:
        if "t" in value:
            return _walk_children(value, action, fmt, meta)
        return {key: walk(item, action, fmt, meta) if type(item) in (list, dict) else item
                for key, item in value.items()}
    return value


def iter_nodes(value: Any):
    """Every node of a tree, in document order, without copying anything."""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is list:
            push(reversed(item))
        elif kind is dict:
            if "t" in item:
                yield item
                content = item.get("c")
                if type(content) in (list, dict):
                    stack.append(content)
            else:
                push(reversed([v for v in item.values() if type(v) in (list, dict)]))


def _walk_children(node: Node, action, fmt, meta) -> Node:
    content = node.get("c")
    if type(content) is list or type(content) is dict:
        return {"t": node["t"], "c": walk(content, action, fmt, meta)}
    return node


def transform(ast: Ast, action: Callable[[str, Any, str, Any], Any]) -> Ast:
    """Apply a pandocfilters-style action to every node of the blocks."""
    ast["blocks"] = walk(ast["blocks"], action, "html", ast.get("meta", {}))
    return ast
