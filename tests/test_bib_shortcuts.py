"""The shortcuts that keep a large library cheap give exactly what the long way gives.

- ``Bibliography.key_for`` (link matching that takes apart only the entries whose
  cheap text may hold the identifier) = the full index ``Bibliography.identifiers``;
- the quick reader (``bibscan``) = bibtexparser, on shapes mutated at random;
- the parse cache never serves an edited file, and the faults of uncited entries
  are warned in a build that reads it back.
"""

from __future__ import annotations

import os
import random
import re
import string
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.references.bibcache import _MACROS, LEFT_OUT, _block_starts, parse_cached
from pipeline.references.bibliography import _parse, load_bibliography, parse_bib_file
from pipeline.references.bibscan import read_entry
from pipeline.references.identifiers import Identifier, link_identifiers

from .conftest import REPO, write


def assert_lookups_agree(bibliography, links: list[str] = ()) -> int:
    """Every identifier of every entry, and of ``links``, finds the same key both ways; returns how many."""
    index = bibliography.identifiers  # computed on a copy, so that key_for below takes the short way
    fresh = load_bibliography(list(bibliography.files))
    wanted = list(index) + [i for link in links for i in link_identifiers(link)]
    for identifier in wanted:
        assert fresh.key_for(identifier) == index.get(identifier), identifier
    assert "identifiers" not in fresh.__dict__  # the short way was taken
    return len(wanted)


def test_lookup_agrees_with_the_full_index_on_every_library_of_the_tests():
    files = sorted((REPO / "tests" / "data").rglob("*.bib")) + sorted((REPO / "bibliography").glob("*.bib"))
    texts = [path.read_text(encoding="utf-8") for path in sorted(REPO.glob("*/**/*.md")) if ".venv" not in path.parts]
    texts += [path.read_text(encoding="utf-8") for path in sorted((REPO / "tests").glob("test_*.py"))]
    links = sorted({link.rstrip(".,;") for text in texts for link in re.findall(r"https?://[^\s)\]}>\"'`]+", text)})
    assert len(links) > 200
    total = sum(assert_lookups_agree(load_bibliography([path]), links) for path in files)
    assert total > 200 * len(files)


TRICKY = r"""
@misc{escapes, url = {https://Example.org/a\_b/c{\_}d/e\textunderscore{}f/g\textasciitilde h?utm_source=x&q=1}}
@misc{percent, url = {https://doi.org/10.1000%2FABC.def}, note = {voir \url{https://x.org/caf%C3%A9\%20noir}}}
@article{publisher, doi = {10.1002/ANIE.{\_}201}, url = {https://onlinelibrary.wiley.com/doi/full/10.1002/x.1/abstract}}
@misc{sharp, url = {https://de.wikipedia.org/wiki/%C3%9F}}
@misc{permalink, url = {https://fr.wikipedia.org/w/index.php?title=Jeu_de_go&oldid=123456}}
@misc{mobile, howpublished = {\url{https://en.m.wikipedia.org/wiki/Go_(game)}}}
@book{ten, isbn = {2-07-036822-X}}
@book{thirteen, isbn = {ISBN 978-2-07-036822-8 ; 979-10-90636-07-1}}
@inproceedings{paper, isbn = {978-3-16-148410-0}, title = {Shares the volume's ISBN}}
@article{old, eprint = {cs.DB/0003005}, archiveprefix = {arXiv}}
@article{scholar, journal = {arXiv preprint arXiv:2106.09685}}
@article{arxivdoi, doi = {10.48550/arXiv.1706.03762}}
@misc{eprintdoi, eprint = {10.5281/zenodo.42}, eprinttype = {doi}}
@misc{port, url = {https://user@WWW.example.com:443/Path//to/?b=2&a=1#frag}}
@inproceedings{child, title = {Enfant}, crossref = {parent}}
@proceedings{parent, title = {Actes}, url = {https://actes.example.org/2020}, doi = {10.1000/actes}}
@article{same1, doi = {10.1000/SAME}}
@article{same2, doi = {https://doi.org/10.1000/same}}
@misc{unicode, url = {https://exemple.fr/Éditions/Œuvre_complète}}
@misc{escaped, url = {https://exemple.fr/caf%c3%a9/l%27%C3%A9t%C3%A9}}
@misc{spaces, note = {en ligne : https://x.org/a\textasciitilde user/b.}}
"""
LINKS = ["https://example.org/a_b/c_d/e_f/g~h?q=1", "https://doi.org/10.1000/abc.def", "https://x.org/caf%C3%A9%20noir",
         "https://de.wikipedia.org/wiki/SS", "https://fr.wikipedia.org/wiki/Jeu_de_go", "https://arxiv.org/abs/1706.03762v5",
         "isbn:9782070368228", "https://arxiv.org/abs/cs/0003005", "https://www.example.com/Path/to?a=1&b=2",
         "https://actes.example.org/2020/", "https://doi.org/10.1000/same", "https://exemple.fr/%C3%89ditions/%C5%92uvre_compl%C3%A8te",
         "https://exemple.fr/café/l'été",
         "https://doi.org/10.1000/none", "https://example.org/other", "https://en.wikipedia.org/wiki/Go_(game)"]


def test_lookup_agrees_on_every_spelling_of_an_identifier(tmp_path):
    bibliography = load_bibliography([write(tmp_path / "refs.bib", TRICKY)])
    assert assert_lookups_agree(bibliography, LINKS) > 40
    found = {link: next((bibliography.key_for(i) for i in link_identifiers(link) if bibliography.key_for(i)), None)
             for link in LINKS}
    assert found["https://x.org/caf%C3%A9%20noir"] == "percent"  # only via a \url in note, with \%
    assert found["https://de.wikipedia.org/wiki/SS"] == "sharp"  # ß: the title's first letter upper-cased
    assert found["isbn:9782070368228"] == "ten"  # an ISBN-10 in the entry
    assert found["https://arxiv.org/abs/cs/0003005"] == "old"  # with its subject class in the entry
    assert found["https://actes.example.org/2020/"] == "child"  # inherited, and first in the file
    assert found["https://doi.org/10.1000/same"] == "same1"  # the first entry wins
    assert found["https://en.wikipedia.org/wiki/Go_(game)"] == "mobile"  # the title's ')' is kept
    assert found["https://doi.org/10.1000/none"] is None
    # An address as sent (percent-escaped) finds the entry that writes it as shown, and the other way round.
    assert found["https://exemple.fr/%C3%89ditions/%C5%92uvre_compl%C3%A8te"] == "unicode"
    assert found["https://exemple.fr/café/l'été"] == "escaped"


# Spellings exporters write, each with the identifier it must be found by.
SPELLINGS = [
    ("doi", "10.{n}/Ab{{\\_}}c", "https://doi.org/10.{n}/ab_c"),
    ("doi", "https://dx.doi.org/10.{n}%2Fxyz", "https://doi.org/10.{n}/xyz"),
    ("url", "https://www.site{n}.org/a\\_b/?utm_medium=m", "http://site{n}.org/a_b"),
    ("url", "https://site{n}.org/p\\textunderscore q/caf%C3%A9", "https://site{n}.org/p_q/caf%C3%A9"),
    ("note", "en ligne : \\url{{https://site{n}.org/x\\%7Ey}}", "https://site{n}.org/x%7Ey"),
    ("howpublished", "\\url{{https://fr.wikipedia.org/wiki/%C3%89douard_{n}}}", "https://fr.wikipedia.org/wiki/Édouard_{n}"),
    ("eprint", "arXiv:2101.{n:05d}v3", "https://arxiv.org/pdf/2101.{n:05d}.pdf"),
    ("journal", "arXiv preprint arXiv:2202.{n:05d}", "https://arxiv.org/abs/2202.{n:05d}"),
    ("isbn", "978-2-07-0{n:05d}-?", "isbn:9782070{n:05d}?"),
]


def _isbn13(first12: str) -> str:
    return first12 + str((10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(first12)) % 10) % 10)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, len(SPELLINGS) - 1), st.integers(1000, 1040),
                          st.sampled_from(["book", "article", "misc", "online"])), min_size=1, max_size=25))
def test_lookup_agrees_on_random_libraries(tmp_path, picks):
    """Random libraries of those spellings (shared numbers make several entries hold one identifier)."""
    text, links = [], []
    for index, (pick, number, kind) in enumerate(picks):
        field, raw, link = SPELLINGS[pick]
        raw, link = raw.format(n=number), link.format(n=number)
        if field == "isbn":
            full = _isbn13(raw.replace("-", "")[:12])
            raw, link = raw[:-1] + full[-1], "isbn:" + full
        text.append(f"@{kind}{{e{index}, title = {{T}}, {field} = {{{raw}}}}}\n")
        links.append(link)
    bibliography = load_bibliography([write(tmp_path / "random.bib", "".join(text))])
    assert_lookups_agree(bibliography, links)


def test_lookup_takes_apart_only_the_entries_that_may_hold_the_identifier(tmp_path):
    lines = [f"@article{{a{i}, doi = {{10.1000/x.{i}}}, url = {{https://example.org/a{{\\_}}{i}}}}}\n" for i in range(400)]
    bibliography = load_bibliography([write(tmp_path / "many.bib", "".join(lines))])
    assert bibliography.key_for(Identifier("doi", "10.1000/x.321")) == "a321"
    assert bibliography.key_for(next(i for i in link_identifiers("https://example.org/a_7") if i.kind == "url")) == "a7"
    taken_apart = [e.key for e in bibliography.entries.values() if "own_identifiers" in e.__dict__]
    assert len(taken_apart) <= 12 and {"a321", "a7"} <= set(taken_apart)  # a7: also a70…a79 hold "a7"


# -- the quick reader against bibtexparser, on broken shapes --------------------------------------------

BASE = r"""@string{pi = {Presses}}
@article{one,
  author = {Müller, Hans and {Organisation}},
  title = "Un {"} titre {\'e}tonnant",
  year = 2019,
  month = jan,
  doi = {10.1000/a{\_}b},
}
@book{two, title = {A{b{c}}}, publisher = pi, note = {n}}
@misc{three,
  title = {Trois},
  url = {https://x.org/a\_b}
}
"""
SYNTAX = list("{}\",=@#%\\\n ") + ["title = {X}", ", year = 1", "}\n@misc{z,"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, len(BASE)), st.integers(0, 3), st.sampled_from(SYNTAX)), max_size=3))
def test_quick_reader_agrees_with_bibtexparser_on_broken_shapes(tmp_path, edits):
    """Each block the quick reader takes is read so by bibtexparser too; the cache changes nothing."""
    text = BASE
    for at, cut, insert in edits:  # delete a few characters somewhere, put a piece of syntax there
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut:]
    path = tmp_path / "mutated.bib"
    starts = _block_starts(text)
    blocks = [text[a:b] for a, b in zip([0] + starts, starts + [len(text)]) if a < b]
    macros = "".join(b if b.endswith("\n") else b + "\n" for b in blocks if _MACROS.match(b))
    for block in blocks:
        read = None if _MACROS.match(block) else read_entry(block, macros=bool(macros))
        # Where bibtexparser reads otherwise than BibTeX, the quick reader reads as BibTeX does (as before):
        # inside "…" bibtexparser ends the value at any '"' but {"} (BibTeX: at a '"' outside braces, so
        # "Gr{"u}n" is one value), it takes a brace after an escaped backslash (a\\}) as escaped, and it
        # does not count a line that ends with a backslash.
        if read is not None and not re.search(r"\\\\[{}]|\\\n", block) and not any(
                re.search(r'(?<!\\)"', value.replace('{"}', "")) for value in read[2].values()):
            # BibTeX allows blanks after '@' (the quick reader too), bibtexparser does not.
            # (A block it reads names no @string: with macros in the file, a bare word is handed over.)
            entries, problems = _parse(path, re.sub(r"^([ \t]*@)[ \t]+", r"\1", block))
            assert problems == [], block
            assert [(e.key, e.type, e.fields, e.line - 1, {k: v - 1 for k, v in e.field_lines.items()})
                    for e in entries] == [read], block
    path.write_text(text, encoding="utf-8")
    cache = Path(tempfile.mkdtemp(dir=tmp_path))  # a new output folder for each example
    plain = _shape(parse_cached(path, text, None), without=LEFT_OUT)
    assert _shape(parse_cached(path, text, cache)) == plain  # parsed, kept
    assert _shape(parse_cached(path, text, cache)) == plain  # read back


def test_a_broken_string_definition_is_reported(tmp_path):
    text = "@string{{pi = {Presses}}\n@book{a, title = {A}, publisher = pi}\n"
    path = write(tmp_path / "refs.bib", text)
    for cache in (None, tmp_path):
        problems = parse_bib_file(path, cache_dir=cache)[1]
        assert [p.line for p in problems if "no key" in p.message] == [1]


def _shape(result, without: set[str] = frozenset()) -> tuple:
    entries, problems = result
    return ([(e.key, e.type, {k: v for k, v in e.fields.items() if k not in without}, e.line,
              {k: v for k, v in e.field_lines.items() if k not in without}) for e in entries],
            [(p.line, p.message, p.hint, p.key, p.blocking) for p in problems])


# -- the parse cache --------------------------------------------------------------------------------------

def test_an_edited_file_is_never_read_from_the_cache_even_with_its_size_and_time(tmp_path):
    path = write(tmp_path / "refs.bib", "@book{a, title = {Premier}, year = {2001}}\n@book{b, title = {Deux}}\n")
    cache = tmp_path / "dist"
    cache.mkdir()
    stamp = os.stat(path).st_mtime_ns
    assert parse_bib_file(path, cache_dir=cache)[0][0].fields["title"] == "Premier"
    path.write_text(path.read_text(encoding="utf-8").replace("Premier", "Dernier"), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))  # same size, same modification time (a checkout, a coarse clock)
    entries, _ = parse_bib_file(path, cache_dir=cache)
    assert entries[0].fields["title"] == "Dernier"
    assert (entries, _) == parse_bib_file(path)


def test_a_cache_from_elsewhere_that_does_not_parse_is_ignored(tmp_path):
    path = write(tmp_path / "refs.bib", "@book{a, title = {Titre}}\n")
    cache = tmp_path / "dist"
    cache.mkdir()
    plain = parse_bib_file(path)
    assert parse_bib_file(path, cache_dir=cache) == plain
    [store] = cache.glob(".make-book-bib-*.json")
    text = store.read_text(encoding="utf-8")
    for damaged in (text.replace('"entries":[[', '"entries":[[1,'), text[: len(text) // 2], "[]"):
        store.write_text(damaged, encoding="utf-8")
        assert parse_bib_file(path, cache_dir=cache) == plain


def test_uncited_faults_are_warned_in_every_build_cached_or_not(project):
    from pipeline.builder import prepare
    from pipeline.project import open_project
    from pipeline.references.citations import resolve_references
    from pipeline.references.csl_json import references_for

    rng = random.Random(3)
    filler = "".join(f"@article{{g{i}, title = {{{''.join(rng.choices(string.ascii_lowercase, k=12))}}}, "
                     f"doi = {{10.1000/g.{i}}}}}\n" for i in range(300))
    bib = ("@book{cited, title = {Cité}, year = {2020}}\n" + filler
           + "@book{broken, title = {Jamais fermé,\n  year = {2001}\n}\n"
           + "@book{twice, title = {A}, title = {B}}\n")
    root = project({"essai.md": "---\ntitle: Essai\nlang: fr\n---\n\nVoir [@cited] et [ce lien](https://doi.org/10.1000/g.42).\n"},
                   bib={"refs.bib": bib})
    opened = open_project(root)
    cache = root / "dist"
    cache.mkdir()
    seen = []
    for _ in range(2):  # a first build (no cache), then one that reads the cache back
        document = prepare(opened, opened.resolve_manuscript("essai"), cache_dir=cache)
        report = resolve_references(document, project_root=root)
        references_for(document)
        seen.append(sorted(w for w in document.warnings if "refs.bib:" in w))
        assert [(r.key, r.how) for r in report.references if r.kind == "link"] == [("g42", "doi")]
    assert list(cache.glob(".make-book-bib-*.json"))
    assert seen[0] == seen[1]
    assert any("refs.bib:302" in w and "never closed" in w for w in seen[1]), seen[1]
    assert any("refs.bib:305" in w and "'title' given twice" in w for w in seen[1]), seen[1]


def test_an_untouched_file_is_not_even_read_and_an_edited_one_always_is(tmp_path, monkeypatch):
    from pipeline.references import bibcache

    path = write(tmp_path / "refs.bib", "@book{a, title = {Premier}, year = {2001}}\n@book{b, title = {Deux}}\n")
    cache = tmp_path / "dist"
    cache.mkdir()
    reads = []
    decode = bibcache.decode_text
    monkeypatch.setattr(bibcache, "decode_text", lambda data, where: reads.append(where) or decode(data, where))
    # Just written: its status is not trusted (it could change again within the clock's tick), its text is.
    parse_bib_file(path, cache_dir=cache)
    parse_bib_file(path, cache_dir=cache)
    assert len(reads) == 2
    # A build a minute later trusts the status: the file is not read again while it stays untouched.
    time.sleep(0.05)  # past the file system clock's tick of the write above
    later = time.time_ns() + 60 * 10**9
    monkeypatch.setattr(bibcache, "_now", lambda: later)
    first = parse_bib_file(path, cache_dir=cache)
    assert parse_bib_file(path, cache_dir=cache) == first and len(reads) == 3
    # Edited, same size, modification time put back: its change time tells, the new text is read.
    stamp = os.stat(path).st_mtime_ns
    path.write_text(path.read_text(encoding="utf-8").replace("Premier", "Dernier"), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))
    entries, problems = parse_bib_file(path, cache_dir=cache)
    assert entries[0].fields["title"] == "Dernier" and len(reads) == 4
    assert (entries, problems) == parse_bib_file(path)
    # Touched only (same text, new times): read once more, then trusted again.
    os.utime(path)
    monkeypatch.setattr(bibcache, "_now", lambda: time.time_ns() + 60 * 10**9)
    assert parse_bib_file(path, cache_dir=cache) == (entries, problems)
    assert parse_bib_file(path, cache_dir=cache) == (entries, problems) and len(reads) == 6
