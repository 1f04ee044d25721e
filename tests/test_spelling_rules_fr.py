"""Our French grammar rules (pipeline/spelling/rules_fr.py): each catches its fault in new sentences, and leaves correct ones alone.

The sentences are ours and none comes from the planted-error corpora. The
rules read Grammalecte's dictionary, so Grammalecte must be installed
(.ci/run installs it); the test fails, never skips, when it is not.
"""

from __future__ import annotations

import pytest

from pipeline.spelling.passages import Passage
from pipeline.spelling.rules_fr import FrenchRules, Reading, words_of


@pytest.fixture(scope="module")
def rules():
    engine = FrenchRules()
    assert engine.available("fr"), engine.missing("fr")
    return engine


def flagged(rules, sentence: str) -> list[tuple[str, tuple[str, ...]]]:
    passage = Passage(lang="fr", text=sentence, places=[(1, i + 1) for i in range(len(sentence))])
    return [(sentence[f.start:f.end], f.suggestions) for f in rules.check([passage], "fr", lambda w: False)]


@pytest.mark.parametrize("sentence, word, fix", [
    ("Si tu viendrais demain, nous irions au marché.", "viendrais", "venais"),
    ("Même s’il pleuvrait, je sortirais.", "pleuvrait", "pleuvait"),
    ("Et si nous pourrions partir plus tôt ?", "pourrions", "pouvions"),
    ("Si je ne l’aurais pas vu, je ne l’aurais pas cru.", "aurais", "avais"),
])
def test_if_with_conditional(rules, sentence, word, fix):
    assert flagged(rules, sentence) == [(word, (fix,))]


@pytest.mark.parametrize("sentence, fix", [
    ("Il apprend peu a peu la musique.", "à"),
    ("Elle pense davantage a son travail qu’à ses vacances.", "à"),
    ("Il reste tout a faire dans ce jardin.", "à"),
    ("Il en a trop a porter.", "à"),
    ("Il ne faut pas le dire a personne.", "à"),
    ("Il à raison de partir.", "a"),
    ("On à toujours le choix.", "a"),
    ("Elle à mangé trop vite.", "a"),
    ("D’ou vient ce bruit ?", "où"),
    ("Je ne sais pas ou il habite.", "où"),
    ("Le jour ou elle est partie, il pleuvait.", "où"),
    ("Il faut comprendre ou nous allons.", "où"),
    ("Dans la mesure ou il accepte, tout va bien.", "où"),
    ("Ils son partis tôt.", "sont"),
    ("Les enfants son fatigués ce soir.", "sont"),
    ("Ils ont rangé leur outils dans la remise.", "leurs"),
    ("Les lettres que tu as écrit hier sont arrivées.", "écrites"),
    ("La maison qu’ils ont acheté est grande.", "achetée"),
    ("Voici les photos que m’a envoyé ma sœur.", "envoyées"),
    ("C’est la chanson la plus belle que j’ai entendu.", "entendue"),
])
def test_a_fault_is_flagged_with_its_correction(rules, sentence, fix):
    (found,) = flagged(rules, sentence)
    assert found[1][0] == fix


@pytest.mark.parametrize("sentence", [
    # si asking a question may take the conditional; si with the imperfect is right
    "Je me demande si j’aurais le temps de lire.",
    "Il ne sait pas s’il pourrait venir.",
    "Si j’avais su, je serais venu.",
    "S’il venait, je serais content.",
    # a as avoir
    "Peu a été dit sur ce livre.",
    "Celui qui en sait le plus a raison.",
    "Elle a beaucoup lu cet hiver.",
    "Il a pris le temps de répondre.",
    "Il y a à faire dans ce jardin.",
    "Elle a acheter du pain.",  # the participle is wrong here, and Grammalecte says so
    "Lire a été ma joie.",
    "Ce que je veux lire a changé.",
    "Je pense à elle à midi.",
    "Le fichier à compresser a une taille de plusieurs mégaoctets.",
    "Le plaisir de lire a changé ma vie.",
    "Il pense à elle à chaque instant.",
    "Qui à Paris ne connaît pas ce café ?",
    # ou as or
    "Tu le vois ou tu le devines ?",
    "Il pleut ou il neige, selon les jours.",
    "Je reviens dans une heure ou je t’appelle.",
    "Viens demain ou je pars sans toi.",
    "Dans un jour ou deux, tout sera prêt.",
    # son as his, leur as to them
    "Son passé le rattrape.",
    "Il a vendu son vélo à son voisin.",
    "Tu leur montres le chemin.",
    "Il leur donne des livres chaque semaine.",
    "Leur maison est au bout de la rue.",
    # participles that stay as they are
    "La méthode que j’ai fini par adopter est simple.",
    "Les heures que j’ai dormi ne suffisent pas.",
    "Les dix euros que ce livre a coûté sont perdus.",
    "J’ai l’impression que j’ai compris.",
    "Le livre que j’ai lu est long.",
    "Les livres que j’ai lus sont longs.",
    "La lettre que j’ai voulu écrire est restée dans le tiroir.",
    "Il dit aux enfants que j’ai gagné.",
    "Elle dit que j’ai gagné la partie.",
    "Les années qu’il a fallu pour finir.",
])
def test_a_correct_sentence_is_left_alone(rules, sentence):
    assert flagged(rules, sentence) == []


def test_a_before_an_infinitive_offers_both_readings(rules):
    assert flagged(rules, "Il reste tout a faire dans ce jardin.") == [("a", ("à", "fait"))]


def test_words_split_elisions_and_mark_what_is_not_prose():
    passage = Passage(lang="fr", text="Qu’il vienne, X d’ici", places=[(1, 1)] * 21, skipped=[(14, 15)])
    assert [w.text for w in words_of(passage)] == ["Qu’", "il", "vienne", ",", "…", "d’", "ici"]


def test_a_reading_of_the_dictionary():
    reading = Reading.parse(">acheter/:V1_itnq__a:Q:A:m:p/*")
    assert reading.lemma == "acheter" and {"Q", "m", "p"} <= reading.tags and reading.transitive
    assert not Reading.parse(">dormir/:V3_i_____a:Q:e:i/*").transitive


def test_a_grammalecte_whose_dictionary_cannot_be_read_is_one_clear_error(tmp_path):
    """grammalecte-cli found, but its interpreter cannot import Grammalecte: an error saying what to check."""
    import sys

    from pipeline.errors import MakeBookError

    program = tmp_path / "grammalecte-cli"
    program.write_text(f"#!{sys.executable}\n", encoding="utf-8")
    program.chmod(0o755)
    engine = FrenchRules(str(program))
    assert engine.available("fr") and not engine.available("en")
    passage = Passage(lang="fr", text="Si j’aurais su.", places=[(1, 1)] * 15)
    with pytest.raises(MakeBookError, match="dictionary could not be read") as raised:
        engine.check([passage], "fr", lambda w: False)
    assert "import grammalecte" in raised.value.hint
