"""Property-based: random raw HTML, as blogs write it, gives a valid EPUB (EPUBCheck 0/0) or a clear error.

EPUBCheck costs seconds per book, so the example count is small and fixed
(``derandomize``: the same examples on every run); each example packs several
fragments into one essay.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pipeline import build, open_project
from pipeline.errors import MakeBookError

from .conftest import DATA, run_epubcheck

TAGS = ["p", "div", "span", "a", "img", "center", "font", "table", "tr", "td", "th", "tbody", "caption", "ul",
        "ol", "li", "dl", "dt", "dd", "figure", "figcaption", "h2", "h3", "h5", "blockquote", "em", "b", "tt",
        "big", "strike", "acronym", "section", "aside", "pre", "code", "sup", "sub", "br", "hr", "q", "abbr",
        "details", "summary", "picture", "main", "hgroup", "my-widget", "blink", "nobr", "small", "mark", "u",
        "video", "audio", "source", "noscript", "time", "ruby", "rt", "wbr", "cite", "del", "ins", "article"]
VOID = {"img", "br", "hr", "source", "wbr"}
ATTRIBUTE_VALUES = {
    "align": ["center", "left", "right", "middle", "bogus"], "valign": ["top", "baseline"],
    "border": ["0", "1", "2px"], "width": ["50%", "120", "auto", "-3", "1.5em"], "height": ["40", "x"],
    "bgcolor": ["#eee"], "color": ["red"], "size": ["+1", "2", "7"], "cellpadding": ["4"], "nowrap": [""],
    "lang": ["en", "fr-CA", "zz_bad!", "", "x"], "dir": ["rtl", "up"], "role": ["note", "bogus", "doc-tip x"],
    "aria-label": ["étiquette"], "aria-bogus": ["1"], "data-x": ["1"], "style": ["color: red", "text-align:center"],
    "id": ["a", "a", "b c", "1", ""], "name": ["ancre"], "class": ["x", ""], "title": ["titre \"cité\""],
    "colspan": ["2", "0", "x"], "rowspan": ["3"], "start": ["5", "x"], "type": ["a", "disc", "1"],
    "hspace": ["4"], "target": ["_blank"], "rel": ["nofollow"], "scope": ["col", "bogus"], "clear": ["all"],
    "href": ["grande.jpg", "docs/a.pdf", "#a", "#nowhere", "https://example.org/x y", "/blog/page/", "file:///x",
             "mailto:a@example.org", "ftp://example.org/f", "", "javascript:alert(1)", "weird:thing", "http://"],
    "src": ["figure.png", "missing.png", "https://example.org/i.png"], "alt": ["Une image", ""],
    "open": [""], "reversed": [""], "datetime": ["2024-01-01"], "onclick": ["x()"],
}
WORDS = st.text(alphabet="abcdéà «»&<>'\"—\u00a0", min_size=0, max_size=12)


def element(children):
    return st.builds(_tag, st.sampled_from(TAGS),
                     st.lists(st.tuples(st.sampled_from(sorted(ATTRIBUTE_VALUES)), st.integers(0, 9)), max_size=4),
                     children)


def _tag(tag, attributes, content):
    attrs = "".join(f' {name}="{html.escape(ATTRIBUTE_VALUES[name][index % len(ATTRIBUTE_VALUES[name])])}"'
                    for name, index in attributes)
    if tag in VOID:
        return f"<{tag}{attrs}>"
    return f"<{tag}{attrs}>{content}</{tag}>"


fragments = st.recursive(WORDS.map(html.escape), lambda inner: element(st.lists(inner, max_size=3).map("".join)),
                         max_leaves=8)


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])  # no shrinking: each example costs an EPUBCheck run
@given(st.lists(fragments, min_size=1, max_size=5), st.booleans())
def test_random_raw_html_gives_a_valid_epub_or_a_clear_error(tmp_path_factory, pieces, inline):
    text = "---\ntitle: Billet\nlang: fr\n---\n\nUn paragraphe.\n\n"
    text += (" et ".join(pieces) + "\n") if inline else "\n\n".join(pieces) + "\n\n## Suite\n\nFin.\n"
    # A folder of the session (not a temporary one): the session's reader check runs Ace and the layout on it.
    root = tmp_path_factory.mktemp("raw-html")
    (root / "manuscripts").mkdir()
    (root / "bibliography").mkdir()
    (root / "manuscripts" / "billet.md").write_text(text, encoding="utf-8")
    shutil.copy(DATA / "figure.png", root / "manuscripts")
    [result] = build(open_project(root), formats=("epub",))
    if not result.ok:
        assert isinstance(result.error, MakeBookError) and str(result.error).strip(), text
        return
    assert run_epubcheck(root / "dist" / "billet.epub") == [], text
