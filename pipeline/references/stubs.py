"""BibTeX stubs for links the bibliography lacks, ready for the author to complete."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from slugify import slugify

from .bibliography import TODO_FIELD, parse_bib_file
from ..config import build_time
from .identifiers import Identifier, link_identifiers, without_tracking
from .citations import UNMATCHED, ReferenceReport

TODO_TEXT = "to be completed: written by make-book refs --stubs"
STOP_WORDS = set("""a an and the of on in for to with by at from this that these those
le la les un une des du de d l et ou en au aux sur sous par pour dans avec sans cet cette ces ce
son sa ses mon ma mes notre nos votre vos leur leurs qui que article page voir lien ici""".split())


@dataclass(frozen=True)
class Stub:
    key: str
    type: str
    fields: tuple[tuple[str, str], ...]
    identifier: Identifier

    def bibtex(self) -> str:
        width = max(len(name) for name, _ in self.fields)
        body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in self.fields)
        return f"@{self.type}{{{self.key},\n{body}\n}}\n"


def stubs_for(reports: list[ReferenceReport], existing_keys: set[str]) -> list[Stub]:
    """One stub per work linked but not in the bibliography, in reading order."""
    stubs: list[Stub] = []
    seen: set[Identifier] = set()
    taken = set(existing_keys)
    for report in reports:
        for ref in report.references:
            if ref.kind != "link" or ref.status != UNMATCHED:
                continue
            identifiers = link_identifiers(ref.target)
            if not identifiers or any(i in seen for i in identifiers):
                continue
            seen.update(identifiers)
            stub = make_stub(ref.target, ref.text, identifiers[0], taken)
            taken.add(stub.key)
            stubs.append(stub)
    return stubs


def make_stub(url: str, text: str, identifier: Identifier, taken: set[str]) -> Stub:
    title = bibtex_escape(text.strip() or url)
    if identifier.kind == "arxiv":
        kind, fields = "misc", [("title", title), ("eprint", identifier.value), ("archiveprefix", "arXiv"),
                                ("url", f"https://arxiv.org/abs/{identifier.value}")]
    elif identifier.kind == "doi":
        kind, fields = "article", [("title", title), ("doi", identifier.value)]
    elif identifier.kind == "isbn":
        kind, fields = "book", [("title", title), ("isbn", identifier.value)]
    else:
        kind, fields = "online", [("title", title), ("url", bibtex_escape(without_tracking(url), url=True)), ("urldate", today())]
    fields.append((TODO_FIELD, TODO_TEXT))
    return Stub(key=unique_key(readable_key(url, text, identifier), taken), type=kind, fields=tuple(fields),
                identifier=identifier)


def readable_key(url: str, text: str, identifier: Identifier) -> str:
    """A key a writer can type: site and a few words of the link text."""
    words = [w for w in slugify(text).split("-") if w not in STOP_WORDS and not w.isdigit()][:3]
    if identifier.kind == "arxiv":
        site = "arxiv"
    elif identifier.kind == "doi":
        site = "doi"
    elif identifier.kind == "isbn":
        site = "isbn"
    else:
        host = re.sub(r"^www\d?\.", "", url.split("//", 1)[-1].split("/", 1)[0].lower())
        parts = host.split(".")
        site = parts[-2] if len(parts) >= 2 else parts[0]
        site = "wikisource" if "wikisource" in host else "wikipedia" if "wikipedia" in host else site
    return "-".join([slugify(site), *words]) or "link"


def unique_key(key: str, taken: set[str]) -> str:
    if key not in taken:
        return key
    number = 2
    while f"{key}-{number}" in taken:
        number += 1
    return f"{key}-{number}"


def append_stubs(path: Path, stubs: list[Stub]) -> list[str]:
    """Append ``stubs`` to ``path`` (created if missing) without touching existing entries."""
    existing: set[str] = set()
    if path.is_file():
        entries, _problems = parse_bib_file(path)
        existing = {e.key for e in entries}
    new = [s for s in stubs if s.key not in existing]
    if not new:
        return []
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    header = "" if text else "% Stubs written by make-book refs --stubs: complete each entry, then delete its todo field.\n"
    text += header + "".join("\n" + s.bibtex() for s in new)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return [s.key for s in new]


def bibtex_escape(text: str, *, url: bool = False) -> str:
    """Text safe inside a braced BibTeX value."""
    text = " ".join(text.replace("{", "(").replace("}", ")").split())
    if url:
        return text.replace("%", "\\%")
    return re.sub(r"([&%$#_])", r"\\\1", text)


def today() -> str:
    return build_time().date().isoformat()
