"""Spelling and grammar: what is read, where findings point, what is accepted, and how much is caught.

Hunspell (Debian's hunspell-fr and hunspell-en-*, through pyenchant) and
Grammalecte (Debian's grammalecte-cli) must be installed: .ci/run installs
them, and a test that finds them missing fails saying how to install them.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from pipeline.cli import cli
from pipeline.errors import ConfigError
from pipeline.project import open_project
from pipeline.spelling import check_spelling
from pipeline.spelling.checker import CACHE_FILE, CACHE_VERSION
from pipeline.spelling.grammalecte import Grammalecte, sentences
from pipeline.spelling.hunspell import Hunspell, dictionary_tags
from pipeline.spelling.passages import read_passages
from pipeline.spelling.repeats import Repeats
from pipeline.spelling.rules_fr import FrenchRules
from pipeline.spelling.words import AcceptedWords

from .conftest import REPO, pdf_pages, write
from .spelling_corpus import corpus_text, score

HEAD = "---\ntitle: Essai\ndate: 2024-05-01\nlang: fr\n---\n\n"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module", autouse=True)
def engines_installed():
    """The engines the suite measures; missing ones fail with the install command, never skip."""
    hunspell = Hunspell()
    for lang in ("fr", "en"):
        assert hunspell.available(lang), hunspell.missing(lang)
    grammalecte = Grammalecte()
    assert grammalecte.available("fr"), grammalecte.missing("fr")


def findings_of(root: Path, engines=None):
    (report,) = check_spelling(open_project(root), engines=engines)
    return report


# -- what is read ---------------------------------------------------------------------


def test_only_prose_is_read_in_its_own_language():
    body = (
        "Un motfautif, du `codefautif`, $\\frac{abc}{defg}$, <span class=\"tagfautif\">x</span>, "
        "https://exemple.org/cheminfautif et [@clefautive, p. 3].[^1]\n\n"
        "[^1]: Une notefautive.\n\n"
        "> Il dit [an englishh phrase]{lang=en} et part.\n\n"
        "```\nblocfautif\n```\n\n"
        "::: {lang=en}\nA paragraf in English.\n:::\n"
    )
    passages = read_passages(body, lang="fr", first_line=1)
    words = {(p.lang, w) for p in passages for _, _, w in p.words()}
    assert ("fr", "motfautif") in words and ("fr", "notefautive") in words
    assert ("en", "englishh") in words and ("en", "paragraf") in words
    for hidden in ("codefautif", "frac", "abc", "tagfautif", "cheminfautif", "exemple", "clefautive", "blocfautif"):
        assert not any(w == hidden for _, w in words), hidden


@pytest.mark.parametrize("name", ["planted", "heldout"])
def test_every_word_is_placed_where_it_is_in_the_file(name):
    text = corpus_text(name).read_text(encoding="utf-8")
    lines = text.split("\n")
    body_line = lines.index("---", 1) + 2
    body = "\n".join(lines[body_line - 1:])
    passages = read_passages(body, lang="fr", first_line=body_line)
    checked = 0
    for passage in passages:
        for start, _, word in passage.words():
            line, column = passage.place(start)
            assert lines[line - 1][column - 1:column - 1 + len(word)].replace("'", "’") == word, (word, line, column)
            checked += 1
    assert checked > 1800


def test_sentences_are_cut_before_a_capital():
    text = "Il est venu. Elle est partie ! « Pourquoi ? » Rien… M. Dupont reste. ok."
    pieces = [text[a:b].strip() for a, b in sentences(text)]
    assert pieces[:3] == ["Il est venu.", "Elle est partie !", "« Pourquoi ? »"]
    assert "".join(text[a:b] for a, b in sentences(text)) == text


# -- engines and the word list ------------------------------------------------------------


def test_a_typo_is_flagged_at_its_line_and_column_with_suggestions(project):
    root = project({"essai.md": HEAD + "## Partie\n\nJe lis à la bibliotèque du quartier.\n"}, bib={})
    report = findings_of(root)
    (finding,) = [f for f in report.findings if f.text == "bibliotèque"]
    assert (finding.line, finding.column) == (9, 13)
    assert "bibliothèque" in finding.suggestions and finding.kind == "spelling"
    assert finding.format(root).startswith("manuscripts/essai.md:9:13  bibliotèque  → ")


def test_an_elided_word_is_reported_without_its_article(project):
    root = project({"essai.md": HEAD + "Le projet d'accélarationnisme est ancien.\n"}, bib={})
    (finding,) = findings_of(root).findings
    assert finding.text == "accélarationnisme" and finding.column == 13


def test_accepted_words_come_from_the_list_the_config_and_the_cited_entries(project):
    bib = {"refs.bib": "@book{wq2020,\n  author = {W\\k{a}sikowska, Zofia},\n  title = {Kwiatostan i inne},\n"
                       "  publisher = {Brzask},\n  year = {2020}\n}\n"}
    text = HEAD + "ChatGPT, Claudette et Wąsikowska [@wq2020] parlent de Kwiatostan ; ChagGPT aussi.\n"
    root = project({"essai.md": text}, bib=bib, config='[spelling]\nwords = ["Claudette"]\n')
    write(root / "styles" / "words.txt", "# noms propres\nChatGPT\n")
    report = findings_of(root)
    assert [f.text for f in report.findings] == ["ChagGPT"]
    assert report.findings[0].suggestions[0] == "ChatGPT"  # the word list is offered as a suggestion


def test_acceptance_rules():
    accepted = AcceptedWords(["chatbot", "ChatGPT", "j’ai fini par"])
    assert accepted.accept("Chatbot") and accepted.accept("chatbot") and accepted.accept("ChatGPT")
    assert not accepted.accept("chatgpt")  # a capitalised entry is accepted only as written
    assert accepted.accept("l’arXiv") is False and accepted.accept("d’chatbot")
    assert accepted.accept("Пушкин") and accepted.accept("ΛΟΓΟΣ") and accepted.accept("UNESCO")
    text = "Voici la méthode que j'ai fini par adopter."
    assert accepted.covers(text, text.index("fini"), text.index("fini") + 4)
    assert not accepted.covers(text, 0, 5)


def test_doubled_words_are_flagged_but_not_the_doublings_the_language_allows():
    passages = read_passages("Il parle de de tout. Nous nous taisons.\n\nI had had enough of the the noise.\n",
                             lang="fr", first_line=1)
    passages[1].lang = "en"
    flags = Repeats().check(passages[:1], "fr", lambda w: False) + Repeats().check(passages[1:], "en", lambda w: False)
    assert [passages[0].text[f.start:f.end] for f in flags[:1]] == ["de de"]
    assert len(flags) == 2 and passages[1].text[flags[1].start:flags[1].end] == "the the"


def test_grammar_is_checked_and_typography_left_to_make_book(project):
    text = HEAD + "Les enfant dorment. Il m'a dit : « c'est l'heure » ; puis il est parti...\n"
    report = findings_of(project({"essai.md": text}, bib={}))
    assert [(f.text, f.kind, f.engine) for f in report.findings] == [("enfant", "grammar", "grammalecte")]
    assert report.findings[0].suggestions == ("enfants",)


def test_a_quotation_source_line_is_not_read_as_a_sentence(project):
    text = HEAD + "> Je suis moi-même la matière de mon livre.\n\n— Michel de Montaigne, *Essais*\n"
    assert findings_of(project({"essai.md": text}, bib={})).findings == []


def test_without_grammalecte_the_report_says_how_to_install_it(project):
    root = project({"essai.md": HEAD + "Les enfant dorment.\n"}, bib={})
    report = findings_of(root, engines=[Hunspell(), Grammalecte(program=None)])
    assert report.findings == []
    assert any("apt-get install grammalecte-cli" in note for note in report.notes)


def test_a_language_without_dictionary_says_what_to_install(project):
    text = "---\ntitle: Essai\nlang: fr\n---\n\nTexte.\n\n::: {lang=nl}\nEen zin in het Nederlands.\n:::\n"
    report = findings_of(project({"essai.md": text}, bib={}))
    assert any("hunspell-nl" in note for note in report.notes)


def test_dictionary_tags_follow_the_language_tag():
    assert dictionary_tags("fr-CA") == ["fr_CA", "fr_FR", "fr"]
    assert dictionary_tags("en") == ["en_US", "en"]


def test_an_english_text_accepts_either_spelling():
    passages = read_passages("The colour and the color of endnotes.\n", lang="en", first_line=1)
    assert Hunspell().check(passages, "en", lambda w: False) == []
    assert Hunspell().check(passages, "en-US", lambda w: False) != []


def test_a_bad_spelling_table_names_the_key(project):
    root = project({"essai.md": HEAD + "Texte.\n"}, config='[spelling]\nmots = ["x"]\n')
    with pytest.raises(ConfigError, match="unknown key 'mots' in \\[spelling\\]"):
        open_project(root)


# -- the command ------------------------------------------------------------------------


def test_spell_reports_per_manuscript_and_strict_fails(project):
    root = project({"essai.md": HEAD + "Une phrase avec une erreurr.\n", "autre.md": HEAD + "Rien à redire.\n"},
                   bib={})
    result = run("spell", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "manuscripts/essai.md:7:21  erreurr  → erreur" in result.output
    assert "manuscripts/autre.md (fr, 4 words): 0 to look at" in result.output
    assert run("spell", "--strict", "--root", str(root)).exit_code == 1
    data = json.loads(run("spell", "essai", "--format", "json", "--root", str(root)).output)
    assert data[0]["findings"][0] | {"suggestions": None} == {
        "file": "manuscripts/essai.md", "line": 7, "column": 21, "text": "erreurr", "kind": "spelling",
        "engine": "hunspell", "lang": "fr", "suggestions": None, "message": ""}


def test_spell_add_appends_to_the_word_list(project):
    root = project({"essai.md": HEAD + "Le mot Zorglubien est à moi.\n"}, bib={})
    assert "Zorglubien" in run("spell", "--root", str(root)).output
    result = run("spell", "--add", "Zorglubien", "--strict", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert (root / "styles" / "words.txt").read_text(encoding="utf-8") == "Zorglubien\n"
    assert "already in styles/words.txt" in run("spell", "--add", "Zorglubien", "--root", str(root)).output


def test_check_spelling_runs_both_checks(project):
    root = project({"essai.md": HEAD + "Voir [@eco1985lector] et une erreurr.\n"})
    result = run("check", "--spelling", "--root", str(root))
    assert "1 of 2 entries are cited by no manuscript" in result.output  # counted, not listed
    assert "erreurr  → erreur" in result.output and result.exit_code == 0
    assert run("check", "--spelling", "--strict", "--root", str(root)).exit_code == 1


def test_the_samples_have_nothing_to_correct(tmp_path):
    """The project's own essays, with its word list: zero findings, as CI requires."""
    root = tmp_path / "samples"
    for folder in ("manuscripts", "bibliography", "styles"):
        shutil.copytree(REPO / folder, root / folder)
    result = run("spell", "--strict", "--root", str(root))
    assert result.exit_code == 0, result.output


def test_false_alarms_on_the_samples_without_the_word_list(tmp_path):
    """At most one finding per 1,000 words on the samples when nothing is accepted by hand."""
    root = tmp_path / "samples"
    for folder in ("manuscripts", "bibliography"):
        shutil.copytree(REPO / folder, root / folder)
    reports = check_spelling(open_project(root))
    words = sum(r.words for r in reports)
    alarms = sum(len(r.findings) for r in reports)
    assert words > 1000 and alarms * 1000 <= words, [f.format() for r in reports for f in r.findings]


# -- how much is caught ---------------------------------------------------------------------


def corpus_project(tmp_path_factory, name: str) -> Path:
    """A project whose one manuscript is the corpus ``name`` of tests/spelling_corpus.py."""
    root = tmp_path_factory.mktemp(name)
    (root / "manuscripts").mkdir()
    shutil.copy(corpus_text(name), root / "manuscripts" / f"{name}.md")
    return root


@pytest.fixture(scope="module")
def planted_project(tmp_path_factory) -> Path:
    return corpus_project(tmp_path_factory, "planted")


def test_planted_errors_with_grammalecte(planted_project):
    """40 planted errors; the figures are printed by benchmarks/spelling.py and kept in the README.

    The issue's goal is 90 %. Grammalecte 2.1.2 alone reaches 35 of 40; our
    French rules (rules_fr.py) add "si j'aurais", "moins a", "voir ou elle"
    and "que m'ait apporté": 39. Left: "trop générale" (an attribute
    agreeing with a pronoun a clause away).
    """
    caught, missed, _ = score(findings_of(planted_project).findings)
    assert len(caught) >= 39, [(m.kind, m.text, m.line) for m in missed]


def test_heldout_errors_with_grammalecte(tmp_path_factory):
    """30 errors in a second text of ours, never used to tune a rule: what works on the first text works here."""
    caught, missed, _ = score(findings_of(corpus_project(tmp_path_factory, "heldout")).findings, "heldout")
    assert len(caught) >= 27, [(m.kind, m.text, m.line) for m in missed]  # 26 with Grammalecte alone


def test_planted_errors_with_hunspell_alone(planted_project):
    caught, missed, false = score(findings_of(planted_project, engines=[Hunspell(), Repeats()]).findings)
    assert len(caught) >= 24, [(m.kind, m.text, m.line) for m in missed]  # 60 % of 40
    assert {m.kind for m in missed} >= {"agreement", "conjugation", "homophone"}
    assert [f.text for f in false] == ["make-book"]  # the program's name, which no dictionary has


def test_a_second_run_reads_grammar_from_the_cache(project, monkeypatch):
    root = project({"essai.md": HEAD + "Les enfant dorment.\n"}, bib={})
    (root / "dist").mkdir()
    first = check_spelling(open_project(root), cache_dir=root / "dist")[0].findings
    assert (root / "dist" / CACHE_FILE).is_file()
    monkeypatch.setattr(Grammalecte, "check", lambda *a: pytest.fail("Grammalecte ran again"))
    monkeypatch.setattr(FrenchRules, "check", lambda *a: pytest.fail("the French rules ran again"))
    assert check_spelling(open_project(root), cache_dir=root / "dist")[0].findings == first


def test_a_damaged_cache_is_ignored_with_a_warning(project, caplog):
    root = project({"essai.md": HEAD + "Les enfant dorment.\n"}, bib={})
    write(root / "dist" / CACHE_FILE, f'{{"version": {CACHE_VERSION}, "engines": "x", "grammar": [1], "suggestions": 3}}')
    from pipeline.spelling.checker import ResultCache

    engines = ResultCache(root / "dist", "x")
    assert engines.grammar == {} and "ignored" in caplog.text
    assert [f.text for f in check_spelling(open_project(root), cache_dir=root / "dist")[0].findings] == ["enfant"]


# -- drafts -----------------------------------------------------------------------------------


def test_a_draft_marks_flagged_words_in_both_editions(project):
    root = project({"essai.md": HEAD + "## Partie\n\nLes enfant lisent à la bibliotèque.\n"}, bib={})
    result = run("--draft", "--root", str(root))
    assert result.exit_code == 0, result.output
    epub = next((root / "dist").rglob("essai*.epub"))
    with zipfile.ZipFile(epub) as archive:
        chapters = [etree.fromstring(archive.read(n)) for n in archive.namelist() if n.endswith(".xhtml")]
    marked = [span.text for page in chapters
              for span in page.iter("{http://www.w3.org/1999/xhtml}span") if span.get("class") == "misspelt"]
    assert sorted(marked) == ["bibliotèque", "enfant"]
    text = " ".join(pdf_pages(next((root / "dist").rglob("essai*.pdf")), flat=True))
    assert "→ enfants · bibliothèque" in text  # two marks that may share a line: one margin note
    final = run("--force", "--root", str(root))
    assert final.exit_code == 0
    with zipfile.ZipFile(root / "dist" / "essai.epub") as archive:
        assert not any(b"misspelt" in archive.read(n) for n in archive.namelist() if n.endswith(".xhtml"))


def test_a_draft_marks_a_grammar_finding_at_its_place_only(project):
    """« a » flagged once is underlined once, not at every « a » of the essay; a misspelt word everywhere."""
    body = ("Il a lu le livre, et il en a aimé la fin. Je ne pense pas a la suite, qui a tardé.\n\n"
            "Elle a relu la bibliotèque de son père ; la bibliotèque a brûlé.\n")
    root = project({"essai.md": HEAD + body}, bib={})
    result = run("--draft", "--root", str(root))
    assert result.exit_code == 0, result.output
    epub = next((root / "dist").rglob("essai*.epub"))
    with zipfile.ZipFile(epub) as archive:
        pages = [etree.fromstring(archive.read(n)) for n in archive.namelist() if n.endswith(".xhtml")]
    marks = [(span.text, "".join(span.getnext().itertext()))
             for page in pages for span in page.iter("{http://www.w3.org/1999/xhtml}span")
             if span.get("class") == "misspelt"]
    assert sorted(m[0] for m in marks) == ["a", "bibliotèque", "bibliotèque"], marks
    assert [m[1] for m in marks if m[0] == "a"] == ["→ à"]


def test_margin_notes_of_nearby_marks_are_one_note_and_far_ones_are_not(project):
    """WeasyPrint sets the floats of one line at one height: notes that may share a line are joined."""
    near = "Les enfant dorment ; la bibliotèque ferme."
    far = " ".join(["Le soir, je lis un peu avant de dormir, et la maison reste calme."] * 3)
    root = project({"essai.md": HEAD + f"{near} {far} Un eleve passe.\n"}, bib={})
    assert run("--draft", "--root", str(root)).exit_code == 0
    text = " ".join(pdf_pages(next((root / "dist").rglob("essai*.pdf")), flat=True))
    assert "→ enfants · bibliothèque" in text and "→ élev" in text
    assert "→ bibliothèque ·" not in text and "· élev" not in text


# -- addresses: no typography, no spelling marks inside a URL, in a draft or not ---------------------------------

ADDRESSES = ("Regardez la vidéo :\n\n{{< youtube dQw4w9WgXcQ >}}\n\n"
             "La page [https://x.org/a?b=c](https://x.org/a?b=c), la fiche "
             "[www.exemple.org/page?id=3;x=2](https://www.exemple.org/page?id=3;x=2) et "
             "l’adresse https://exemple.org/fautte?x=1 ; une fautte.\n")


@pytest.mark.parametrize("draft", [True, False])
def test_addresses_are_left_as_written_in_both_editions(project, draft):
    root = project({"essai.md": HEAD + ADDRESSES}, bib={})
    result = run(*(["--draft"] if draft else []), "--root", str(root))
    assert result.exit_code == 0, result.output
    epub = next((root / "dist").rglob("essai*.epub"))
    with zipfile.ZipFile(epub) as archive:
        pages = [etree.fromstring(archive.read(n)) for n in archive.namelist() if n.endswith(".xhtml")]
    links = {a.get("href"): "".join(a.itertext()) for page in pages
             for a in page.iter("{http://www.w3.org/1999/xhtml}a")}
    assert links["https://www.youtube.com/watch?v=dQw4w9WgXcQ"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert links["https://x.org/a?b=c"] == "https://x.org/a?b=c"
    assert links["https://www.exemple.org/page?id=3;x=2"] == "www.exemple.org/page?id=3;x=2"
    text = " ".join("".join(page.itertext()) for page in pages)
    assert "https://exemple.org/fautte?x=1" in text
    marked = [span.text for page in pages for span in page.iter("{http://www.w3.org/1999/xhtml}span")
              if span.get("class") == "misspelt"]
    assert marked == (["fautte"] if draft else []), marked  # the word in the text, not the one in the address
    printed = " ".join(pdf_pages(next((root / "dist").rglob("essai*.pdf")), flat=True))
    for cut in ("watch\u202f?", "watch ?", "a\u202f?b", "id=3\u202f;", "fautte\u202f?"):
        assert cut not in printed and cut not in text, cut
    assert "x=1\u202f; une" in text  # the prose's own punctuation still gets its space
