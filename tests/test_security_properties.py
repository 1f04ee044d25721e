"""Issue #11, the property: random strings in every front-matter key and in file names give a build or a
clear MakeBookError; nothing outside the project is read or written; no request is made."""

from __future__ import annotations

import os
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import build, open_project
from pipeline.config import SETTING_NAMES
from pipeline.errors import MakeBookError

from . import security
from .security import CANARY_TEXT, Canary, outputs_text

CANARY = Canary()  # one server for the whole property test; started below, stopped at the end of the module
CANARY.__enter__()

# Keys make-book reads (its settings and the blog generators' names for them) and a few it ignores.
KEYS = sorted(set(SETTING_NAMES) - {"output", "url_map"}) + [
    "tags", "layout", "image", "images", "featured_image", "summary", "excerpt", "authors", "status", "published",
    "publishdate", "pubdate", "language", "languagecode", "categories", "category", "slug", "draft"]
PIECES = ["../", "../../outside/secret.txt", "/etc/passwd", "file:///etc/passwd", f"{CANARY.url}/x.png",
          "//127.0.0.1/x", "<script>", "</title>", '"', "'", "&amp;", "\n", "\r", "\x00", "\x07", "\u202e", "\u2028",
          "::error::x", "```", "{{< x >}}", "${HOME}", "%2e%2e/", "C:\\\\x", "~", "é", "🙂", "\ufeff"]
pieces = st.sampled_from(PIECES)
texts = st.lists(st.one_of(pieces, st.text(max_size=8)), max_size=5).map("".join)
values = st.one_of(texts, st.lists(texts, max_size=3), st.integers(), st.booleans(), st.none(),
                   st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=4), texts, max_size=2))
front_matters = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)
name_chars = st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",))
file_names = st.one_of(st.sampled_from(["essai", "Été", "a b", "-x", ".hidden", "a\nb", "x\u202egpj", "..md"]),
                       st.text(name_chars, min_size=1, max_size=20)).map(lambda n: n + ".md")

tried: list[int] = [0]


@settings(max_examples=int(os.environ.get("MAKE_BOOK_PROPERTY_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(front=front_matters, name=file_names)
def test_random_front_matter_and_names_build_or_fail_cleanly(tmp_path_factory, front, name):
    base = tmp_path_factory.mktemp("prop")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(CANARY_TEXT)
    root = base / "project"
    (root / "manuscripts").mkdir(parents=True)
    (root / "bibliography").mkdir()
    (root / "bibliography" / "refs.bib").write_text("@book{a, title = {A}, year = {2000}}\n", encoding="utf-8")
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n\nUn texte [@a] et un [lien](https://example.org).\n"
    try:
        (root / "manuscripts" / name).write_text(text, encoding="utf-8")
    except OSError:
        return  # a name the file system itself refuses (too long in bytes): nothing for make-book to read
    before = sorted(p.name for p in base.iterdir())
    security.watch(outside)
    try:
        results = build(open_project(root), formats=("epub",))
    except MakeBookError as exc:  # a project-level refusal is fine, if it is a clear one
        results = []
        assert exc.message and "Traceback" not in str(exc)
    finally:
        opened = list(security.opened)
        security.unwatch_all()
    tried[0] += 1
    for result in results:
        assert result.ok or isinstance(result.error, MakeBookError)
        if not result.ok:
            assert result.error.message and "internal error" not in result.error.message, result.error
            assert not any(line.lstrip().startswith("::") for line in str(result.error).split("\n"))
    assert opened == []  # nothing outside the project was read
    assert sorted(p.name for p in base.iterdir()) == before  # nothing written beside the project
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert CANARY.requests == []
    if (root / "dist").exists():
        assert CANARY_TEXT not in outputs_text(root / "dist")


def test_zz_the_property_tried_inputs_and_the_canary_heard_nothing():
    """Runs after the property (file order): the counts the closing note reports."""
    print(f"\ninputs tried: {tried[0]}, requests to the canary: {len(CANARY.requests)}")
    assert CANARY.requests == []
    CANARY.__exit__(None, None, None)
