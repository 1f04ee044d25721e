"""make-book resolve: recorded answers (our own fixtures, in each source's real format) on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lxml import etree
from click.testing import CliRunner
from werkzeug import Response

from pipeline import open_project
from pipeline.builder import report_references
from pipeline.cli import cli
from pipeline.config import ENDPOINTS
from pipeline.references.http import (Client, Malformed, NotFound, NotMetadata, RateLimited, Unreachable,
                                      make_client, retry_after)
from pipeline.references.resolve import lookup

from .conftest import run_epubcheck, write

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])  # pytest-socket: nothing beyond loopback

DATA = Path(__file__).parent / "data" / "resolve"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def endpoints(server) -> dict[str, str]:
    base = server.url_for("").rstrip("/")
    return {"doi": f"{base}/doi", "crossref": f"{base}/crossref", "arxiv": f"{base}/arxiv/query",
            "openlibrary": f"{base}/ol", "bnf": f"{base}/bnf", "hal": f"{base}/hal", "huggingface": f"{base}/hf",
            "wikipedia": f"{base}/wiki-{{lang}}"}


@pytest.fixture
def client(httpserver):
    waits: list[float] = []
    made = make_client(endpoints=endpoints(httpserver), mailto="anne@example.org", timeout=1.0)
    made.sleep = waits.append  # no real waiting: record what would be waited
    made.waits = waits
    yield made
    made.close()


# -- each source: success ---------------------------------------------------------------------------------------


def test_arxiv_cites_the_version_linked_with_the_published_doi_as_related(httpserver, client):
    httpserver.expect_request("/arxiv/query", query_string={"id_list": "1706.03762v5"}).respond_with_data(
        fixture("arxiv.xml"), content_type="application/atom+xml")
    identifier, source, item = lookup("https://arxiv.org/pdf/1706.03762v5", client)
    assert str(identifier) == "arxiv:1706.03762v5"
    assert item["title"] == "Attention Is All You Need"
    assert item["author"][0] == {"family": "Vaswani", "given": "Ashish"}
    assert item["issued"] == {"date-parts": [[2017, 6, 12]]}
    assert item["URL"] == "https://arxiv.org/abs/1706.03762v5"
    assert item["related-doi"] == "10.5555/3295222.3295349"
    assert item["eprintclass"] == "cs.CL"


def test_doi_content_negotiation_cleans_tags_and_capitals(httpserver, client):
    httpserver.expect_request("/doi/10.1038/nature14539",
                              headers={"Accept": "application/vnd.citationstyles.csl+json"}).respond_with_data(
        fixture("doi.json"), content_type="application/vnd.citationstyles.csl+json")
    _, _, item = lookup("https://www.nature.com/doi/10.1038/NATURE14539", client)
    assert item["title"] == "Deep learning"  # <i> stripped
    assert item["author"][0] == {"family": "Lecun", "given": "Yann"}  # ALL CAPS fixed
    assert item["container-title"] == "Nature" and item["DOI"] == "10.1038/nature14539"
    user_agent = httpserver.log[0][0].headers["User-Agent"]
    assert "make-book/" in user_agent and "mailto:anne@example.org" in user_agent


def test_doi_falls_back_to_crossref(httpserver, client):
    httpserver.expect_request("/doi/10.1038/nature14539").respond_with_data("oops", status=500)
    httpserver.expect_request("/crossref/works/10.1038/nature14539").respond_with_data(
        fixture("crossref.json"), content_type="application/json")
    _, source, item = lookup("doi:10.1038/nature14539", client)
    assert "/crossref/" in source
    assert item["type"] == "article-journal" and item["title"] == "Deep learning"


def test_isbn_french_from_the_bnf_other_from_open_library(httpserver, client):
    httpserver.expect_request("/bnf").respond_with_data(fixture("bnf.xml"), content_type="text/xml")
    _, _, item = lookup("https://www.worldcat.org/isbn/978-2-246-28391-1", client)
    assert item["title"] == "Lector in fabula"
    assert item["author"] == [{"family": "Eco", "given": "Umberto"}]
    assert item["translator"] == [{"family": "Bouzaher", "given": "Myriem"}]
    assert (item["publisher"], item["publisher-place"], item["issued"]) == ("Grasset", "Paris", {"date-parts": [[1985]]})
    assert item["language"] == "fr"
    httpserver.expect_request("/ol/isbn/9780881792065.json").respond_with_data(fixture("openlibrary-book.json"))
    httpserver.expect_request("/ol/authors/OL2653686A.json").respond_with_data(fixture("openlibrary-author.json"))
    _, _, item = lookup("isbn:0-88179-206-3", client)
    assert item["author"] == [{"family": "Bringhurst", "given": "Robert"}]
    assert item["publisher"] == "Hartley & Marks" and item["issued"] == {"date-parts": [[2004]]}


def test_hal_huggingface_wikipedia(httpserver, client):
    httpserver.expect_request("/hal").respond_with_data(fixture("hal.json"), content_type="application/json")
    _, _, item = lookup("https://hal.science/hal-01234567v2", client)
    assert item["title"] == "La lecture lente à l'ère des machines"
    assert item["author"][0] == {"family": "Durand", "given": "Claire"}
    assert item["container-title"] == "Revue des lectures"
    httpserver.expect_request("/hf/api/models/mistralai/Mistral-7B-v0.1").respond_with_data(fixture("hf-model.json"))
    _, _, item = lookup("https://huggingface.co/mistralai/Mistral-7B-v0.1", client)
    assert item["version"] == "27d67f1b5f57"
    assert item["URL"].endswith("/tree/27d67f1b5f57dc0953326b2601d68371d40ea8da")
    assert item["issued"] == {"date-parts": [[2023, 9, 20]]}
    httpserver.expect_request("/wiki-fr/w/rest.php/v1/page/Lecture_rapide/bare").respond_with_data(
        fixture("wikipedia.json"))
    _, _, item = lookup("https://fr.wikipedia.org/wiki/Lecture_rapide", client)
    assert item["URL"] == "https://fr.wikipedia.org/w/index.php?title=Lecture_rapide&oldid=219876543"
    assert "author" not in item and item["container-title"] == "Wikipédia"


def test_news_page_json_ld_first_no_byline_noise_no_modified_date(httpserver, client):
    httpserver.expect_request("/2025/09/15/ia.html").respond_with_data(fixture("news.html"), content_type="text/html")
    _, _, item = lookup(httpserver.url_for("/2025/09/15/ia.html"), client)
    assert item["type"] == "article-newspaper"
    assert item["title"] == "L’IA à l’université : les étudiants s’en emparent"
    assert item["author"] == [{"family": "Lemaire", "given": "Sophie"}]  # not "Mis à jour…", not the site
    assert item["issued"] == {"date-parts": [[2025, 9, 15]]}  # datePublished, never dateModified
    assert item["container-title"] == "Le Quotidien" and item["language"] == "fr-FR"


def test_a_page_with_citation_doi_hands_over_to_the_doi(httpserver, client):
    httpserver.expect_request("/paper").respond_with_data(fixture("scholar.html"), content_type="text/html")
    httpserver.expect_request("/doi/10.1145/3442188.3445922").respond_with_data(fixture("doi-parrots.json"))
    _, _, item = lookup(httpserver.url_for("/paper"), client)
    assert item["type"] == "paper-conference" and item["author"][0]["family"] == "Bender"


def test_a_home_page_is_recorded_as_a_link(httpserver, client):
    httpserver.expect_request("/").respond_with_data(fixture("website.html"), content_type="text/html")
    _, _, item = lookup(httpserver.url_for("/"), client)
    assert item["role"] == "link"


# -- each source: not found, rate limited, malformed, timeout --------------------------------------------------

SOURCES = {
    "doi": ("https://doi.org/10.1038/nature14539", "/doi/10.1038/nature14539"),
    "arxiv": ("https://arxiv.org/abs/1706.03762", "/arxiv/query"),
    "isbn": ("isbn:0881792063", "/ol/isbn/9780881792065.json"),
    "bnf": ("isbn:9782246283911", "/bnf"),
    "hal": ("https://hal.science/hal-01234567", "/hal"),
    "huggingface": ("https://huggingface.co/mistralai/Mistral-7B-v0.1", "/hf/api/models/mistralai/Mistral-7B-v0.1"),
    "wikipedia": ("https://fr.wikipedia.org/wiki/Lecture_rapide", "/wiki-fr/w/rest.php/v1/page/Lecture_rapide/bare"),
    "webpage": (None, "/2024/01/02/a-page.html"),
}


def _link(httpserver, name):
    link, path = SOURCES[name]
    return link or httpserver.url_for(path), path


@pytest.mark.parametrize("name", SOURCES)
def test_not_found(httpserver, client, name):
    link, path = _link(httpserver, name)
    if name in ("arxiv",):
        httpserver.expect_request(path).respond_with_data(fixture("arxiv-error.xml"))
    elif name == "hal":
        httpserver.expect_request(path).respond_with_json({"response": {"numFound": 0, "docs": []}})
    elif name == "bnf":
        httpserver.expect_request(path).respond_with_data(
            b'<srw:searchRetrieveResponse xmlns:srw="http://www.loc.gov/zing/srw/"><srw:numberOfRecords>0'
            b'</srw:numberOfRecords></srw:searchRetrieveResponse>')
    else:
        httpserver.expect_request(path).respond_with_data("not here", status=404)
    with pytest.raises(NotFound):
        lookup(link, client)


@pytest.mark.parametrize("name", SOURCES)
def test_rate_limited_honours_retry_after_then_gives_up(httpserver, client, name):
    link, path = _link(httpserver, name)
    if name == "arxiv":
        httpserver.expect_request(path).respond_with_data("Rate exceeded.")
    else:
        httpserver.expect_request(path).respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    if name == "doi":  # doi.org refusing sends make-book to Crossref, which refuses too
        httpserver.expect_request("/crossref/works/10.1038/nature14539").respond_with_data(
            "slow down", status=429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited):
        lookup(link, client)
    if name != "arxiv":
        assert client.waits[:2] == [7.0, 7.0]  # waited as asked, twice, then reported


def test_a_retry_after_the_wait_succeeds(httpserver, client):
    answers = iter([Response("busy", status=503, headers={"Retry-After": "1"}),
                    Response(fixture("hf-model.json"), content_type="application/json")])
    httpserver.expect_request("/hf/api/models/mistralai/Mistral-7B-v0.1").respond_with_handler(lambda r: next(answers))
    _, _, item = lookup("https://huggingface.co/mistralai/Mistral-7B-v0.1", client)
    assert item["publisher"] == "Hugging Face" and client.waits == [1.0]


@pytest.mark.parametrize("name", SOURCES)
def test_malformed(httpserver, client, name):
    link, path = _link(httpserver, name)
    body = b"<html><body>maintenance</body></html>" if name != "webpage" else b"<html><head></head></html>"
    httpserver.expect_request(path).respond_with_data(body, content_type="text/html")
    if name == "doi":
        httpserver.expect_request("/crossref/works/10.1038/nature14539").respond_with_data(b"{}")
    with pytest.raises(Malformed):
        lookup(link, client)


@pytest.mark.parametrize("name", SOURCES)
def test_timeout(httpserver, client, name):
    link, path = _link(httpserver, name)
    httpserver.expect_request(path).respond_with_handler(lambda r: (time.sleep(1.5), Response("late"))[1])
    if name == "doi":
        httpserver.expect_request("/crossref/works/10.1038/nature14539").respond_with_handler(
            lambda r: (time.sleep(1.5), Response("late"))[1])
    with pytest.raises(Unreachable):
        lookup(link, client)


def test_captcha_page_is_refused(httpserver, client):
    httpserver.expect_request("/2024/01/02/a-page.html").respond_with_data(fixture("captcha.html"),
                                                                            content_type="text/html")
    with pytest.raises(NotMetadata):
        lookup(httpserver.url_for("/2024/01/02/a-page.html"), client)


def test_pacing_per_host():
    clock = [100.0]
    waits: list[float] = []
    client = Client(http=None, pacing={"export.arxiv.org": 3.0}, sleep=waits.append, clock=lambda: clock[0])
    client._pace("export.arxiv.org")
    clock[0] += 1.0
    client._pace("export.arxiv.org")
    client._pace("doi.org")
    assert waits == [2.0]
    assert retry_after("120") == 120.0 and retry_after("garbage") is None


# -- end to end: the French sample, resolved then built offline ---------------------------------------------------

ESSAI = """---
title: Lire avec les machines
date: 2026-03-14
lang: fr
---

Le [texte fondateur](https://arxiv.org/abs/1706.03762v5) et une [synthèse](https://doi.org/10.1038/nature14539).
Un [modèle ouvert](https://huggingface.co/mistralai/Mistral-7B-v0.1), la [lecture rapide](https://fr.wikipedia.org/wiki/Lecture_rapide).
Le [livre d'Eco](https://www.worldcat.org/isbn/9782246283911), un [article de revue](https://hal.science/hal-01234567).
Un [article de presse]({news}?utm_source=newsletter), mes [notes sur la lecture lente](/highlights/eloge-de-la-lecture-lente/).
J'écris avec [Zed](https://zed.dev/) ([le code](https://github.com/zed-industries/zed)).
"""

POST = """---
title: Éloge de la lecture lente
date: 2024-02-11
author: Anne Bé
---

Texte.
"""


@pytest.fixture
def sample(project, httpserver):
    news = httpserver.url_for("/2025/09/15/ia.html")
    ends = endpoints(httpserver)
    table = "\n".join(f'{k} = "{v}"' for k, v in ends.items())
    config = f"""
lang = "fr"

[resolve]
mailto = "anne@example.org"
blog_content = "blog/content"

[resolve.endpoints]
{table}
"""
    root = project({"essai.md": ESSAI.format(news=news)}, bib={}, config=config)
    write(root / "blog" / "content" / "highlights" / "eloge-de-la-lecture-lente.md", POST)
    for path, name, kind in [("/arxiv/query", "arxiv.xml", "application/atom+xml"),
                             ("/doi/10.1038/nature14539", "doi.json", "application/json"),
                             ("/hf/api/models/mistralai/Mistral-7B-v0.1", "hf-model.json", "application/json"),
                             ("/wiki-fr/w/rest.php/v1/page/Lecture_rapide/bare", "wikipedia.json", "application/json"),
                             ("/bnf", "bnf.xml", "text/xml"), ("/hal", "hal.json", "application/json"),
                             ("/2025/09/15/ia.html", "news.html", "text/html")]:
        httpserver.expect_request(path).respond_with_data(fixture(name), content_type=kind)
    return root


def test_resolve_then_build_offline(sample, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764417600")  # 2025-11-29
    runner = CliRunner()
    result = runner.invoke(cli, ["resolve", "--root", str(sample)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "8 complete, 0 partial" in result.output, result.output
    record = json.loads((sample / "bibliography" / "resolved.json").read_text(encoding="utf-8"))
    keys = {r["key"] for r in record["records"].values()}
    assert {"vaswani2017attention", "lecun2015deep", "eco1985lector", "durand2022lecture",
            "lemaire2025ia", "mistralai2023mistral", "wikipedia2024lecture", "be2024eloge"} == keys
    bib = (sample / "bibliography" / "resolved.bib").read_text(encoding="utf-8")
    assert "journaltitle = {Le Quotidien}" in bib and "entrysubtype = {newspaper}" in bib
    assert "langid       = {french}" in bib or "langid = {french}" in bib.replace("  ", " ")
    first = (sample / "bibliography" / "resolved.json").read_bytes()

    # A second run looks nothing up again, and the record does not change.
    again = runner.invoke(cli, ["resolve", "--root", str(sample)], catch_exceptions=False)
    assert again.exit_code == 0 and "nothing new to look up" in again.output
    assert (sample / "bibliography" / "resolved.json").read_bytes() == first

    # Offline: the .bib is rebuilt from the record alone, the same.
    (sample / "bibliography" / "resolved.bib").unlink()
    offline = runner.invoke(cli, ["resolve", "--offline", "--root", str(sample)], catch_exceptions=False)
    assert offline.exit_code == 0
    assert (sample / "bibliography" / "resolved.bib").read_text(encoding="utf-8") == bib

    # --refresh looks every resolved work up again, and the record stays the same.
    refreshed = runner.invoke(cli, ["resolve", "--refresh", "--root", str(sample)], catch_exceptions=False)
    assert refreshed.exit_code == 0 and "8 complete" in refreshed.output, refreshed.output
    assert (sample / "bibliography" / "resolved.json").read_bytes() == first

    # refs: every work matched, the home page and repository are links.
    [report] = report_references(open_project(sample))
    statuses = {r.target: r.status for r in report.references}
    assert statuses.pop("https://zed.dev/") == "not a work"
    assert statuses.pop("https://github.com/zed-industries/zed") == "not a work"
    assert set(statuses.values()) == {"matched"}, statuses
    assert report.unresolved == []


def test_the_built_bibliography_has_authors_dates_and_containers(sample, monkeypatch):
    from pipeline import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764417600")
    assert CliRunner().invoke(cli, ["resolve", "--root", str(sample)], catch_exceptions=False).exit_code == 0
    httpserver_free = sample  # the build reads files only
    [result] = build(open_project(httpserver_free), formats=("epub",))
    assert result.ok, result.error
    assert not any("has no entry" in w or "todo" in w for w in result.warnings), result.warnings
    import zipfile

    with zipfile.ZipFile(sample / "dist" / "essai.epub") as epub:
        # The text a reader sees: French ISO 690 sets family names in small caps (a span of their own).
        text = "".join(etree.fromstring(epub.read("EPUB/bibliography.xhtml")).itertext())
    for expected in ("Vaswani, Ashish", "2017", "Attention Is All You Need", "LeCun" if False else "Lecun, Yann",
                     "Nature", "Eco, Umberto", "Grasset", "Durand, Claire", "Revue des lectures",
                     "Lemaire, Sophie", "Le Quotidien", "mistralai", "Lecture rapide", "oldid=219876543",
                     "Bé, Anne", "Éloge de la lecture lente"):
        assert expected in text, expected
    assert run_epubcheck(sample / "dist" / "essai.epub") == []  # resolved entries keep the EPUB valid


def test_only_one_kind_and_a_failure_is_reported(sample, httpserver):
    httpserver.clear()
    httpserver.expect_request("/arxiv/query").respond_with_data("Rate exceeded.")
    result = CliRunner().invoke(cli, ["resolve", "--only", "arxiv", "--root", str(sample)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "rate limited" in result.output
    record = json.loads((sample / "bibliography" / "resolved.json").read_text(encoding="utf-8"))
    assert list(record["records"]) == ["arxiv:1706.03762v5"]
    assert record["records"]["arxiv:1706.03762v5"]["status"] == "failed"


def test_resolve_settings_are_checked(project):
    from pipeline.errors import ConfigError

    root = project({}, config='[resolve]\nmailto = "a@b.org"\nprefer_published = true\n'
                              '[resolve.endpoints]\narxiv = "http://127.0.0.1:9/api"\n')
    settings = open_project(root).config.resolve
    assert settings.prefer_published and settings.endpoint_map["arxiv"] == "http://127.0.0.1:9/api"
    assert settings.endpoint_map["doi"] == ENDPOINTS["doi"]
    for bad, words in [('[resolve]\nmail = "a@b.org"\n', "unknown key(s) mail"),
                       ('[resolve.endpoints]\ndoii = "https://doi.org"\n', "unknown endpoint(s) doii"),
                       ('[resolve]\noutput = "refs.json"\n', "must be a .bib file")]:
        (root / "make-book.toml").write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
            open_project(root)


def test_offline_without_a_record_writes_an_empty_bib_and_never_connects(project):
    root = project({"essai.md": "---\ntitle: T\nlang: fr\n---\n\n[x](https://arxiv.org/abs/1706.03762)\n"}, bib={})
    result = CliRunner().invoke(cli, ["resolve", "--offline", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "@" not in (root / "bibliography" / "resolved.bib").read_text(encoding="utf-8")


def test_the_socket_guard_refuses_anything_beyond_loopback():
    import socket

    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)  # TEST-NET-1: never reached


def test_prefer_published_cites_the_journal_version(httpserver, client):
    httpserver.expect_request("/arxiv/query").respond_with_data(fixture("arxiv.xml"))
    httpserver.expect_request("/doi/10.5555/3295222.3295349").respond_with_data(fixture("doi-parrots.json"))
    _, _, item = lookup("https://arxiv.org/abs/1706.03762v5", client, prefer_published=True)
    assert item["type"] == "paper-conference" and item["DOI"] == "10.5555/3295222.3295349"


def test_a_page_found_to_be_a_site_is_a_link_and_an_unsure_page_keeps_a_todo(project, httpserver):
    home = httpserver.url_for("/2023/04/zed-the-editor")  # shaped like an article, but a product page
    bare = httpserver.url_for("/2024/01/02/un-billet-sans-auteur.html")
    httpserver.expect_request("/2023/04/zed-the-editor").respond_with_data(fixture("website.html"),
                                                                            content_type="text/html")
    httpserver.expect_request("/2024/01/02/un-billet-sans-auteur.html").respond_with_data(
        b'<html lang="fr"><head><title>Un billet sans auteur | Le Carnet</title>'
        b'<meta property="og:site_name" content="Le Carnet"><meta name="author" content="Le Carnet">'
        b'</head></html>', content_type="text/html")
    root = project({"essai.md": f"---\ntitle: T\ndate: 2024-01-01\nlang: fr\n---\n\nVoir [Zed]({home}) et [un billet]({bare}).\n"},
                   bib={})
    result = CliRunner().invoke(cli, ["resolve", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "0 complete, 1 partial (a todo field names what is missing), 0 failed, 1 not a work" in result.output
    assert "not a work" in result.output and "author, date" in result.output
    bib = (root / "bibliography" / "resolved.bib").read_text(encoding="utf-8")
    assert "Zed" not in bib
    assert "title        = {Un billet sans auteur}" in bib and "todo" in bib and "Le Carnet}" in bib
    assert "  author " not in bib and "{missing: author, date}" in bib  # the site's name is not an author
    [report] = report_references(open_project(root))
    assert [(r.status, r.stub) for r in report.references] == [("not a work", False), ("matched", True)]


def test_a_work_already_in_the_bibliography_under_another_identifier_is_not_duplicated(project, httpserver):
    httpserver.expect_request("/arxiv/query").respond_with_data(fixture("arxiv.xml"))
    bib = "@inproceedings{vaswani2017nips,\n  author = {Vaswani, Ashish},\n  title = {Attention Is All You Need},\n" \
          "  booktitle = {NeurIPS},\n  year = {2017},\n  doi = {10.5555/3295222.3295349}\n}\n"
    config = f'[resolve.endpoints]\narxiv = "{httpserver.url_for("/arxiv/query")}"\n'
    root = project({"essai.md": "---\ntitle: T\ndate: 2024-01-01\nlang: fr\n---\n\n"
                                "[Le papier](https://arxiv.org/abs/1706.03762v5).\n"}, bib={"mine.bib": bib},
                   config=config)
    result = CliRunner().invoke(cli, ["resolve", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "@" not in (root / "bibliography" / "resolved.bib").read_text(encoding="utf-8")
    [report] = report_references(open_project(root))
    assert [(r.status, r.key) for r in report.references] == [("matched", "vaswani2017nips")]


def test_a_blog_page_is_read_from_the_blog_when_no_content_folder_is_set(project, httpserver):
    httpserver.expect_request("/highlights/la-lecture/").respond_with_data(
        '<html lang="fr"><head><title>La lecture | Mon carnet</title><meta property="og:site_name" '
        'content="Mon carnet"><meta name="author" content="Anne Bé"><meta property="article:published_time" '
        'content="2024-02-11T08:00:00Z"></head></html>'.encode(), content_type="text/html")
    config = f'base_url = "{httpserver.url_for("/")}"\n'
    root = project({"essai.md": "---\ntitle: T\ndate: 2024-01-01\nlang: fr\n---\n\n"
                                "Voir [mes notes](/highlights/la-lecture/).\n"}, bib={}, config=config)
    result = CliRunner().invoke(cli, ["resolve", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    bib = (root / "bibliography" / "resolved.bib").read_text(encoding="utf-8")
    assert "@online{be2024lecture," in bib and "author       = {Bé, Anne}" in bib
    assert "organization = {Mon carnet}" in bib
    [report] = report_references(open_project(root))
    assert [(r.status, r.key) for r in report.references] == [("matched", "be2024lecture")]


def test_an_item_completed_by_hand_is_complete_after_offline(project, httpserver):
    bare = httpserver.url_for("/2024/01/02/un-billet-sans-auteur.html")
    httpserver.expect_request("/2024/01/02/un-billet-sans-auteur.html").respond_with_data(
        b'<html lang="fr"><head><title>Un billet sans auteur</title></head></html>', content_type="text/html")
    root = project({"essai.md": f"---\ntitle: T\ndate: 2024-01-01\nlang: fr\n---\n\nVoir [un billet]({bare}).\n"},
                   bib={})
    assert CliRunner().invoke(cli, ["resolve", "--root", str(root)]).exit_code == 0
    from pipeline import build

    [result] = build(open_project(root), formats=("epub",))
    [warning] = [w for w in result.warnings if "still marked todo" in w]
    assert "add what is missing to its item in resolved.json, then run make-book resolve --offline" in warning
    path = root / "bibliography" / "resolved.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    [record] = data["records"].values()
    assert record["status"] == "partial" and record["todo"] == ["author", "date"]
    record["item"]["author"] = [{"family": "Dupont", "given": "Marie"}]
    record["item"]["issued"] = {"date-parts": [[2024, 1, 2]]}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert CliRunner().invoke(cli, ["resolve", "--offline", "--root", str(root)]).exit_code == 0
    bib = (root / "bibliography" / "resolved.bib").read_text(encoding="utf-8")
    import re

    assert re.search(r"author\s+= \{Dupont, Marie\}", bib) and "todo" not in bib.split("@online")[1]
    assert json.loads(path.read_text(encoding="utf-8"))["records"][record_id(data)]["status"] == "ok"


def record_id(data):
    [name] = data["records"]
    return name


def test_an_answer_of_an_unexpected_shape_fails_that_lookup_only(project, httpserver):
    httpserver.expect_request("/hf/api/models/org/model").respond_with_json({"id": "org/model", "cardData": [1],
                                                                           "tags": 7, "createdAt": {"x": 1}})
    httpserver.expect_request("/wiki-fr/w/rest.php/v1/page/Lecture_rapide/bare").respond_with_data(
        fixture("wikipedia.json"))
    ends = endpoints(httpserver)
    config = "[resolve.endpoints]\n" + "\n".join(f'{k} = "{v}"' for k, v in ends.items()) + "\n"
    root = project({"essai.md": "---\ntitle: T\ndate: 2024-01-01\nlang: fr\n---\n\n[m](https://huggingface.co/org/model)"
                                " et [w](https://fr.wikipedia.org/wiki/Lecture_rapide).\n"}, bib={}, config=config)
    result = CliRunner().invoke(cli, ["resolve", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "1 complete" in result.output and "1 failed" in result.output


def test_blog_pages_are_found_in_hugo_bundles_and_jekyll_dated_posts(tmp_path):
    from types import SimpleNamespace

    from pipeline.references.resolvers import blog

    write(tmp_path / "content" / "highlights" / "la-societe" / "index.md",
          "---\ntitle: La Société du spectacle\ndate: 2023-05-02\nauthor: [Anne Bé]\n---\nNotes.\n")
    write(tmp_path / "_posts" / "2024-02-11-eloge-de-la-lecture.md",
          "---\ntitle: \"Éloge de la lecture\"\ndate: 2024-02-11 10:00:00 +0100\n---\nTexte.\n")
    for folder, link, title, year in [(tmp_path / "content", "/highlights/la-societe/", "La Société du spectacle", 2023),
                                      (tmp_path / "_posts", "/2024/02/11/eloge-de-la-lecture.html", "Éloge de la lecture",
                                       2024)]:
        client = SimpleNamespace(blog_content=folder, base_url="https://blog.example.org/")
        identifier = blog.matches(link)
        item = blog.parse(blog.fetch(identifier, client), identifier)
        assert (item["title"], item["issued"]["date-parts"][0][0], item["type"]) == (title, year, "post-weblog")
        assert item["URL"].startswith("https://blog.example.org/")
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # an HTTP date in the past: no wait


def test_a_wikipedia_permanent_link_cites_that_revision(httpserver, client):
    httpserver.expect_request("/wiki-fr/w/rest.php/v1/revision/200000001/bare").respond_with_json(
        {"id": 200000001, "timestamp": "2023-01-05T10:00:00Z", "page": {"id": 123456, "key": "Lecture_rapide",
                                                                     "title": "Lecture rapide"}})
    identifier, _, item = lookup("https://fr.wikipedia.org/w/index.php?title=Lecture_rapide&oldid=200000001", client)
    assert str(identifier) == "wikipedia:fr:Lecture rapide#200000001"
    assert item["URL"] == "https://fr.wikipedia.org/w/index.php?title=Lecture_rapide&oldid=200000001"
    assert item["issued"] == {"date-parts": [[2023, 1, 5]]}
