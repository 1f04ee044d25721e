"""Property-based: random front matter and random BibTeX give a build or a MakeBookError, nothing else."""

from __future__ import annotations

import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import build, open_project
from pipeline.errors import MakeBookError

KEYS = ["title", "subtitle", "author", "date", "lang", "bibliography", "base_url", "links", "keywords", "csl",
        "cover", "paper", "abstract", "tags", "layout"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=30), st.dates().map(str), st.sampled_from(["fr", "en", "xx", "A4", "cite"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(string.ascii_letters, min_size=1, max_size=5), inner, max_size=3), max_leaves=6)
front_matters = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)

bib_field = st.text(alphabet=string.ascii_letters + string.digits + " {}@,=\"#%\\-:/.é", max_size=25)
bib_entries = st.builds(
    lambda kind, key, fields: f"@{kind}{{{key},\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in fields) + "\n}\n",
    st.sampled_from(["article", "book", "online", "misc", "string", "comment", "bogus"]),
    st.text(alphabet=string.ascii_letters + string.digits + "-_:{", max_size=12),
    st.lists(st.tuples(st.sampled_from(["title", "author", "year", "doi", "url", "eprint", "isbn"]), bib_field),
             max_size=4),
)
bib_files = st.lists(st.one_of(bib_entries, bib_field), max_size=4).map("\n".join)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=front_matters, bib=bib_files)
def test_random_inputs_build_or_fail_cleanly(tmp_path_factory, front, bib):
    root = tmp_path_factory.mktemp("prop")
    (root / "manuscripts").mkdir()
    (root / "bibliography").mkdir()
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n\nUn texte [@a] et un [lien](https://example.org).\n"
    (root / "manuscripts" / "essai.md").write_text(text, encoding="utf-8")
    (root / "bibliography" / "refs.bib").write_text(bib + "\n@book{a, title = {A}, year = {2000}}\n", encoding="utf-8")
    results = build(open_project(root), formats=("epub",))
    for result in results:
        assert result.ok or isinstance(result.error, MakeBookError)
        if not result.ok:
            assert result.error.message and str(result.error)
