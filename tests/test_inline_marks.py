"""Blog inline marks: ==highlight==, ++insert++, ^^insert^^, CriticMarkup — rendered or reported, never raw."""

import json
from pathlib import Path

import pytest

from pipeline.pandoc import iter_nodes, parse_markdown, run, stringify
from pipeline.sources import dialects


def tree(text: str):
    context = dialects.Context(Path("billet.md"), lang="fr")
    lines = text.splitlines()
    context.line_of = lambda needle: next((n for n, line in enumerate(lines, 1) if needle in line), None)
    markdown, _ = dialects.read_dialects(text, 1, context)
    ast = parse_markdown(markdown)
    dialects.transform_tree(ast, context)
    return ast, context


def html(ast) -> str:
    out, _ = run(json.dumps(ast), ["-f", "json", "-t", "html"])
    return out


def kinds(ast, kind):
    return [stringify(node) for node in iter_nodes(ast) if node.get("t") == kind]


@pytest.mark.parametrize("text, marked", [
    ("Un mot ==surligné== ici.", ["surligné"]),
    ("Deux ==mots surlignés==, puis ==un autre==.", ["mots surlignés", "un autre"]),
    ("*Titre ==dans== l’italique*", ["dans"]),
])
def test_highlights_are_mark_elements(text, marked):
    ast, context = tree(text)
    spans = [stringify(n) for n in iter_nodes(ast) if n.get("t") == "Span" and "mark" in n["c"][0][1]]
    assert spans == marked
    assert "==" not in html(ast) and html(ast).count("<mark>") == len(marked)
    assert not context.warnings


@pytest.mark.parametrize("text", [
    "On a a == b en prose, et x==y collé.",
    "Du code `a == b` et $x == y$ en maths.",
    "Un lien <https://exemple.org/q?a==b> et [là](https://exemple.org/==x==).",
    "```\nif a == b: c = ==d==\n```",
    "Un + deux ++ trois et a ++ b.",
])
def test_equals_and_plus_signs_that_are_not_marks_stay(text):
    ast, context = tree(text)
    assert not [n for n in iter_nodes(ast) if n.get("t") in ("Underline",)
                or (n.get("t") == "Span" and "mark" in n["c"][0][1])]
    assert not context.warnings


@pytest.mark.parametrize("text, inserted", [
    ("Un ++ajout++ ici.", ["ajout"]),
    ("Un ++ajout en trois mots++, puis (++un autre++).", ["ajout en trois mots", "un autre"]),
    ("MkDocs : ^^inséré^^ et ^^deux mots^^.", ["inséré", "deux mots"]),
])
def test_inserts_are_underlined(text, inserted):
    ast, context = tree(text)
    assert kinds(ast, "Underline") == inserted
    out = html(ast)
    assert "++" not in out and "^^" not in out and out.count("<u>") == len(inserted)
    assert not kinds(ast, "Superscript")


def test_other_inline_syntaxes_pandoc_reads():
    ast, _ = tree("Un ^exposant^, H~2~O, ~~barré~~ et [Petites]{.smallcaps}.")
    out = html(ast)
    assert "<sup>exposant</sup>" in out and "<sub>2</sub>" in out and "<del>barré</del>" in out
    assert 'class="smallcaps">Petites</span>' in out
    assert "^" not in out and "~" not in out


@pytest.mark.parametrize("text", [
    "Texte.\n\nUne {++proposition++} ici.",
    "Texte.\n\nUne {--suppression--} ici.",
    "Texte.\n\nUn {==passage==}{>>commentaire<<} ici.",
    "Texte.\n\nUn {~~avant~>après~~} ici.",
])
def test_critic_markup_is_reported_with_its_line(text):
    _, context = tree(text)
    assert context.warnings and context.warnings[0][1] == 3
    assert "CriticMarkup" in context.warnings[0][0]
