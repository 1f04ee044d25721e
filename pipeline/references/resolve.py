"""``make-book resolve``: look up each linked work the bibliography lacks, write complete entries.

The steps, for a project:

1. read ``resolved.json`` (the record of earlier lookups, committed with the project);
2. list the links of the manuscripts that are works with no entry (or, with
   ``refresh``, every link resolved before), and name each by its identifier;
3. look each one up (unless ``offline``, or already recorded): fetch, parse,
   clean, and judge what is missing (``todo``);
4. write ``resolved.json`` (sorted, one record per identifier) and rebuild
   ``resolved.bib`` from it.

Only this module and ``http`` go online; builds read ``resolved.bib`` like any .bib file.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

from ..errors import ConfigError
from .identifiers import Identifier, url as normal_url

log = logging.getLogger(__name__)

OK, PARTIAL, FAILED = "ok", "partial", "failed"
FORMAT = 1  # version of resolved.json's layout
HEADER = ("% Written by make-book resolve from resolved.json: edit that record (or the links), not this file.\n"
          "% An entry with a todo field lacks what its source did not say: add it to the item in resolved.json,\n"
          "% then run make-book resolve --offline.\n")
NEEDS_CONTAINER = {"article-journal", "article-newspaper", "article-magazine", "paper-conference", "chapter"}
NO_AUTHOR = {"entry-encyclopedia"}  # an encyclopedia article has no person as author


@dataclass
class Record:
    """What make-book found for one identifier; written to resolved.json as is."""

    id: str  # "arxiv:1706.03762v5", "doi:10.1038/nature14539", "url:https://…"
    kind: str
    key: str = ""
    links: list[str] = field(default_factory=list)  # the addresses in the manuscripts that name this work
    source: str = ""  # the address asked
    retrieved: str = ""  # YYYY-MM-DD
    status: str = FAILED
    role: str = "work"  # "work", or "link" when the page turned out to be a site, a product or a profile
    reason: str = ""  # why it failed
    same_as: str = ""  # key of an entry of another .bib file that is this work: no entry written
    todo: list[str] = field(default_factory=list)  # what a complete entry still lacks
    item: dict[str, Any] = field(default_factory=dict)  # the cleaned CSL item

    def as_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind, "key": self.key, "links": sorted(set(self.links)), "source": self.source,
                "retrieved": self.retrieved, "status": self.status, "role": self.role, "reason": self.reason,
                "same_as": self.same_as,
                "todo": self.todo, "item": self.item}
        return {k: v for k, v in data.items() if v not in ("", [], {})}

    @classmethod
    def from_dict(cls, id: str, data: dict[str, Any]) -> "Record":
        return cls(id=id, kind=data.get("kind", id.split(":", 1)[0]), key=data.get("key", ""),
                   links=list(data.get("links", [])), source=data.get("source", ""),
                   retrieved=data.get("retrieved", ""), status=data.get("status", FAILED),
                   role=data.get("role", "work"), reason=data.get("reason", ""), same_as=data.get("same_as", ""),
                   todo=list(data.get("todo", [])),
                   item=dict(data.get("item", {})))


@dataclass
class Outcome:
    """One line of the summary table."""

    record: Record
    fetched: bool  # looked up now (False: taken from resolved.json)


def record_path(bib_path: Path) -> Path:
    return bib_path.with_suffix(".json")


def read_records(path: Path) -> dict[str, Record]:
    """The records of ``resolved.json``; a damaged file is an error naming it (never silently dropped)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {id: Record.from_dict(id, value) for id, value in data["records"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path.name} is not a record written by make-book resolve ({exc})", path=path,
                          hint="restore it from version control, or delete it and run make-book resolve again")


def write_records(path: Path, records: dict[str, Record]) -> None:
    """Sorted keys, one field per line, a final newline: a file that diffs cleanly."""
    data = {"format": FORMAT, "records": {id: records[id].as_dict() for id in sorted(records)}}
    _write(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def write_bib(path: Path, records: dict[str, Record]) -> int:
    """``resolved.bib`` from the records alone (what ``--offline`` does); returns the number of entries."""
    from .biblatex import entry

    entries = [entry(r.key, r.item, urldate=r.retrieved, todo=r.todo)
               for r in sorted(records.values(), key=lambda r: r.key)
               if r.status in (OK, PARTIAL) and r.role == "work" and r.key and not r.same_as]
    _write(path, HEADER + "".join("\n" + e for e in entries))
    return len(entries)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def missing(item: dict[str, Any]) -> list[str]:
    """What a careful scholar would still ask of this entry."""
    lacks = []
    if not item.get("title"):
        lacks.append("title")
    if not item.get("author") and item.get("type") not in NO_AUTHOR:
        lacks.append("author")
    if not item.get("issued"):
        lacks.append("date")
    if item.get("type") in NEEDS_CONTAINER and not item.get("container-title"):
        lacks.append("container")
    if item.get("type") == "book" and not item.get("publisher"):
        lacks.append("publisher")
    if item.get("type") in ("thesis", "report") and not item.get("publisher"):
        lacks.append("institution")
    return lacks


def same_work(item: dict[str, Any], index: dict[Identifier, str]) -> str | None:
    """The key of an entry elsewhere that is this work: same DOI, published DOI, arXiv id or ISBN."""
    from .identifiers import arxiv, doi, isbn

    candidates = [Identifier("doi", v) for v in (doi(item.get("DOI") or ""), doi(item.get("related-doi") or "")) if v]
    if item.get("eprint"):
        candidates += [Identifier("arxiv", v) for v in [arxiv(item["eprint"])] if v]
    if item.get("ISBN"):
        candidates += [Identifier("isbn", v) for v in [isbn(item["ISBN"])] if v]
    return next((index[c] for c in candidates if c in index), None)


def lookup(link: str, client, *, prefer_published: bool = False) -> tuple[Identifier, str, dict[str, Any]]:
    """(identifier, source address, CSL item) for one link; raises ``LookupFailed`` subclasses."""
    from .resolvers import BY_KIND, identify
    from .resolvers.webpage import Handover

    found = identify(link)
    if found is None:
        from .http import NotFound

        raise NotFound("no source knows this kind of address")
    resolver, identifier = found
    raw = resolver.fetch(identifier, client)
    try:
        item = resolver.parse(raw, identifier)
    except Handover as handover:  # a page naming its DOI: the DOI registry knows better
        doi_resolver = BY_KIND[handover.identifier.kind]
        raw = doi_resolver.fetch(handover.identifier, client)
        item = doi_resolver.parse(raw, handover.identifier)
        item["URL"] = link
    if prefer_published and item.get("related-doi"):
        doi_resolver = BY_KIND["doi"]
        published = Identifier("doi", item["related-doi"])
        raw = doi_resolver.fetch(published, client)
        item = doi_resolver.parse(raw, published)
    return identifier, raw.source, item


def links_to_resolve(project, names: list[str] | None, *, refresh: bool,
                     resolved_keys: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(link as written, address to look up) for every work with no entry, in reading order, once each."""
    from ..builder import report_references
    from .citations import MATCHED, RESOLVED, UNMATCHED, UNRESOLVED

    wanted: list[tuple[str, str]] = []
    seen: set[str] = set()
    for report in report_references(project, names):
        for ref in report.references:
            if ref.kind != "link":
                continue
            target = ref.target
            if ref.status in (RESOLVED, UNRESOLVED) and target.startswith("/"):
                address = target  # the blog resolver reads root-relative links
            elif ref.status == UNMATCHED or (refresh and ref.status == MATCHED and ref.key in resolved_keys):
                address = target
            else:
                continue
            if address not in seen:
                seen.add(address)
                wanted.append((target, address))
    return wanted


def resolve_project(project, names: list[str] | None = None, *, offline: bool = False, refresh: bool = False,
                    only: str | None = None, client=None,
                    on_progress: Callable[[str, int, int], None] | None = None) -> list[Outcome]:
    """Steps 1 to 4 above; returns one outcome per link looked up or already recorded."""
    from ..config import build_time
    from .bibliography import load_bibliography
    from .biblatex import make_key
    from .http import LookupFailed, make_client
    from .resolvers import identify

    settings = project.config.resolve
    bib_path = project.inside(project.root / settings.output, what="[resolve] output", allow_missing=True)
    json_path = record_path(bib_path)

    # 1. The record of earlier lookups.
    records = read_records(json_path)
    if offline:
        for record in records.values():  # the author may have completed an item by hand
            if record.status != FAILED and record.role == "work" and not record.same_as:
                record.todo = missing(record.item)
                record.status = PARTIAL if record.todo else OK
        if records:
            write_records(json_path, records)
        write_bib(bib_path, records)
        return [Outcome(r, False) for r in records.values()]

    # 2. Works the manuscripts link to without an entry.
    wanted = links_to_resolve(project, names, refresh=refresh, resolved_keys={r.key for r in records.values()})
    others = load_bibliography([p for p in project.bibliography_files() if p.resolve() != bib_path])
    taken = set(others.keys) | {r.key for r in records.values() if r.key}

    # 3. Look each one up.
    owned = client is None
    if client is None:
        from .resolvers.arxiv import PACE

        endpoints = settings.endpoint_map
        arxiv_host = urlsplit(endpoints["arxiv"]).netloc
        blog = project.inside(project.root / settings.blog_content, what="[resolve] blog_content") \
            if settings.blog_content else None
        client = make_client(endpoints=endpoints, mailto=settings.mailto, timeout=settings.timeout,
                             pacing={arxiv_host: PACE}, base_url=project.config.base_url, blog_content=blog)
    today = build_time().date().isoformat()
    outcomes: list[Outcome] = []
    try:
        for number, (written, address) in enumerate(wanted, start=1):
            found = identify(address)
            if found is None:
                continue
            resolver, identifier = found
            if only and resolver.KIND != only:
                continue
            if on_progress:
                on_progress(address, number, len(wanted))
            id = str(identifier)
            earlier = records.get(id)
            if earlier and earlier.status != FAILED and not refresh:
                if written not in earlier.links:
                    earlier.links.append(written)
                outcomes.append(Outcome(earlier, False))
                continue
            record = Record(id=id, kind=resolver.KIND, links=sorted({written, *(earlier.links if earlier else [])}),
                            retrieved=today, key=earlier.key if earlier else "")
            try:
                _identifier, record.source, item = lookup(address, client,
                                                         prefer_published=settings.prefer_published)
            except LookupFailed as exc:
                record.status, record.reason = FAILED, f"{exc.reason}: {exc.message}"
                record.source = record.source or address
            except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
                # An answer of a shape no parser expected: that lookup fails, the others go on.
                log.debug("lookup of %s failed", address, exc_info=True)
                record.status, record.reason = FAILED, f"malformed answer: unexpected shape ({type(exc).__name__})"
                record.source = record.source or address
            else:
                if record.source.startswith("file:"):  # the blog's content folder: a path any clone shares
                    from urllib.parse import unquote

                    local = Path(unquote(urlsplit(record.source).path))
                    record.source = local.relative_to(project.root).as_posix() if local.is_relative_to(
                        project.root) else local.name
                record.role = item.pop("role", "work")
                record.item = item
                record.todo = missing(item) if record.role == "work" else []
                record.status = PARTIAL if record.todo else OK
                same = same_work(item, others.identifiers)
                if same:  # the author has this work already (say, the published version of a preprint)
                    record.key, record.same_as, record.todo, record.status = same, same, [], OK
                elif not record.key and record.role == "work":
                    record.key = make_key(item, taken)
                    taken.add(record.key)
            records[id] = record
            outcomes.append(Outcome(record, True))
    finally:
        if owned:
            client.close()

    # 4. The record, then the .bib made from it.
    write_records(json_path, records)
    write_bib(bib_path, records)
    return outcomes


def resolved_links(project) -> dict[str, tuple[str, str]]:
    """Normalised link address → (role, key), from resolved.json: how builds and ``refs`` match links."""
    settings = project.config.resolve
    path = record_path(project.root / settings.output)
    try:
        records = read_records(path)
    except ConfigError:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for record in records.values():
        if record.status == FAILED:
            continue
        for link in record.links:
            address = urljoin(project.config.base_url, link) if link.startswith("/") and project.config.base_url \
                else link
            found[normal_url(address) or link] = (record.role, record.key)
    return found
