"""What every resolver shares: the raw answer, and helpers that clean CSL items.

A CSL item is the JSON shape of the Citation Style Language data schema
(``csl-data.json``): ``type``, ``title``, ``author`` as ``[{"family", "given"}]``
or ``[{"literal"}]``, ``issued`` as ``{"date-parts": [[y, m, d]]}``,
``container-title``, ``publisher``, ``DOI``, ``URL``, ``language``…
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..http import Malformed

Item = dict[str, Any]


@dataclass(frozen=True)
class Raw:
    """What a resolver fetched: the address asked, the body, and any further answers by name."""

    source: str
    data: bytes
    extra: dict[str, bytes] = field(default_factory=dict)


_TAG = re.compile(r"<[^<>]{0,400}>")
PARTICLES = {"de", "du", "des", "d'", "la", "le", "van", "von", "der", "den", "ter", "di", "da", "del", "dos", "y"}


def clean_text(value: Any) -> str:
    """Plain text: markup tags dropped (``<i>``, ``<sub>``, JATS), entities decoded, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = html.unescape(_TAG.sub("", str(value)))
    return " ".join(text.split())


def fix_caps(word: str) -> str:
    """``VASWANI`` → ``Vaswani``, ``JEAN-LUC`` → ``Jean-Luc``, ``D'ALEMBERT`` → ``d'Alembert``; mixed case kept."""
    if not word or not word.isupper() or len(word) < 2:
        return word
    parts = re.split(r"(\s+|-|')", word.lower())
    out = []
    for part in parts:
        out.append(part if part in PARTICLES or not part.strip("-' ") else part[:1].upper() + part[1:])
    text = "".join(out)
    return text[:1].upper() + text[1:] if not text.lower().startswith(tuple(p + " " for p in PARTICLES)) else text


def person(name: str) -> dict[str, str] | None:
    """A CSL name from free text: ``Family, Given`` or ``Given Family``; None when empty."""
    name = clean_text(name).strip(" ,;")
    if not name:
        return None
    if "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
    else:
        words = name.split()
        if len(words) == 1:
            return {"family": fix_caps(words[0])}
        cut = len(words) - 1
        while cut > 1 and words[cut - 1].lower() in PARTICLES:
            cut -= 1  # "Michel de Montaigne": family "de Montaigne"
        given, family = " ".join(words[:cut]), " ".join(words[cut:])
    result = {"family": fix_caps(family)}
    if given:
        result["given"] = fix_caps(given)
    return result


def clean_name(name: dict[str, Any]) -> dict[str, str] | None:
    """A CSL name with its parts as clean text and ALL-CAPS parts fixed."""
    if name.get("literal"):
        return {"literal": clean_text(name["literal"])}
    family = clean_text(name.get("family"))
    given = clean_text(name.get("given"))
    if not family and given:
        return person(given)
    if not family:
        return None
    result = {"family": fix_caps(family)}
    if given:
        result["given"] = fix_caps(given)
    for key in ("non-dropping-particle", "dropping-particle", "suffix"):
        if name.get(key):
            result[key] = clean_text(name[key])
    return result


_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_parts(value: Any) -> dict[str, list[list[int]]] | None:
    """``{"date-parts": [[2017, 6, 12]]}`` from an ISO date or date-time, a year, or CSL date parts."""
    if isinstance(value, dict) and value.get("date-parts"):
        parts = [int(p) for p in value["date-parts"][0] if p not in (None, "")]
        return {"date-parts": [parts]} if parts else None
    match = _ISO.match(str(value or ""))
    if not match:
        year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(value or ""))
        return {"date-parts": [[int(year.group(1))]]} if year else None
    parts = [int(p) for p in match.groups() if p]
    return {"date-parts": [parts]}


def load_json(raw: bytes, what: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Malformed(f"{what} did not answer JSON") from None


def compact(item: Item) -> Item:
    """The item without empty values."""
    return {k: v for k, v in item.items() if v not in (None, "", [], {})}
