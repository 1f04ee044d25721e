"""Property test of the printed page: nothing lost, nothing drawn off the page.

Random essays built from the blocks real writers use (long notes, wide tables,
long code lines, long addresses, headings with notes, quotations, lists): every
word of the manuscript's text is in the PDF's text, and no word is drawn
outside the page minus 1 mm, nor outside the text block's width.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pypandoc
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pipeline import build, open_project

XHTML = "{http://www.w3.org/1999/xhtml}"
MM = 72 / 25.4
LETTERS = re.compile(r"[^\W\d_]{2,}")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\u00ad"))
VOCABULARY = ("lecture texte livre page marge note auteur lecteur modèle langue question réponse idée forme "
              "phrase paragraphe chapitre citation source histoire mémoire attention machine réseau "
              "interprétation compréhension représentation particulièrement apprentissage transformation "
              "anticonstitutionnellement connaissance bibliothèque imprimerie typographie").split()

word = st.sampled_from(VOCABULARY)
sentence = st.lists(word, min_size=3, max_size=30).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=8).map(" ".join)
address = st.lists(word, min_size=2, max_size=6).map(lambda ws: "https://example.org/" + "/".join(ws) + "?id=1&x=2")


@st.composite
def essay(draw) -> str:
    blocks: list[str] = []
    notes: list[str] = []
    for index in range(draw(st.integers(3, 9))):
        kind = draw(st.sampled_from(["p", "p", "p", "note", "longnote", "table", "code", "url", "heading",
                                     "quote", "list"]))
        text = draw(paragraph)
        if kind == "note" or kind == "longnote":
            size = 400 if kind == "longnote" else 5
            body = " ".join(draw(st.lists(sentence, min_size=size // 5, max_size=size // 5 + 3)))
            blocks.append(f"{text}[^n{index}] {draw(sentence)}")
            notes.append(f"[^n{index}]: {body}")
        elif kind == "table":
            columns = draw(st.integers(2, 9))
            rows = [" | ".join(draw(word) for _ in range(columns)) for _ in range(draw(st.integers(1, 12)))]
            blocks.append("\n".join([rows[0], " | ".join(["---"] * columns), *rows[1:]]))
        elif kind == "code":
            line = "_".join(draw(st.lists(word, min_size=3, max_size=20)))
            blocks.append(f"```\ndef f():\n    return {line}\n        # {draw(sentence)}\n```")
        elif kind == "url":
            blocks.append(f"{text} <{draw(address)}> [{draw(word)}]({draw(address)}) {draw(sentence)}")
        elif kind == "heading":
            blocks.append(f"## {draw(word).capitalize()} {draw(word)}[^h{index}]")
            notes.append(f"[^h{index}]: {draw(sentence)}")
        elif kind == "quote":
            blocks.append(f"> {text}\n\n— {draw(word).capitalize()}, *{draw(word)}*")
        elif kind == "list":
            blocks.append("\n".join(f"- {draw(sentence)}" for _ in range(draw(st.integers(1, 6)))))
        else:
            blocks.append(text)
    return "---\ntitle: Essai au hasard\ndate: 2026-01-01\nlang: fr\n---\n\n" + "\n\n".join(blocks + notes) + "\n"


def manuscript_words(markdown: str) -> Counter:
    plain = pypandoc.convert_text(markdown, "plain", format="markdown", extra_args=["--wrap=none"])
    return Counter(LETTERS.findall(plain))


def pdf_words(pdf: Path) -> tuple[set[str], list[tuple[int, float, float, float, float, str]], list[tuple]]:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    tree = ElementTree.fromstring(xml)
    pages, boxes = [], []
    for number, page in enumerate(tree.iter(f"{XHTML}page")):
        pages.append((float(page.get("width")), float(page.get("height"))))
        for w in page.iter(f"{XHTML}word"):
            boxes.append((number, float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                          float(w.get("yMax")), (w.text or "").translate(INVISIBLE)))
    tokens = [t for *_, text in boxes for t in LETTERS.findall(text.replace("\u2010", "\u2010 "))]
    found = set(tokens)
    words = [text for *_, text in boxes]
    for index, text in enumerate(words):
        if text.endswith("\u2010"):  # a word hyphenated at a line's end: join it to the next word of letters
            head = LETTERS.findall(text)
            for following in words[index + 1:index + 40]:
                tail = LETTERS.findall(following)
                if head and tail:
                    found.add(head[-1] + tail[0])
    return found, boxes, pages


@settings(max_examples=6, deadline=None, phases=[Phase.generate], derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=essay())
def test_every_word_is_printed_and_nothing_is_drawn_off_the_page(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("page")
    (root / "manuscripts").mkdir()
    (root / "bibliography").mkdir()
    (root / "manuscripts" / "essai.md").write_text(text, encoding="utf-8")
    [result] = build(open_project(root), formats=("pdf",))
    assert result.ok, result.error
    assert not [w for w in result.warnings if "cut off" in w], result.warnings
    found, boxes, pages = pdf_words(root / "dist" / "essai.pdf")
    missing = [w for w in manuscript_words(text) if w not in found]
    assert not missing, missing
    for number, x0, y0, x1, y1, word_text in boxes:
        width, height = pages[number]
        assert MM <= x0 and x1 <= width - MM and MM <= y0 and y1 <= height - MM, (number, word_text, x0, y0, x1, y1)
        # inside the text block's width (A5: 14 mm inner and 22 mm outer margins, mirrored), 1 mm of slack
        left, right = (22, 14) if number % 2 else (14, 22)
        assert (left - 1) * MM <= x0 and x1 <= width - (right - 1) * MM, (number, word_text, x0, x1)
