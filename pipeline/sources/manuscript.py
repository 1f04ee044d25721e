"""Read a manuscript: UTF-8 text, YAML front matter, pandoc Markdown body."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..config import FRONT_MATTER_ONLY, PROJECT_ONLY, SETTING_NAMES, validate
from ..errors import ManuscriptError
from .yaml_errors import explain_yaml_error

FRONT_MATTER_KEYS = (set(SETTING_NAMES) - PROJECT_ONLY) | FRONT_MATTER_ONLY


@dataclass(frozen=True)
class Manuscript:
    """A manuscript as read from disk, before any interpretation of its body."""

    path: Path
    text: str
    body: str
    body_line: int  # line number, in the file, of the body's first line
    front_matter: dict[str, Any] = field(default_factory=dict)  # typed, validated values

    @property
    def slug(self) -> str:
        return slug_for(self.path)

    def line_of(self, needle: str, occurrence: int = 0) -> int | None:
        """The file line of the ``occurrence``-th appearance of ``needle`` in the body.

        Pandoc's Markdown reader keeps no source positions, so messages locate
        what the document tree names (a key, a URL) in the text it came from.
        """
        start = -1
        for _ in range(occurrence + 1):
            start = self.body.find(needle, start + 1)
            if start < 0:
                return None
        return self.body_line + self.body.count("\n", 0, start)


def slug_for(path: Path) -> str:
    """The name of a manuscript's editions: dist/<slug>.pdf."""
    from slugify import slugify

    return slugify(path.stem) or "manuscript"


def read_manuscript(path: Path) -> Manuscript:
    """Read and check ``path``; raise :class:`ManuscriptError` with file and line."""
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ManuscriptError("this is not a text file (it contains NUL bytes)", path=path,
                              hint="a manuscript must be a Markdown text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ManuscriptError(f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} cannot be read)",
                              path=path, line=line,
                              hint="save the file as UTF-8 (in most editors: Save with encoding > UTF-8)") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ManuscriptError("the manuscript is empty", path=path, line=1,
                              hint="write a title in front matter and some text, or remove the file")
    raw, body, body_line, key_lines = _split_front_matter(text, path)
    values = validate(raw, source=path, allowed=FRONT_MATTER_KEYS, lines=key_lines,
                      error=ManuscriptError, strict=False)
    if not body.strip():
        raise ManuscriptError("the manuscript has front matter but no text", path=path, line=body_line,
                              hint="write the essay below the closing '---' line")
    return Manuscript(path=path, text=text, body=body, body_line=body_line, front_matter=values)


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int, dict[str, int]]:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return {}, text, 1, {}
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            break
    else:
        raise ManuscriptError("the front matter opened on line 1 is never closed", path=path, line=1,
                              hint="end the front matter with a line holding only '---'")
    yaml_text = "\n".join(lines[1:index])
    body = "\n".join(lines[index + 1:])
    data, key_lines = _load_yaml(yaml_text, path, first_line=2)
    return data, body, index + 2, key_lines


def _load_yaml(text: str, path: Path, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        problem = explain_yaml_error(text, exc)
        raise ManuscriptError(f"invalid YAML front matter: {problem.message}", path=path,
                              line=first_line + problem.line, hint=problem.hint) from None
    finally:
        loader.dispose()
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ManuscriptError(f"the front matter is {kind}, not a set of keys", path=path, line=first_line,
                              hint="write one 'key: value' per line, e.g. 'title: Mon essai'")
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = first_line + key_node.start_mark.line
    return {str(k): v for k, v in data.items()}, key_lines
