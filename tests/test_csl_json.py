"""LaTeX decoding and the conversion of entries to CSL JSON, as exporters write them."""

from __future__ import annotations

import re

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
    # babel-french and csquotes quotation marks: « » as written, “ ” as the neutral form the
    # typography of the text's language turns into « » (French) or keeps (English)
    (r"Le \og grand\fg{} livre", "Le « grand » livre"),
    (r"\og{}Lire\fg, dit-il", "« Lire », dit-il"),
    (r"\guillemotleft{} Lire \guillemotright{} et \guillemetleft x\guillemetright", "« Lire » et «x»"),
    (r"\flqq Lire\frqq{} \frquote{vite}", "«Lire» « vite »"),
    (r"\enquote{Lire} et \enquote*{relire}", "“Lire” et ‘relire’"),
    (r"\textquotedblleft Lire\textquotedblright{} \textquote[][]{x}", "“Lire” “x”"),
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


@pytest.mark.parametrize("raw, address", [
    (r"https://example.org/\textasciitilde user/page", "https://example.org/~user/page"),
    ("https://example.org/\\textasciitilde\n      dupont/notes", "https://example.org/~dupont/notes"),
    (r"https://example.org/a\textunderscore b/c\_ d", "https://example.org/a_b/c_ d"),
])
def test_control_word_ends_with_its_space_in_addresses(raw, address):
    # TeX drops the spaces ending a control word (\textasciitilde user is ~user), not after \_ (a symbol).
    assert verbatim(raw) == address


@pytest.mark.parametrize("fields", [
    {"url": r"https://example.org/\textasciitilde user/page"},
    {"url": r"\url{https://example.org/\textasciitilde user/page}"},
    {"howpublished": r"\url{https://example.org/\textasciitilde user/page}"},
    {"note": r"En ligne : https://example.org/\textasciitilde  user/page, consulté en mai."},
])
def test_text_link_matches_entry_with_control_word_in_its_url(fields):
    from pipeline.references.identifiers import entry_identifiers, entry_urls, link_identifiers
    assert entry_urls(fields) == ["https://example.org/~user/page"]
    link = link_identifiers("https://example.org/~user/page")[-1]
    assert link in entry_identifiers(fields)


def test_unknown_commands_are_named():
    assert unknown_commands(r"Un \foo{titre} et \textendash") == ("foo",)
    assert unknown_commands(r"\'{e}t\'e") == ()
    assert unknown_commands(r"\og x\fg{} \enquote{y} \guillemetleft \flqq \textgreater") == ()


@pytest.mark.parametrize("raw, family, given", [
    (r"Nu\~nez, Juan", "Nuñez", "Juan"),
    (r"Pe\~{n}a, Ana", "Peña", "Ana"),
    (r"\'Emile Zola", "Zola", "Émile"),
    (r"Dvo\v{r}\'ak, Anton\'{\i}n", "Dvořák", "Antonín"),
    (r"Fran\c{c}ois Truffaut", "Truffaut", "François"),
    (r"Le~Goff, Jacques", "Le Goff", "Jacques"),
])
def test_accents_without_braces_stay_in_the_name(raw, family, given):
    r"""BibTeX's splitter reads ``~`` as a tie: an accent written ``\~n`` must not split the name."""
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


QUOTES_AND_PARENTS = r"""
@xdata{actes2019, booktitle = {Actes du colloque sur la lecture}, publisher = {Presses inventées},
  location = {Lyon}, editor = {Martin, Claire}, year = {2019}}
@inproceedings{papier2019, author = {Arnal, Léa}, title = {Lire en réseau}, pages = {12--20}, xdata = {actes2019}}
@proceedings{Colloque2016, title = {Actes du colloque imaginaire}, editor = {Garnier, Paul},
  publisher = {Éditions de la Lune}, location = {Nantes}, year = {2016}}
@inproceedings{papier2016, author = {Roux, Amélie}, title = {Lire avec les machines}, pages = {1--9},
  crossref = {colloque2016}}
@inproceedings{granulaire, author = {Noël, Anaïs}, title = {Lire en morceaux}, year = {2021},
  booktitle = {xdata=actes2019-booktitle}, publisher = {xdata=actes2019-publisher}}
@article{guillemets2020, author = {Petit, Jean}, title = {Le \og grand\fg{} livre et \enquote{la lecture}},
  journal = {Revue}, year = {2020}}
"""


def test_inherited_containers_and_quotes_print_in_french_and_english(project):
    """xdata, crossref (any case) and granular xdata give "In", the editors, the publisher; \\og…\\fg{} gives « »."""
    import zipfile

    from lxml import etree

    from pipeline import build, open_project

    keys = "@papier2019; @papier2016; @granulaire; @guillemets2020"
    root = project({f"{lang}.md": f"---\ntitle: Essai\nlang: {lang}\ndate: 2024-01-01\n---\n\nTexte [{keys}].\n"
                    for lang in ("fr", "en")}, bib={"refs.bib": QUOTES_AND_PARENTS})
    results = build(open_project(root), formats=("epub",))
    assert all(r.ok for r in results), [r.error for r in results]
    printed = {}
    for lang in ("fr", "en"):
        with zipfile.ZipFile(root / "dist" / f"{lang}.epub") as archive:
            page = etree.fromstring(archive.read("EPUB/bibliography.xhtml"))
        texts = [re.sub(r"[ \t\n]+", " ", "".join(e.itertext())).strip()  # (str.split would take the NBSPs)
                 for e in page.iter("{*}div") if "csl-entry" in (e.get("class") or "")]
        printed[lang] = {text.split(",")[0]: text for text in texts}
    fr, en = printed["fr"], printed["en"]
    nnbsp = "\u202f"
    assert "In : Martin, Claire (éd.), Actes du colloque sur la lecture. Lyon : Presses inventées" \
        in fr["Arnal"].replace(nnbsp, " ").replace("\xa0", " ")
    assert "In Actes du colloque sur la lecture, edited by Claire Martin. Presses inventées" in en["Arnal"]
    assert "Garnier, Paul (éd.), Actes du colloque imaginaire. Nantes : Éditions de la Lune" \
        in fr["Roux"].replace("\xa0", " ").replace(nnbsp, " ")
    assert "In Actes du colloque imaginaire, edited by Paul Garnier. Éditions de la Lune" in en["Roux"]
    assert "In Actes du colloque sur la lecture. Presses inventées" in en["Noël"] and "xdata" not in en["Noël"]
    # French: the quotation inside the quoted title takes “ ”; the title's own guillemets bring narrow spaces
    assert f"«{nnbsp}Le “grand” livre et “la lecture”{nnbsp}»" in fr["Petit"].replace("\xa0", nnbsp), ascii(fr["Petit"])
    # English: csquotes' \\enquote takes the inner marks inside the quoted title; \\og…\\fg{} stay guillemets
    assert re.search("“Le «[ \u202f\u00a0]grand[ \u202f\u00a0]» livre et ‘la lecture’.”", en["Petit"]), en["Petit"]


def test_published_proceedings_papers_without_editor_are_chapters_except_for_iso_690(tmp_path):
    """Chicago and APA print a paper-conference with no editor as a serial; ISO 690 prints it "In :"."""
    from pipeline.references.csl_json import chapters_for_proceedings

    bibliography = load_bibliography([write(tmp_path / "refs.bib", QUOTES_AND_PARENTS)])
    for style, expected in ((None, "chapter"), ("apa", "chapter"), ("iso690-author-date-fr", "paper-conference")):
        [plain, edited] = csl_items(bibliography, ["granulaire", "papier2019"], "en",
                                    proceedings_as_chapter=chapters_for_proceedings(style))
        assert (plain["type"], plain["publisher"]) == (expected, "Presses inventées")
        assert edited["type"] == "paper-conference" and edited["editor"] == [{"family": "Martin", "given": "Claire"}]


@pytest.mark.parametrize("value, text", [
    (r"Code civil, art.~\S~3", "Code civil, art. § 3"),
    (r"\S\S~2--4 et \P{} 12", "§§ 2–4 et ¶ 12"),
    (r"Notes\dag{} et\ddag", "Notes† et‡"),
    (r"\copyright{} 2020, 10 \euro{}, 8 \pounds{} ou 5 \textsterling", "© 2020, 10 €, 8 £ ou 5 £"),
    (r"\textsection~4, \textparagraph~2, \textregistered, \texttrademark", "§ 4, ¶ 2, ®, ™"),
    (r"25 \textdegree C, 3 \textperthousand, \textonehalf", "25 °C, 3 ‰, ½"),
    (r"Avec \LaTeX{} et \BibTeX{}, \dots", "Avec LaTeX et BibTeX, …"),
    (r"{\S}~5 \checkmark", "§ 5 ✓"),
])
def test_latex_text_symbols_are_converted(value, text):
    assert unknown_commands(value) == ()
    assert to_text(value) == text


KEYS_BIB = r"""
@report{rap, author = {{Agence}}, title = {Rapport}, type = {techreport}, institution = {Agence}, date = {2022}}
@report{rech, author = {{Labo}}, title = {Étude}, type = {ResReport}, institution = {Labo}, date = {2021}}
@thesis{ma, author = {Roux, Camille}, title = {Lire}, type = {mathesis}, institution = {Lyon}, date = {2020}}
@report{libre, author = {{Agence}}, title = {Note}, type = {Note de synthèse}, date = {2020}}
@article{fut, author = {Lenoir, Jeanne}, title = {Mémoire}, journaltitle = {Cahiers}, date = {2024}, pubstate = {forthcoming}}
@article{pres, author = {Lenoir, Jeanne}, title = {Presse}, journaltitle = {Cahiers}, pubstate = {inpress}}
@article{pre, author = {Lenoir, Jeanne}, title = {Avant}, journaltitle = {Cahiers}, date = {2023}, pubstate = {prepublished}}
@book{ed, author = {Morel, Anne}, title = {Lire}, publisher = {Seuil}, date = {2019}, edition = {2}}
"""


@pytest.mark.parametrize("lang, words", [
    ("fr", {"rap": "Rapport technique", "rech": "Rapport de recherche", "ma": "Mémoire de master",
            "fut": "à paraître", "pres": "sous presse", "pre": "prépublication"}),
    ("en-GB", {"rap": "Technical report", "rech": "Research report", "ma": "Master’s thesis",
               "fut": "forthcoming", "pres": "in press", "pre": "pre-published"}),
])
def test_biblatex_keys_in_type_and_pubstate_are_words_of_the_language(tmp_path, lang, words):
    """``type = {techreport}``, ``pubstate = {forthcoming}``: biblatex's keys, printed in the reader's words;
    a type written in words is kept; a work not yet published has no year (styles print the state there)."""
    bibliography = load_bibliography([write(tmp_path / "refs.bib", KEYS_BIB)])
    items = {item["id"]: item for item in csl_items(bibliography, list(words) + ["libre", "ed"], lang)}
    for key in ("rap", "rech", "ma"):
        assert items[key]["genre"] == words[key]
    assert items["libre"]["genre"] == "Note de synthèse"
    for key in ("fut", "pres", "pre"):
        assert items[key]["status"] == words[key]
    assert "issued" not in items["fut"] and "issued" not in items["pres"]
    assert items["pre"]["issued"] == {"date-parts": [[2023]]}
    assert items["ed"]["edition"] == "2"


@pytest.mark.parametrize("number, lang, printed", [
    ("no. 99", "fr", "n°\u00a099"), ("No 99", "fr", "n°\u00a099"), ("Nr. 99", "en", "no.\u00a099"),
    ("n° 99", "en", "no.\u00a099"), ("#99", "de", "Nr.\u00a099"), ("99", "fr", "99"), ("RR-1234", "fr", "RR-1234"),
    ("Note 3", "fr", "Note 3"),
])
def test_a_number_label_is_given_in_the_text_language(tmp_path, number, lang, printed):
    bib = ("@techreport{r, author = {Preisig, Christian}, title = {Règles}, institution = {Université inventée},"
           f" number = {{{number}}}, year = {{2014}}}}\n")
    bibliography = load_bibliography([write(tmp_path / "refs.bib", bib)])
    (item,) = csl_items(bibliography, ["r"], lang)
    assert item["number"] == printed
