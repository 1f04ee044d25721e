"""French (and English) scholarship: citation styles, citeproc's output typeset, pandoc's citation settings.

The essays cite every common entry type with locators, prefixes, suffixes,
``[-@key]``, ``@key [p. 4]`` and several keys at once; the assertions read the
EPUB's XHTML and the PDF's text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from pipeline import build, open_project
from pipeline.config import Invalid, _nocite
from pipeline.errors import ConfigError
from pipeline.references.styles import (CSL_NS, check_style, choose_style, french_conventions, list_styles,
                                        package_style)

from .conftest import NS, epub_names, epub_xml, pdf_pages, run_epubcheck

NNBSP, NBSP = "\u202f", "\u00a0"

BIB = r"""
@online{carnet2023,
  author  = {Morvan, Élise},
  title   = {Restaurer une base de données en cinq minutes},
  date    = {2023-06-13},
  url     = {https://blog.example.org/restaurer},
  urldate = {2023-09-26}
}
@software{outil2023,
  author   = {Quentel, Basile},
  title    = {Rangetout},
  date     = {2023-11-17},
  url      = {https://code.example.org/rangetout}
}
@book{oeuvres1988,
  author    = {Delorme, Irène},
  title     = {Premiers essais},
  maintitle = {Œuvres complètes},
  volume    = {1},
  publisher = {Éditions du Quai},
  location  = {Paris},
  date      = {1988}
}
@book{woolf1992,
  author     = {Woolf, Virginia},
  translator = {Dupont, Jean},
  title      = {Une chambre à soi},
  publisher  = {Denoël},
  address    = {Paris},
  year       = {1992}
}
@article{aubert2001,
  author = {Aubert, Marc and Brun, Lise and Chen, Wei},
  title = {Sur la lecture},
  journaltitle = {Revue des lettres},
  volume = {12}, number = {3}, pages = {45--67},
  date = {2001-03},
  doi = {10.1234/abc}
}
@incollection{brun2002,
  author = {Brun, Lise},
  title = {Les marges},
  booktitle = {Lire autrement},
  editor = {Martel, Odile},
  publisher = {PUF}, address = {Paris},
  year = {2002}, pages = {10--20}
}
@thesis{roux2019,
  author = {Roux, Paul}, title = {La page et l'écran}, type = {phdthesis},
  institution = {Université de Lyon}, year = {2019}
}
@misc{jamais2020,
  author = {Personne, Anne}, title = {Jamais citée}, year = {2020}
}
"""

CITING = """
Un billet [@carnet2023], un logiciel [@outil2023, p. 4] et [voir @oeuvres1988, chap. 2; @woolf1992, p. 7-9].
Selon @aubert2001 [p. 4], et encore [-@brun2002, p. 12]; une thèse [@roux2019, passim]. Une note[^n].

[^n]: Voir [@aubert2001, p. 3].
"""


CITING_EN = """
A post [@carnet2023], a program [@outil2023, p. 4] and [see @oeuvres1988, chap. 2; @woolf1992, p. 7-9].
According to @aubert2001 [p. 4], and again [-@brun2002, p. 12]; a thesis [@roux2019, passim]. A note[^n].

[^n]: See [@aubert2001, p. 3].
"""


def essay(lang: str, front: str = "", body: str | None = None) -> str:
    body = body if body is not None else CITING if lang.startswith("fr") else CITING_EN
    return f"---\ntitle: Essai\nlang: {lang}\n{front}---\n{body}"


def built(root: Path, formats=("epub",)) -> Path:
    results = build(open_project(root), formats=formats)
    assert all(r.ok for r in results), [str(r.error) for r in results]
    return root / "dist"


def xhtml_text(epub: Path, name: str) -> str:
    return "".join(epub_xml(epub, f"EPUB/{name}").itertext())


def bibliography(epub: Path) -> list[str]:
    tree = epub_xml(epub, "EPUB/bibliography.xhtml")
    return ["".join(e.itertext()).strip() for e in tree.iterfind(".//x:div[@class='csl-entry']", NS)]


# -- styles: choice, names, safety ------------------------------------------------------


def test_french_default_is_iso690_with_french_conventions():
    style = choose_style(None, "fr-CA", find_file=lambda name: None)
    assert style.path.name == "iso690-author-date-fr.csl"
    root = etree.fromstring(style.xml)
    families = [p for p in root.iter(f"{{{CSL_NS}}}name-part") if p.get("name") == "family"]
    assert families and all(p.get("font-variant") == "small-caps" and p.get("text-case") is None for p in families)
    assert b"pp.\xc2\xa0" not in style.xml
    assert b"trad. par" in style.xml
    assert choose_style(None, "en", find_file=lambda name: None) is None  # pandoc's Chicago author-date


def test_csl_by_name_dependent_alias_and_unknown_name():
    assert choose_style("apa", "en", find_file=lambda name: None).path.name == "apa.csl"
    note = choose_style("chicago-notes-bibliography", "en", find_file=lambda name: None)
    assert note.is_note_style
    alias = package_style("nature-digest")  # a dependent style: its independent parent, from the package
    assert alias is not None and alias.parent.name == "styles"
    with pytest.raises(ConfigError) as caught:
        choose_style("chicago-author-dat", "en", find_file=lambda name: None, manuscript=Path("m.md"), line=4)
    assert "chicago-author-date" in caught.value.hint and caught.value.line == 4


def test_styles_listing_filters_by_name_and_title():
    names = {info.name for info in list_styles("iso690")}
    assert {"iso690-author-date-fr", "iso690-note-fr", "iso690-numeric-fr"} <= names
    assert all(not info.dependent for info in list_styles("iso690"))
    assert {i.name for i in list_styles("Français") if i.name.startswith("iso690")} >= {"iso690-author-date-fr"}


@pytest.mark.parametrize("link", [
    '<link rel="independent-parent" href="file:///etc/passwd"/>',
    '<link rel="independent-parent" href="http://127.0.0.1:9/style"/>',
    '<link rel="template" href="file:///etc/hostname"/>',
])
def test_styles_linking_elsewhere_are_refused(tmp_path, link):
    path = tmp_path / "evil.csl"
    path.write_text(f'<?xml version="1.0"?><style xmlns="{CSL_NS}" version="1.0" class="in-text"><info>'
                    f'<title>x</title>{link}</info></style>', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        check_style(path)
    assert "evil.csl" in str(caught.value) and "passwd" not in str(caught.value)


def test_a_style_file_linking_elsewhere_stops_the_build(project):
    root = project(manuscripts={"e.md": essay("fr", "csl: evil.csl\n", "Cité [@roux2019].\n")}, bib={"refs.bib": BIB})
    (root / "styles").mkdir()
    (root / "styles" / "evil.csl").write_text(
        f'<?xml version="1.0"?><style xmlns="{CSL_NS}" version="1.0" class="in-text"><info><title>x</title>'
        '<link rel="independent-parent" href="file:///etc/passwd"/></info></style>', encoding="utf-8")
    [result] = build(open_project(root), formats=("epub",))
    assert not result.ok and "evil.csl" in str(result.error) and "root:" not in str(result.error)
    assert result.error.line == 4  # the csl: line of the front matter


def test_a_file_that_is_not_a_style_is_refused(tmp_path):
    path = tmp_path / "x.csl"
    path.write_text("<html><body>no</body></html>", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a CSL style|not well-formed"):
        check_style(path)


def test_french_conventions_quote_part_titles_only():
    xml = french_conventions(package_style("iso690-author-date-fr"))
    root = etree.fromstring(xml)
    quoted = [t for t in root.iter(f"{{{CSL_NS}}}text") if t.get("quotes") == "true"]
    assert quoted and all(t.get("variable") == "title" for t in quoted)


@pytest.mark.parametrize("raw, keys", [("@*", ("*",)), ("@a, @b", ("a", "b")), (["@a", "@b2:x"], ("a", "b2:x")),
                                       ("[@a; @b]", ("a", "b"))])
def test_nocite_forms(raw, keys):
    assert _nocite(raw) == keys


@pytest.mark.parametrize("raw", ["", 3, ["@a", 4], "@a*b"])
def test_nocite_refuses_what_is_not_a_key(raw):
    with pytest.raises(Invalid):
        _nocite(raw)


# -- French essays -------------------------------------------------------------------


@pytest.fixture(scope="module")
def french(tmp_path_factory) -> Path:
    from .conftest import write

    root = tmp_path_factory.mktemp("fr") / "book"
    write(root / "manuscripts" / "essai.md", essay("fr"))
    write(root / "bibliography" / "refs.bib", BIB)
    return built(root, formats=("pdf", "epub"))


def test_french_bibliography_forms(french):
    entries = {e.split(",")[0]: e for e in bibliography(french / "essai.epub")}
    assert entries["Woolf"].startswith("Woolf, Virginia, 1992. Une chambre à soi, trad. par Jean Dupont. "
                                       f"Paris{NBSP}: Denoël")
    assert re.search(f"(Premiers essais, Œuvres complètes|Œuvres complètes, Premiers essais), vol.{NBSP}1. "
                     f"Paris{NBSP}: Éditions du Quai", entries["Delorme"])
    assert f"«{NBSP}Sur la lecture{NBSP}»" in entries["Aubert"]
    assert f"p.{NBSP}45‑67" in entries["Aubert"] and "pp." not in entries["Aubert"]
    assert f"«{NBSP}Les marges{NBSP}». In{NBSP}: Martel, Odile (éd.), Lire autrement" in entries["Brun"]
    assert re.search(f"13[ {NBSP}]juin[ {NBSP}]2023", entries["Morvan"])
    assert re.search(f"[Cc]onsulté[ {NBSP}]le[ {NBSP}]26[ {NBSP}]septembre[ {NBSP}]2023", entries["Morvan"])
    assert f"[en{NBSP}ligne]" in entries["Morvan"] and re.search(f"17[ {NBSP}]novembre", entries["Quentel"])
    assert "Thèse de doctorat" in entries["Roux"]  # type = {phdthesis} is a key, printed in words
    assert "Jamais" not in " ".join(entries.values())  # only cited entries
    for entry in entries.values():
        assert not re.search(r"released|Vol\. \d+ of|\bIn:|\b(January|June|July|November)\b", entry)


def test_french_family_names_in_small_caps(french):
    tree = epub_xml(french / "essai.epub", "EPUB/bibliography.xhtml")
    caps = [e.text for e in tree.iterfind(".//x:div[@class='csl-entry']//x:span[@class='smallcaps']", NS)]
    assert {"Aubert", "Brun", "Chen", "Delorme", "Woolf", "Martel", "Roux"} <= set(caps)


def test_french_citations_typeset(french):
    text = xhtml_text(french / "essai.epub", "ch00.xhtml")
    assert f"(voir Delorme 1988, chap.{NBSP}2{NNBSP}; Woolf 1992, p.{NBSP}7‑9)" in text
    assert f"(Quentel 2023, p.{NBSP}4)" in text
    assert f"Aubert, Brun et Chen (2001, p.{NBSP}4)" in text  # @key [p. 4]
    assert f"(2002, p.{NBSP}12)" in text  # [-@key]
    assert f"(Aubert, Brun et Chen 2001, p.{NBSP}3)" in text  # inside a footnote
    assert not re.search(r"\w;", text)  # never "2; Woolf"


def test_french_citations_link_to_their_entries(french):
    tree = epub_xml(french / "essai.epub", "EPUB/ch00.xhtml")
    hrefs = {a.get("href") for a in tree.iterfind(".//x:span[@class='citation']//x:a", NS)}
    assert "bibliography.xhtml#ref-woolf1992" in hrefs and "bibliography.xhtml#ref-brun2002" in hrefs


def test_french_pdf_has_the_same_forms(french):
    text = " ".join(pdf_pages(french / "essai.pdf", flat=True))
    assert f"Delorme 1988, chap.{NBSP}2{NNBSP}; Woolf" in text
    assert f"Paris{NBSP}: Denoël" in text and "trad. par Jean Dupont" in text
    assert re.search(f"13[ {NBSP}]juin[ {NBSP}]2023", text)


def test_french_epub_is_valid(french):
    assert run_epubcheck(french / "essai.epub") == []


# -- English essays ------------------------------------------------------------------


def test_english_essay_keeps_chicago_author_date_with_english_rules(project):
    root = project(manuscripts={"essay.md": essay("en")}, bib={"refs.bib": BIB})
    epub = built(root) / "essay.epub"
    text = xhtml_text(epub, "ch00.xhtml")
    assert "(see Delorme 1988, chap. 2; Woolf 1992, 7–9)" in text and "Aubert et al. (2001, 4)" in text
    assert NNBSP not in text and f"{NBSP};" not in text
    entries = " ".join(bibliography(epub))
    assert re.search("“Sur [Ll]a [Ll]ecture.”", entries)
    assert "Translated by Jean Dupont" in entries and "«" not in entries
    assert run_epubcheck(epub) == []


# -- note styles ---------------------------------------------------------------------


@pytest.mark.parametrize("lang, csl", [("fr", "iso690-note-fr"), ("en", "chicago-notes-bibliography")])
def test_note_styles_make_footnotes_citations_in_notes_included(project, lang, csl):
    root = project(manuscripts={"essai.md": essay(lang, f"csl: {csl}\n")}, bib={"refs.bib": BIB})
    dist = built(root)
    tree = epub_xml(dist / "essai.epub", "EPUB/ch00.xhtml")
    notes = ["".join(n.itertext()) for n in tree.iterfind(".//x:aside[@role='doc-footnote']", NS)]
    assert len(notes) >= 7, notes  # each citation became a note; the author's note holds its citation
    assert any("Woolf" in n for n in notes) and any(re.search("(Voir|See) .*Aubert", n) for n in notes)
    body = "".join(tree.find(".//x:p", NS).itertext())
    assert "(Morvan" not in body
    assert run_epubcheck(dist / "essai.epub") == []


@pytest.mark.parametrize("lang, front, call_before_stop", [
    ("fr", "", True), ("en", "", False), ("fr", "notes-after-punctuation: true\n", False),
    ("en", "notes_after_punctuation: false\n", True)])
def test_note_call_and_full_stop(project, lang, front, call_before_stop):
    root = project(manuscripts={"n.md": essay(lang, f"csl: chicago-notes-bibliography\n{front}",
                                              "Une thèse [@roux2019].\n")}, bib={"refs.bib": BIB})
    tree = epub_xml(built(root) / "n.epub", "EPUB/ch00.xhtml")
    paragraph = tree.find(".//x:p", NS)
    call = paragraph.find(".//x:a[@role='doc-noteref']", NS)
    while call.getparent() is not paragraph:  # pandoc wraps the call in the citation's span
        call = call.getparent()
    before = "".join(paragraph.itertext()).split("".join(call.itertext()))[0]
    if call_before_stop:
        assert (call.tail or "").startswith(".") and before.endswith("thèse")
    else:
        assert not (call.tail or "").strip() and before.endswith("thèse.")


# -- pandoc's citation settings ------------------------------------------------------


def test_nocite_all_suppress_and_section_title(project):
    root = project(manuscripts={
        "tout.md": essay("fr", "nocite: '@*'\nreference-section-title: Ouvrages cités\n", "Rien de cité.\n"),
        "sans.md": essay("fr", "suppress-bibliography: true\n", "Cité [@roux2019].\n"),
        "nolink.md": essay("fr", "link_citations: false\n", "Cité [@roux2019].\n"),
    }, bib={"refs.bib": BIB})
    dist = built(root)
    tout = dist / "tout.epub"
    assert len(bibliography(tout)) == 8 and "Jamais citée" in " ".join(bibliography(tout))
    heading = epub_xml(tout, "EPUB/bibliography.xhtml").find(".//x:h2", NS)
    assert "".join(heading.itertext()) == "Ouvrages cités"
    assert "EPUB/bibliography.xhtml" not in epub_names(dist / "sans.epub")
    assert "(Roux 2019)" in xhtml_text(dist / "sans.epub", "ch00.xhtml")
    nolink = epub_xml(dist / "nolink.epub", "EPUB/ch00.xhtml")
    assert nolink.find(".//x:span[@class='citation']//x:a", NS) is None
    for name in ("tout", "sans", "nolink"):
        assert run_epubcheck(dist / f"{name}.epub") == []


def test_settings_from_make_book_toml(project):
    root = project(manuscripts={"a.md": essay("fr", "", "Rien.\n")}, bib={"refs.bib": BIB},
                   config='nocite = ["@roux2019"]\nreference-section-title = "Lectures"\n')
    epub = built(root) / "a.epub"
    assert [e.split(",")[0] for e in bibliography(epub)] == ["Roux"]


# -- the author's own bibliography heading -------------------------------------------


HEADINGS = {"a.md": ("en", "Bibliography"), "b.md": ("fr", "Bibliographie"), "c.md": ("fr", "Références"),
            "d.md": ("en", "References:")}


def test_own_trailing_heading_holds_the_bibliography_once(project):
    root = project(manuscripts={name: essay(lang, "", f"\n## Opening\n\nA claim [@roux2019, p. 12].\n\n## {heading}\n")
                                for name, (lang, heading) in HEADINGS.items()}, bib={"refs.bib": BIB})
    dist = built(root, formats=("pdf", "epub"))
    for name, (lang, heading) in HEADINGS.items():
        epub = dist / name.replace(".md", ".epub")
        names = epub_names(epub)
        assert names.count("EPUB/bibliography.xhtml") == 1
        headings = ["".join(h.itertext()) for page in names if page.endswith(".xhtml") and "nav" not in page
                    for h in epub_xml(epub, page).iterfind(".//x:h2", NS)]
        assert headings == ["Opening", heading]
        assert "Roux, Paul" in "".join(epub_xml(epub, "EPUB/bibliography.xhtml").itertext())
        assert run_epubcheck(epub) == []
        pdf = " ".join(pdf_pages(dist / name.replace(".md", ".pdf"), flat=True))
        contents = any(word in pdf for word in ("Contents", "Table des matières"))
        assert pdf.count(heading) == 1 + contents  # the heading (and its contents line); never a second one


def test_refs_div_under_own_heading(project):
    body = "\nA claim [@roux2019].\n\n## Lectures\n\nCe qui suit.\n\n::: {#refs}\n:::\n\n## Annexe\n\nFin.\n"
    root = project(manuscripts={"e.md": essay("fr", "", body)}, bib={"refs.bib": BIB})
    epub = built(root) / "e.epub"
    page = epub_xml(epub, "EPUB/bibliography.xhtml")
    assert "".join(page.find(".//x:h2", NS).itertext()) == "Lectures"
    assert "Ce qui suit." in "".join(page.itertext())
    assert run_epubcheck(epub) == []



REFS_HEADINGS = {  # pandoc's id on the author's own heading, at the end or followed by more text; pandoc's div form
    "f.md": ("en", "\nA claim [@roux2019].\n\n## References {#refs}\n", "References", None),
    "g.md": ("fr", "\nA claim [@roux2019].\n\n# Lectures {#refs .unnumbered}\n\n# Annexe\n\nFin.\n", "Lectures", "Annexe"),
    "h.md": ("fr", "\nA claim [@roux2019].\n\n# Références {-}\n\n::: {#refs}\n:::\n", "Références", None),
}


def test_heading_with_refs_id_is_the_bibliography_heading(project):
    root = project(manuscripts={name: essay(lang, "", body) for name, (lang, body, _, _) in REFS_HEADINGS.items()},
                   bib={"refs.bib": BIB})
    results = build(open_project(root), formats=("pdf", "epub"))
    assert all(r.ok for r in results), [str(r.error) for r in results]
    assert not [w for r in results for w in r.warnings if "refs" in w or "more than once" in w]
    dist = root / "dist"
    for name, (_, _, heading, after) in REFS_HEADINGS.items():
        epub = dist / name.replace(".md", ".epub")
        page = epub_xml(epub, "EPUB/bibliography.xhtml")
        text = "".join(page.itertext())
        heads = ["".join(h.itertext()) for h in page.xpath("//x:h1|//x:h2", namespaces=NS)]
        assert heads == [heading], heads
        assert "Roux, Paul" in text and (after is None or after not in text)
        nav = epub_xml(epub, "EPUB/nav.xhtml")
        assert nav.xpath("//x:a[@epub:type='bibliography']/@href",
                         namespaces={**NS, "epub": "http://www.idpf.org/2007/ops"}) == ["bibliography.xhtml"]
        assert run_epubcheck(epub) == []
        pdf = " ".join(pdf_pages(dist / name.replace(".md", ".pdf"), flat=True))
        assert "Roux" in pdf and pdf.count(heading) == 1 + ("Contents" in pdf or "Table des matières" in pdf)
        if after:
            assert pdf.index("Roux") < pdf.rindex(after)



STATE_BIB = r"""
@report{agence2022, author = {{Agence du livre}}, title = {Rapport sur la lecture}, type = {techreport},
  institution = {Agence du livre}, number = {7}, date = {2022-02-14}}
@incollection{morel2019, author = {Morel, Anne}, editor = {Petit, Luc}, title = {Les marges},
  booktitle = {Lire autrement}, publisher = {Seuil}, pages = {10--20}, date = {2019}, edition = {2}}
@book{blanc2018, author = {Blanc, Hugo}, title = {Pages}, publisher = {Seuil}, date = {2018}, edition = {Revue et augmentée}}
@article{prep2024, author = {Lenoir, Jeanne}, title = {Lecture et mémoire}, journaltitle = {Cahiers},
  date = {2024-08-23}, pubstate = {forthcoming}}
"""


def test_report_type_edition_and_pubstate_print_in_french(project):
    body = "\nUn rapport [@agence2022], un chapitre [@morel2019], un livre [@blanc2018], un article [@prep2024].\n"
    root = project(manuscripts={"a.md": essay("fr", "", body)}, bib={"refs.bib": STATE_BIB})
    epub = built(root) / "a.epub"
    entries = {e.split(",")[0]: e for e in bibliography(epub)}
    assert "Rapport technique" in entries["Agence du livre"] and "techreport" not in entries["Agence du livre"]
    assert "2ᵉ éd." in entries["Morel"] or "2e éd." in entries["Morel"], entries["Morel"]
    assert "Revue et augmentée" in entries["Blanc"]
    assert entries["Lenoir"].count("à paraître") == 1 and "forthcoming" not in entries["Lenoir"], entries["Lenoir"]
    assert "(Lenoir à paraître)" in xhtml_text(epub, "ch00.xhtml").replace("\u00a0", " ")
    assert run_epubcheck(epub) == []


DOI_BIB = r"""
@incollection{brun2010,
  author = {Brun, Lise}, title = {Les marges numériques}, booktitle = {Lire à l'écran},
  editor = {Martel, Odile}, publisher = {PUF}, address = {Paris}, year = {2010}, pages = {10--20},
  doi = {10.1234/chap.2010(7)}
}
@book{roux2015,
  author = {Roux, Paul}, title = {La page}, publisher = {Seuil}, address = {Paris}, year = {2015},
  doi = {10.1234/livre}, url = {https://editeur.example.org/la-page}
}
@article{aubert2001,
  author = {Aubert, Marc}, title = {Sur la lecture}, journaltitle = {Revue des lettres},
  volume = {12}, pages = {45--67}, date = {2001-03}, doi = {10.1234/abc}
}
"""


@pytest.mark.parametrize("style, chapter, book, article", [
    # ISO 690 prints no DOI for a chapter or a book: its doi.org address instead (the book's own URL gives way).
    (None, "https://doi.org/10.1234/chap.2010(7)", "https://doi.org/10.1234/livre", "DOI\u00a010.1234/abc"),
    ("iso690-numeric-fr", "https://doi.org/10.1234/chap.2010(7)", "https://doi.org/10.1234/livre", "DOI\u00a010.1234/abc"),
    # Styles that print every DOI are left as they are.
    ("apa", "https://doi.org/10.1234/chap.2010(7)", "https://doi.org/10.1234/livre", "https://doi.org/10.1234/abc"),
    ("chicago-author-date", "https://doi.org/10.1234/chap.2010(7)", "https://doi.org/10.1234/livre",
     "https://doi.org/10.1234/abc"),
])
def test_every_doi_reaches_the_bibliography_whatever_the_style(project, style, chapter, book, article):
    front = f"csl: {style}\n" if style else ""
    root = project({"essai.md": essay("fr", front, "Voir [@brun2010], [@roux2015] et [@aubert2001].\n")},
                   bib={"refs.bib": DOI_BIB})
    entries = bibliography(built(root) / "essai.epub")
    by_key = {key: next(e for e in entries if name in e) for key, name in
              (("chapter", "marges"), ("book", "La page"), ("article", "Sur la lecture"))}
    assert chapter in by_key["chapter"] and by_key["chapter"].count("10.1234/chap") == 1, by_key
    assert book in by_key["book"], by_key
    if style is None or style.startswith("iso690"):  # the persistent address before the publisher's page
        assert "editeur.example.org" not in by_key["book"], by_key
    assert article in by_key["article"], by_key
    tree = epub_xml(root / "dist" / "essai.epub", "EPUB/bibliography.xhtml")
    assert "https://doi.org/10.1234/chap.2010(7)" in tree.xpath("//x:a/@href", namespaces=NS)

