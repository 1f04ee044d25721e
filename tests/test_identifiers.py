"""The rules that decide whether a link points to a work of the bibliography."""

import pytest

from pipeline.references.identifiers import Identifier, arxiv, doi, entry_identifiers, isbn, link_identifiers, url


@pytest.mark.parametrize("text", [
    "10.1038/nature14539", "10.1038/NATURE14539", "doi:10.1038/nature14539", "DOI: 10.1038/nature14539",
    "https://doi.org/10.1038/nature14539", "http://dx.doi.org/10.1038/nature14539",
    "https://www.doi.org/10.1038/nature14539", "https://doi.org/10.1038%2Fnature14539",
])
def test_doi_spellings(text):
    assert doi(text) == "10.1038/nature14539"


@pytest.mark.parametrize("text", ["nature14539", "https://example.org/10.1038/x", "10.10/x", ""])
def test_not_dois(text):
    assert doi(text) is None


@pytest.mark.parametrize("text", [
    "1706.03762", "1706.03762v5", "arXiv:1706.03762", "https://arxiv.org/abs/1706.03762",
    "https://arxiv.org/abs/1706.03762v2", "https://arxiv.org/pdf/1706.03762", "https://arxiv.org/pdf/1706.03762v7.pdf",
    "http://export.arxiv.org/abs/1706.03762", "https://www.arxiv.org/abs/1706.03762/",
    "https://doi.org/10.48550/arXiv.1706.03762", "10.48550/arxiv.1706.03762",
])
def test_arxiv_spellings(text):
    assert arxiv(text) == "1706.03762"


def test_old_style_arxiv_ids_and_no_false_matches():
    assert arxiv("https://arxiv.org/abs/cs/0112017v1") == "cs/0112017"
    assert arxiv("hep-th/9901001") == "hep-th/9901001"
    assert arxiv("https://arxiv.org/abs/1706.03762") != arxiv("https://arxiv.org/abs/1706.03763")
    assert arxiv("https://arxiv.org/list/cs.CL/recent") is None
    assert arxiv("https://example.org/abs/1706.03762") is None


@pytest.mark.parametrize("text, expected", [
    ("978-2-246-28391-1", "9782246283911"),
    ("9782246283911", "9782246283911"),
    ("ISBN 978 2 246 28391 1", "9782246283911"),
    ("0-88179-206-3", "9780881792065"),
    ("0881792063", "9780881792065"),
    ("0-8044-2957-X", "9780804429573"),
])
def test_isbn_10_and_13_compare_equal(text, expected):
    assert isbn(text) == expected


@pytest.mark.parametrize("text", ["978-2-246-28391-2", "2-246-28391-5", "0-88179-206-4", "12345", "978224628391"])
def test_bad_isbns(text):
    assert isbn(text) is None


@pytest.mark.parametrize("a, b", [
    ("https://huggingface.co/mistralai/Mistral-7B-v0.1", "HTTPS://HuggingFace.co/mistralai/Mistral-7B-v0.1/"),
    ("https://www.lemonde.fr/a/b.html", "http://lemonde.fr/a/b.html#section"),
    ("https://example.org/p?id=3&utm_source=x&utm_medium=y", "https://example.org/p?id=3"),
    ("https://example.org/p?b=2&a=1&fbclid=abc", "https://example.org/p?a=1&b=2"),
    ("https://example.org:443/p", "https://example.org/p"),
    # An address as a browser shows it (IRI) and as it is sent (percent-escaped UTF-8), escapes in any case.
    ("https://fr.wikisource.org/wiki/%C3%89ditions_du_Seuil", "https://fr.wikisource.org/wiki/Éditions_du_Seuil"),
    ("https://example.org/caf%c3%a9/l%27%C3%A9t%C3%A9", "https://example.org/café/l'été"),
    ("https://example.org/a%20b", "https://example.org/a b"),
    ("https://example.org/%7Euser", "https://example.org/~user"),
])
def test_same_url(a, b):
    assert url(a) == url(b)


@pytest.mark.parametrize("a, b", [
    ("https://example.org/p?id=3", "https://example.org/p?id=4"),
    ("https://example.org/a", "https://example.org/b"),
    ("https://huggingface.co/mistralai/Mistral-7B-v0.1", "https://huggingface.co/mistralai/Mistral-7B-v0.2"),
    ("https://example.org/Page", "https://example.org/page"),
    ("https://example.org/a%2Fb", "https://example.org/a/b"),  # an escaped "/" is part of a segment
    ("https://example.org/%C3%A9", "https://example.org/%C3%A8"),
])
def test_different_urls(a, b):
    assert url(a) != url(b)


def test_link_and_entry_identifiers_meet():
    entry = {"eprint": "1706.03762", "archiveprefix": "arXiv", "doi": "10.5555/3295222.3295349"}
    found = entry_identifiers(entry)
    assert Identifier("arxiv", "1706.03762") in found
    assert Identifier("doi", "10.5555/3295222.3295349") in found
    assert Identifier("arxiv", "1706.03762") in link_identifiers("https://arxiv.org/pdf/1706.03762v3")
    assert link_identifiers("isbn:0-88179-206-3") == [Identifier("isbn", "9780881792065")]
    assert Identifier("isbn", "9782246283911") in link_identifiers("https://www.worldcat.org/isbn/9782246283911")
    assert entry_identifiers({"isbn": "978-2-246-28391-1, 0-88179-206-3"}) == [
        Identifier("isbn", "9782246283911"), Identifier("isbn", "9780881792065")]


def test_tracking_parameters_leave_printed_links():
    from pipeline.references.identifiers import without_tracking

    assert without_tracking("https://ex.org/a?id=3&utm_source=x#part", keep_fragment=True) == "https://ex.org/a?id=3#part"
    assert without_tracking("https://ex.org/a?b=1&a=2") == "https://ex.org/a?b=1&a=2"
    assert without_tracking("https://ex.org/a?fbclid=z") == "https://ex.org/a"


@pytest.mark.parametrize("link, expected", [
    ("https://dl.acm.org/doi/10.1145/3442188.3445922", "10.1145/3442188.3445922"),
    ("https://dl.acm.org/doi/pdf/10.1145/3442188.3445922", "10.1145/3442188.3445922"),
    ("https://link.springer.com/chapter/10.1007/978-3-642-03354-4_40", "10.1007/978-3-642-03354-4_40"),
    ("https://link.springer.com/content/pdf/10.1007/s10579-020-09500-x.pdf", "10.1007/s10579-020-09500-x"),
    ("https://onlinelibrary.wiley.com/doi/full/10.1002/asi.24750", "10.1002/asi.24750"),
    ("https://onlinelibrary.wiley.com/doi/10.1002/asi.24750/abstract", "10.1002/asi.24750"),
    ("https://www.tandfonline.com/doi/abs/10.1080/01639374.2021.1881009", "10.1080/01639374.2021.1881009"),
    ("https://journals.sagepub.com/doi/10.1177/0306312719863494", "10.1177/0306312719863494"),
    ("https://pubs.acs.org/doi/10.1021/acs.jcim.0c00512", "10.1021/acs.jcim.0c00512"),
    ("https://revues.example.fr/lire?doi=10.4000/abc.123&lang=fr", "10.4000/abc.123"),
])
def test_dois_inside_any_publisher_address(link, expected):
    assert Identifier("doi", expected) in link_identifiers(link)
    assert link_identifiers(link)[0] == Identifier("doi", expected)


def test_old_style_arxiv_with_or_without_subject_class():
    assert arxiv("cs.DB/0003005") == arxiv("cs/0003005") == arxiv("https://arxiv.org/abs/cs.DB/0003005v2")
    assert arxiv("https://arxiv.org/abs/2106.09685v2") == "2106.09685"


def test_wikipedia_permalinks_meet_article_links():
    entry = entry_identifiers({"url": "https://fr.wikipedia.org/w/index.php?title=Jeu_de_go&oldid=201234567"})
    assert Identifier("wikipedia", "fr:Jeu de go") in entry
    for link in ("https://fr.wikipedia.org/wiki/Jeu_de_go", "https://fr.m.wikipedia.org/wiki/Jeu%20de%20go#Règles"):
        assert Identifier("wikipedia", "fr:Jeu de go") in link_identifiers(link)
    assert Identifier("wikipedia", "en:Jeu de go") not in link_identifiers("https://fr.wikipedia.org/wiki/Jeu_de_go")


def test_entry_fields_as_exporters_write_them():
    found = entry_identifiers({"doi": r"10.1007/978-3-642-03354-4{\_}40",
                               "howpublished": r"\url{https://blog.example.org/a\_post}",
                               "journal": "arXiv preprint arXiv:2106.09685"}, "misc")
    assert Identifier("doi", "10.1007/978-3-642-03354-4_40") in found
    assert Identifier("url", url("https://blog.example.org/a_post")) in found
    assert Identifier("arxiv", "2106.09685") in found
    note = entry_identifiers({"note": r"En ligne : \url{https://x.example.org/page}"}, "misc")
    assert Identifier("url", url("https://x.example.org/page")) in note


def test_isbn_identifies_only_book_level_entries():
    assert Identifier("isbn", "9781450314329") not in entry_identifiers({"isbn": "9781450314329"}, "inproceedings")
    assert Identifier("isbn", "9781450314329") in entry_identifiers({"isbn": "9781450314329"}, "proceedings")


def test_wikipedia_pages_that_are_not_articles():
    assert not any(i.kind == "wikipedia" for i in link_identifiers("https://fr.wikipedia.org/wiki/Spécial:Recherche"))
    assert not any(i.kind == "wikipedia" for i in link_identifiers("https://fr.wikipedia.org/"))
