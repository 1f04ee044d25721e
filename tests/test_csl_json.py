"""LaTeX decoding and the conversion of entries to CSL JSON, as exporters write them."""

from __future__ import annotations

import pytest

from pipeline.references.bibliography import load_bibliography
from pipeline.references.csl_json import cited_keys, csl_items, date, parse_names, to_csl
from pipeline.references.latex import to_text, unknown_commands, verbatim

from .conftest import write


@pytest.mark.parametrize("raw, text", [
    (r"Modéliser les scores \textendash{} une revue", "Modéliser les scores – une revue"),
    (r"Analyse sportive \textemdash ~{{Évaluation}} des joueurs", "Analyse sportive — Évaluation des joueurs"),
    (r"Cahiers bamberg\"eois d'informatique", "Cahiers bambergëois d'informatique"),
    (r"{Optane\(^\mbox\texttrademark\) et Intel\(^\mbox®\)}", "Optane™ et Intel®"),
    (r"Beno\^\it", "Benoît"),
    (r"{\'E}cole {\c c}a \oe uvre \ss{} {\aa} \v{s} \"{o} \L{}\'od\'z", "École ça œuvre ß å š ö Łódź"),
    (r"$\phi$ et \(\Sigma\), H$_2$O, x$^{2}$", "ϕ et Σ, H₂O, x²"),
    (r"50% de \#1 \& \_ {{NASA}}", "50% de #1 & _ NASA"),
    (r"\url{https://x.org/a_b} \href{https://x.org}{le site}", "https://x.org/a_b le site"),
    ("1990--1995, a---b", "1990–1995, a—b"),
])
def test_latex_is_decoded_in_prose_fields(raw, text):
    decoded = to_text(raw)
    assert decoded == text
    assert not set(decoded) & set("{}\\$")


def test_rich_text_keeps_protected_case_and_emphasis():
    assert to_text(r"A study of {NASA} in \emph{Vivo}", rich=True) == \
        'A study of <span class="nocase">NASA</span> in <i>Vivo</i>'
    # Zotero's title = {{…}}: the whole title keeps its case, as in BibTeX
    assert to_text("{Un titre Protégé}", rich=True) == '<span class="nocase">Un titre Protégé</span>'


@pytest.mark.parametrize("raw, address", [
    (r"10.1007/978-3-642-03354-4{\_}40", "10.1007/978-3-642-03354-4_40"),
    (r"10.1007/978-3-031-39847-6\_20", "10.1007/978-3-031-39847-6_20"),
    (r"\url{https://x.org/a\_b?c=1\&d=2}", "https://x.org/a_b?c=1&d=2"),
    (r"https://x.org/\~{}me/50\%", "https://x.org/~me/50%"),
])
def test_escapes_are_undone_in_addresses(raw, address):
    assert verbatim(raw) == address


def test_unknown_commands_are_named():
    assert unknown_commands(r"Un \foo{titre} et \textendash") == ("foo",)
    assert unknown_commands(r"\'{e}t\'e") == ()


@pytest.mark.parametrize("raw, family, given", [
    (r"Nu\~nez, Juan", "Nuñez", "Juan"),
    (r"Pe\~{n}a, Ana", "Peña", "Ana"),
    (r"\'Emile Zola", "Zola", "Émile"),
    (r"Dvo\v{r}\'ak, Anton\'{\i}n", "Dvořák", "Antonín"),
    (r"Fran\c{c}ois Truffaut", "Truffaut", "François"),
    (r"Le~Goff, Jacques", "Le Goff", "Jacques"),
])
def test_accents_without_braces_stay_in_the_name(raw, family, given):
    """BibTeX's splitter reads ``~`` as a tie: an accent written ``\~n`` must not split the name."""
    assert parse_names(raw) == [{"family": family, "given": given}]


def test_names_follow_bibtex_rules():
    names = parse_names(r"Dagon, Beno\^\it and {World Health Organization} and Jean de La Fontaine and "
                        r"van der Berg, Jr., Piet and {Barnes and Noble} and others")
    assert names == [
        {"family": "Dagon", "given": "Benoît"}, {"literal": "World Health Organization"},
        {"family": "La Fontaine", "given": "Jean", "non-dropping-particle": "de"},
        {"family": "Berg", "given": "Piet", "non-dropping-particle": "van der", "suffix": "Jr."},
        {"literal": "Barnes and Noble"},
    ]


@pytest.mark.parametrize("args, expected", [
    (("2020-03-11",), {"date-parts": [[2020, 3, 11]]}),
    (("1988/1992",), {"date-parts": [[1988], [1992]]}),
    ((None, "2019", "jan"), {"date-parts": [[2019, 1]]}),
    ((None, "2019", "{Mars}"), {"date-parts": [[2019, 3]]}),
    ((None, "2019", "9", "4"), {"date-parts": [[2019, 9, 4]]}),
    ((None, "2019b"), {"date-parts": [[2019]]}),
    ((None, "sous presse"), {"literal": "sous presse"}),
])
def test_dates(args, expected):
    assert date(*args) == expected


BIB = r"""
@article{art, author = {Arnal, L{\'e}a}, title = {Un {\'e}t{\'e}}, journaltitle = {Revue}, date = {2020-06},
  number = {3}, pages = {12--20}, doi = {10.1000/a{\_}b}, langid = {french}}
@inproceedings{pub, author = {Roux, Amélie}, title = {Papier}, booktitle = {Actes}, publisher = {Barnes and Noble},
  organization = {Société {A} and {B}}, year = 2021, month = feb}
@online{pre, author = {Hamon, Nils}, title = {Prépublication}, date = {1996-03-11}, eprinttype = {arxiv},
  eprint = {hep-th/9603067}}
@misc{bbt, author = {{Agence inventée}}, title = {Un rapport en ligne}, howpublished = {\url{https://x.org/r\_1}},
  year = {2022}, note = {Consulté le 3 mai}}
@article{gs, author = {Chen, Li}, title = {Adapters}, journal = {arXiv preprint arXiv:2106.09685},
  year = {2021}, archivePrefix = {arXiv}, eprint = {2106.09685}, primaryClass = {cs.CL}}
@phdthesis{th, author = {Petit, Jean}, title = {Thèse}, school = {Université inventée}, year = {2010}}
"""


def test_entries_become_csl_items(tmp_path):
    bibliography = load_bibliography([write(tmp_path / "refs.bib", BIB)])
    items = {item["id"]: item for item in csl_items(bibliography, ["art", "pub", "pre", "bbt", "gs", "th"], "fr")}
    art = items["art"]
    assert art["type"] == "article-journal" and art["container-title"] == "Revue"
    assert art["author"] == [{"family": "Arnal", "given": "Léa"}] and art["title"] == "Un été"
    assert art["issued"] == {"date-parts": [[2020, 6]]} and art["issue"] == "3" and art["page"] == "12-20"
    assert art["DOI"] == "10.1000/a_b" and art["language"] == "fr-FR"
    assert items["pub"]["publisher"] == "Barnes and Noble" and items["pub"]["issued"] == {"date-parts": [[2021, 2]]}
    pre = items["pre"]
    assert pre["type"] == "article" and pre["URL"] == "https://arxiv.org/abs/hep-th/9603067"
    assert pre["number"] == "arXiv:hep-th/9603067"
    bbt = items["bbt"]
    assert bbt["URL"] == "https://x.org/r_1" and bbt["author"] == [{"literal": "Agence inventée"}]
    assert bbt["note"] == "Consulté le 3 mai"
    assert items["gs"]["URL"] == "https://arxiv.org/abs/2106.09685"
    assert items["th"]["genre"] == "Thèse de doctorat" and items["th"]["publisher"] == "Université inventée"


def test_only_cited_and_nocite_keys_are_converted():
    ast = {"blocks": [{"t": "Para", "c": [{"t": "Cite", "c": [[{"citationId": "b"}, {"citationId": "a"}], []]}]}],
           "meta": {"nocite": {"t": "MetaInlines", "c": [{"t": "Cite", "c": [[{"citationId": "c"}], []]}]}}}
    assert cited_keys(ast) == ["b", "a", "c"]


def test_titles_without_langid_get_their_language_when_not_english():
    from pipeline.references.csl_json import guess_languages

    items = [{"title": "Une histoire de la lecture"}, {"title": "Adapters for reading machines"},
             {"title": "Romans"}, {"title": "Lire à plusieurs voix", "language": "de-DE"}]
    guess_languages(items)
    assert [item.get("language") for item in items] == ["fr", None, None, "de-DE"]
