"""Front matter in every form blogs write it, and the generators' keys read as make-book settings.

Forms (detected in this order, from the first line of the file):

* YAML between ``---`` lines (Jekyll, Hugo, Eleventy, Quarto, Obsidian, MkDocs);
* TOML between ``+++`` lines (Hugo, Zola);
* JSON, an object opened by a line holding only ``{`` (Hugo);
* Pelican / MultiMarkdown ``Key: value`` lines up to the first blank line.

python-frontmatter's handlers say where TOML front matter starts and ends
(its own TOML handler needs the unmaintained ``toml`` package, so the text is
read with ``tomllib``); YAML is read node by node with PyYAML and JSON with
``json``'s decoder, which finds where the object ends, so that every problem is
reported with its file line.

Generator keys (Hugo's front matter variables, Jekyll's, Zola's, Pelican's
metadata, Quarto's) are mapped to make-book's own settings by
:func:`normalise`; keys make-book has no use for (``slug``, ``aliases``,
``weight``, ``layout``…) are accepted and ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler

from ..errors import ManuscriptError
from .yaml_errors import explain_yaml_error
from .toml_errors import explain_toml_error

log = logging.getLogger(__name__)

YAML, TOML, JSON, PELICAN = "YAML", "TOML", "JSON", "Pelican"


class TOMLHandler(BaseHandler):
    """python-frontmatter's TOML delimiters (``+++``), read with the standard library's ``tomllib``.

    python-frontmatter ships a TOML handler only when the unmaintained ``toml``
    package is installed; the delimiters are the same.
    """

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str) -> dict[str, Any]:
        return tomllib.loads(fm)


@dataclass(frozen=True)
class FrontMatter:
    """The front matter of a manuscript, split from its body.

    ``data`` holds the raw values as written (keys as in the file);
    ``key_lines`` maps each key to its 1-based line in the file;
    ``body_line`` is the file line of the body's first line.
    """

    form: str | None  # YAML, TOML, JSON, Pelican, or None when there is none
    data: dict[str, Any]
    body: str
    body_line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    first_line: int = 2  # the file line of the first line inside the delimiters
    warnings: tuple[tuple[str, int | None], ...] = ()  # (message, file line) found while reading it


def split_front_matter(text: str, path: Path) -> FrontMatter:
    """Split ``text`` (newlines normalised to ``\\n``) into front matter and body.

    Raises :class:`ManuscriptError` with the file line for front matter that
    is opened but never closed, or that its own syntax cannot read.
    """
    first = text.split("\n", 1)[0].rstrip()
    if first == "---":
        return _yaml(text, path)
    if re.fullmatch(r"\+{3,}", first):
        return _delimited(text, path, TOMLHandler(), TOML, "+++")
    if first == "{":
        return _delimited(text, path, None, JSON, "}")
    pelican = _pelican(text)
    if pelican is not None:
        return pelican
    return FrontMatter(None, {}, text, 1)


def _yaml(text: str, path: Path) -> FrontMatter:
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            break
    else:
        raise ManuscriptError("the front matter opened on line 1 is never closed", path=path, line=1,
                              hint="end the front matter with a line holding only '---'")
    data, key_lines, warnings = _load_yaml("\n".join(lines[1:index]), path, first_line=2)
    return FrontMatter(YAML, data, "\n".join(lines[index + 1:]), index + 2, key_lines, warnings=warnings)


def _delimited(text: str, path: Path, handler: BaseHandler | None, form: str, closer: str) -> FrontMatter:
    lines = text.split("\n")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == closer
                  or (form == TOML and re.fullmatch(r"\+{3,}", lines[i].rstrip()))), None)
    if close is None and form == TOML:
        raise ManuscriptError(f"the {form} front matter opened on line 1 is never closed", path=path, line=1,
                              hint=f"end the front matter with a line holding only {closer!r}")
    if form == TOML:
        inner, _ = handler.split(text)
        try:
            data = handler.load(inner)
        except tomllib.TOMLDecodeError as exc:
            # the text handed over starts with the "+++" line's end: its line N is the file's line N
            problem = explain_toml_error(inner, exc)
            raise ManuscriptError(f"invalid TOML front matter: {problem.message}", path=path, line=problem.line,
                                  hint=problem.hint) from None
        key_lines = _toml_key_lines(lines[1:close], first_line=2)
    else:
        # The object ends where JSON says it does, not at the first '}' line: values may nest.
        try:
            data, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as exc:
            raise ManuscriptError(f"invalid JSON front matter: {exc.msg}", path=path, line=exc.lineno,
                                  hint='check the commas and quotes: { "title": "Mon essai", "date": "2024-05-01" }'
                                  ) from None
        if not isinstance(data, dict):
            raise ManuscriptError("the JSON front matter is not an object", path=path, line=1,
                                  hint='write { "title": "…" }')
        close = text.count("\n", 0, end)
        key_lines = {}
        for number, line in enumerate(lines[1:close], start=2):
            found = re.match(r'\s*"([^"]+)"\s*:', line)
            if found:
                key_lines.setdefault(found.group(1), number)
    body_line = close + 2
    return FrontMatter(form, {str(k): v for k, v in data.items()}, "\n".join(lines[close + 1:]), body_line,
                       key_lines)


def _toml_key_lines(lines: list[str], first_line: int) -> dict[str, int]:
    found: dict[str, int] = {}
    table = False
    for number, line in enumerate(lines, start=first_line):
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped.strip("[] ")
            found.setdefault(table, number)
            continue
        match = re.match(r'"?([A-Za-z0-9_.-]+)"?\s*=', stripped)
        if match:  # a key of a table ([extra] author = …) is known as extra.author
            found.setdefault(f"{table}.{match.group(1)}" if table else match.group(1), number)
    return found


# Pelican's metadata and MultiMarkdown's: the block is front matter only if one
# of these keys is in it, so a first paragraph "Note: …" stays text.
METADATA_KEYS = {"title", "date", "modified", "author", "authors", "lang", "language", "tags", "category",
                 "slug", "summary", "status", "subtitle", "keywords", "base header level"}
_PELICAN_LINE = re.compile(r"([A-Za-z][A-Za-z0-9 _-]{0,40}):(?:\s+(.*))?$")
_LIST_KEYS = {"tags", "keywords", "authors", "author", "category"}


def _pelican(text: str) -> FrontMatter | None:
    lines = text.split("\n")
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    key = None
    index = 0
    for index, line in enumerate(lines):
        if not line.strip():
            break
        match = _PELICAN_LINE.match(line)
        if match and not line.startswith((" ", "\t")):
            key = match.group(1).strip()
            data[key] = (match.group(2) or "").strip()
            key_lines[key] = index + 1
        elif key is not None and line.startswith((" ", "\t")):  # MultiMarkdown continuation line
            data[key] = f"{data[key]} {line.strip()}".strip()
        else:
            return None
    else:
        return None  # a file of only "Key: value" lines is text, not metadata
    if not data or not any(k.lower() in METADATA_KEYS for k in data):
        return None
    values: dict[str, Any] = {}
    for name, value in data.items():
        lower = name.lower()
        if lower in _LIST_KEYS and lower != "author":
            values[name] = [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
        elif lower == "author" and ";" in value:
            values[name] = [v.strip() for v in value.split(";") if v.strip()]
        else:
            values[name] = value
    return FrontMatter(PELICAN, values, "\n".join(lines[index + 1:]), index + 2, key_lines, first_line=1)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that an impossible timestamp (2024-02-30) stays text.

    PyYAML raises a bare ValueError for it, losing the line; as text it reaches
    the date check, which names the key and its line.
    """

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _load_yaml(text: str, path: Path,
               first_line: int) -> tuple[dict[str, Any], dict[str, int], tuple[tuple[str, int], ...]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        problem = explain_yaml_error(text, exc)
        raise ManuscriptError(f"invalid YAML front matter: {problem.message}", path=path,
                              line=first_line + problem.line, hint=problem.hint) from None
    except RecursionError:
        raise ManuscriptError("the front matter is nested too deeply (lists or mappings inside each other "
                              "hundreds of times)", path=path, line=first_line,
                              hint="flatten the front matter: one 'key: value' per line") from None
    except (ValueError, OverflowError, TypeError) as exc:  # any other value a constructor cannot build
        raise ManuscriptError(f"the front matter holds a value YAML cannot read ({str(exc)[:120]})", path=path,
                              line=first_line, hint="check the dates and numbers of the front matter") from None
    finally:
        loader.dispose()
    if data is None:
        return {}, {}, ()
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ManuscriptError(f"the front matter is {kind}, not a set of keys", path=path, line=first_line,
                              hint="write one 'key: value' per line, e.g. 'title: Mon essai'")
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_lines[str(key_node.value)] = first_line + key_node.start_mark.line
            if isinstance(value_node, yaml.MappingNode):  # params: {author: …} is known as params.author
                for sub_key, _ in value_node.value:
                    key_lines.setdefault(f"{key_node.value}.{sub_key.value}", first_line + sub_key.start_mark.line)
    return {str(k): v for k, v in data.items()}, key_lines, tuple(_cut_by_comments(text, node, first_line))


def _cut_by_comments(text: str, node: yaml.Node, first_line: int, key: str = "", item: bool = False):
    """A warning for each unquoted text value followed by `` #…`` on its line, which YAML reads as a
    comment: ``title: Carnet #3 de lecture`` is the title "Carnet". Found from the scanner's marks
    (where the plain value ends), so a ``#`` inside quotes or inside a word (``C#``) is not one."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield from _cut_by_comments(text, value_node, first_line, str(key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for element in node.value:
            yield from _cut_by_comments(text, element, first_line, key, item=True)
    elif (isinstance(node, yaml.ScalarNode) and node.style is None and node.tag == "tag:yaml.org,2002:str"
          and node.value):
        end = node.end_mark.index
        line_end = text.find("\n", end)
        rest = text[end:line_end if line_end >= 0 else len(text)]
        if rest.lstrip(" \t").startswith("#") and rest[:1] in (" ", "\t"):
            whole = (node.value + rest).rstrip()
            quoted = f'"{whole}"' if '"' not in whole and "\\" not in whole else "'" + whole.replace("'", "''") + "'"
            yield (f"{key or 'front matter'}: the text after '#' is a YAML comment, so the value read is "
                   f"{node.value!r}; quote the value: {'- ' if item else key + ': ' if key else ''}{quoted}",
                   first_line + node.end_mark.line)


# -- generator keys → settings ----------------------------------------------------------

# Each make-book setting, and the generator keys that mean it, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "subtitle": ("subtitle",),
    "author": ("author", "authors"),
    "date": ("date", "publishdate", "pubdate"),  # not Jekyll's published: false, a flag
    "lang": ("lang", "language", "languagecode"),
    "description": ("description", "summary", "excerpt"),
    "keywords": ("keywords", "tags", "categories", "category"),
    # Hugo themes' cover: {image: …}; not images/featured_image, which are share cards a site
    # serves from its static folder, often absent from the project (the cover must exist).
    "cover": ("cover",),
}


#: Tables in which generators keep a page's metadata, looked in after the page's own keys: Zola keeps
#: the author under ``[extra]`` and tags and categories under ``[taxonomies]``; Hugo themes read
#: ``[params]`` (``author``, ``authors``). Zola docs « Page front matter »; Hugo docs « Front matter ».
NESTED_TABLES = ("extra", "params", "taxonomies")


@dataclass
class Normalised:
    """Front matter read as settings: ``values`` (raw, keyed by setting), their lines, and notes."""

    values: dict[str, Any]
    lines: dict[str, int]
    draft: bool
    warnings: list[tuple[str, int | None]]


def normalise(front: FrontMatter, *, own_keys: set[str]) -> Normalised:
    """Map generator keys onto make-book's settings and read dates as blogs write them.

    ``own_keys`` are the settings a front matter may set. A value make-book
    cannot use from a *generator* key (``tags: 3``) is a warning; a value of
    make-book's own key is left to the settings validator, which stops.
    """
    lowered = {k.lower(): k for k in front.data}
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    warnings: list[tuple[str, int | None]] = []
    for key, raw in front.data.items():  # make-book's own keys, as written (pandoc's link-citations too)
        name = key.replace("-", "_") if key.replace("-", "_") in own_keys else key
        if name in own_keys and name not in ALIASES:
            values[name] = raw
            lines[name] = front.key_lines.get(key)
    for setting, names in ALIASES.items():
        if setting not in own_keys:
            continue
        for shown, value, line, own in _candidates(front, lowered, names):
            if value in (None, "", []):
                continue
            raw = _generator_value(setting, value)
            if raw is None:
                if own and shown == setting:
                    values[setting], lines[setting] = value, line  # the validator says why
                else:
                    warnings.append((f"front matter key {shown!r} ignored: make-book cannot read "
                                     f"{value!r} as the {setting}", line))
                continue
            if setting == "keywords" and setting in values:
                values[setting] = list(dict.fromkeys([*values[setting], *raw]))
                continue
            if setting in values:
                continue
            values[setting], lines[setting] = raw, line
    if "date" in values and not isinstance(values["date"], dt.date):
        parsed = read_date(values["date"], lang=str(values.get("lang") or ""))
        if parsed is not None:
            values["date"] = parsed
    draft = _is_draft(lowered, front.data)
    return Normalised(values, lines, draft, [*front.warnings, *warnings])


def _candidates(front: FrontMatter, lowered: dict[str, str], names: tuple[str, ...]):
    """``(key as written, value, line, top level?)`` for each generator key of ``names``: the page's own
    keys first, then the same names in each of :data:`NESTED_TABLES` (``extra.author``)."""
    for name in names:
        original = lowered.get(name)
        if original is not None:
            yield original, front.data[original], front.key_lines.get(original), True
    for table in NESTED_TABLES:
        written = lowered.get(table)
        inner = front.data.get(written) if written is not None else None
        if not isinstance(inner, dict):
            continue
        inner_lowered = {str(k).lower(): k for k in inner}
        for name in names:
            original = inner_lowered.get(name)
            if original is not None:
                key = f"{written}.{original}"
                yield key, inner[original], front.key_lines.get(key) or front.key_lines.get(written), False


def _generator_value(setting: str, value: Any) -> Any:
    """The value a generator key gives a setting, or None when it cannot be read as one."""
    if setting == "cover":
        if isinstance(value, dict):  # Hugo themes: cover: {image: …}
            value = value.get("image") or value.get("src")
        if isinstance(value, list):  # Hugo: images: [a.png, b.png]
            value = value[0] if value else None
        return value if isinstance(value, str) and value.strip() else None
    if setting in ("keywords", "author"):
        if setting == "keywords" and isinstance(value, str):  # Obsidian, Jekyll: tags: "lecture, notes"
            value = [v for v in re.split(r"[,;]", value) if v.strip()]
        items = value if isinstance(value, list) else [value]
        texts = [_name(item) for item in items]
        if not texts or any(t is None for t in texts):
            return None
        return texts
    if setting == "lang":
        return value.replace("_", "-") if isinstance(value, str) else None
    if setting == "date":
        return value if isinstance(value, (str, dt.date)) else None
    return value if isinstance(value, str) else None


def _name(item: Any) -> str | None:
    """A name or a tag as written: text; Obsidian's ``[[Marie Dupont]]`` link (its page's name) or
    ``#tag``; Quarto's and Jekyll's ``{name: …}`` mapping."""
    if isinstance(item, str) and item.strip():
        text = item.strip()
        link = re.fullmatch(r"\[\[([^\]|#]+)(?:[#|][^\]]*)?\]\]", text)
        if link:
            text = link.group(1).strip()
        if text.startswith("#"):  # Obsidian writes a tag with or without its #
            text = text.lstrip("#").strip()
        return text or None
    if isinstance(item, dict):  # Quarto: author: [{name: …, affiliation: …}]
        name = item.get("name")
        if isinstance(name, dict):
            name = " ".join(str(name.get(k, "")) for k in ("given", "family")).strip() or name.get("literal")
        return name.strip() if isinstance(name, str) and name.strip() else None
    return None


def mkdocs_authors(manuscript: Path, root: Path | None) -> dict[str, str]:
    """MkDocs Material's blog authors: ``{id: name}`` from the nearest ``.authors.yml`` in the
    manuscript's folder or a parent up to ``root`` (the blog plugin's ``authors_file``, whose
    ``authors:`` table maps each id to ``{name: …}``). Empty when there is none or it cannot be read.
    """
    folder = manuscript.parent
    while True:
        candidate = folder / ".authors.yml"
        if candidate.is_file():
            try:
                data = yaml.load(candidate.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                return {}
            table = data.get("authors") if isinstance(data, dict) else None
            return {str(k): v["name"].strip() for k, v in (table or {}).items()
                    if isinstance(v, dict) and isinstance(v.get("name"), str) and v["name"].strip()}
        if root is None or folder == root or folder == folder.parent or not folder.is_relative_to(root):
            return {}
        folder = folder.parent


def _is_draft(lowered: dict[str, str], data: dict[str, Any]) -> bool:
    def value(name: str) -> Any:
        return data.get(lowered[name]) if name in lowered else None

    truthy = (True, "true", "yes", "True", "Yes")  # a tuple: a list or mapping value must not raise TypeError
    return (value("draft") in truthy or str(value("status") or "").lower() in ("draft", "hidden")
            or value("published") in (False, "false", "False", "no"))


# -- dates as blogs write them ----------------------------------------------------------

MONTHS = {
    **{m: i for i, m in enumerate(["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                   "septembre", "octobre", "novembre", "décembre"], start=1)},
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                   "september", "october", "november", "december"], start=1)},
    "fevrier": 2, "aout": 8, "decembre": 12,
}
_ISO_ZONE = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$")
_NUMERIC = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:[ T].*)?$")
_WORDS = re.compile(r"(?:(\d{1,2})(?:er)?\s+([^\W\d]+)\.?\s+(\d{4})|([^\W\d]+)\.?\s+(\d{1,2}),?\s+(\d{4}))$", re.I)


def read_date(value: Any, *, lang: str = "") -> dt.date | None:
    """A date as blogs write it, or None when it cannot be read.

    Accepts ISO 8601 dates and datetimes with or without a zone (the date is
    the one written, in its own zone), Jekyll's ``2024-03-02 10:00:00 +0100``,
    ``DD/MM/YYYY`` (also ``.`` or ``-``; ``MM/DD/YYYY`` when ``lang`` is
    ``en-US`` or the first number cannot be a day), ``YYYY/MM/DD``, and
    months in words in French or English (``2 mars 2024``, ``March 2, 2024``).
    Raises nothing: an impossible date (30 February) gives None.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        match = _ISO_ZONE.match(text)
        if match:
            return dt.date.fromisoformat(match.group(1))
        match = _NUMERIC.match(text)
        if match:
            a, b, c = match.groups()
            if len(a) == 4:
                return dt.date(int(a), int(b), int(c))
            if len(c) != 4:
                return None
            day, month = int(a), int(b)
            if lang.lower().replace("_", "-") == "en-us" or day <= 12 < month:
                day, month = month, day
            return dt.date(int(c), month, day)
        match = _WORDS.match(text)
        if match:
            if match.group(1):
                day, word, year = match.group(1), match.group(2), match.group(3)
            else:
                word, day, year = match.group(4), match.group(5), match.group(6)
            month = MONTHS.get(word.lower()) or next(
                (n for name, n in MONTHS.items() if len(word) >= 3 and name.startswith(word.lower())), None)
            return dt.date(int(year), month, int(day)) if month else None
    except ValueError:
        return None
    return None
