"""French grammar rules of our own, for well-known faults Grammalecte 2.1.2 has no rule for.

Each rule reads the words of a passage with their morphology (the readings
Grammalecte's own dictionary gives a word: lemma, part of speech, tense,
person, gender, number) and flags a span with its correction. The rules are
deliberately narrow: each one fires only where the grammar leaves one reading,
so that a correct sentence is never flagged. Every rule names the grammar it
applies (Grevisse, *Le Bon Usage*, 14th ed.; the Académie française's "Dire, ne
pas dire"; the Banque de dépannage linguistique of the Office québécois de la
langue française, "BDL").

The dictionary is read in Grammalecte's interpreter (the one named by the
``grammalecte-cli`` script, Debian's system Python), once per check, only
for the words of passages not found in the cache: make-book's own
interpreter may not be able to import Grammalecte.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .engines import GRAMMAR, Flag
from .grammalecte import INSTALL, PROGRAM
from .passages import Passage
from ..errors import MakeBookError

# -- the dictionary -----------------------------------------------------------------------

_HELPER = """
import json, sys
sys.path.insert(0, sys.argv[1])  # a Grammalecte unpacked beside its grammalecte-cli.py
from grammalecte.graphspell.spellchecker import SpellChecker
from grammalecte.fr import conj
request = json.load(sys.stdin)
speller = SpellChecker("fr")
answer = {"morphs": {w: speller.getMorph(w) for w in request["words"]},
          "forms": [conj.getConj(v, t, p) or "" for v, t, p in request["forms"]]}
json.dump(answer, sys.stdout, ensure_ascii=False)
"""


@dataclass(frozen=True)
class Reading:
    """One analysis of a word by Grammalecte's dictionary: ``>acheter/:V1_itnq__a:Q:A:m:p/*``.

    ``tags`` are the codes between colons: ``N`` noun, ``A`` adjective, ``W``
    adverb, ``G`` grammatical word, ``V…`` a verb (its code says whether it is
    transitive), ``Y`` infinitive, ``Q`` past participle, ``K`` conditional,
    ``Iq`` imperfect, ``m``/``f``/``e`` gender, ``s``/``p``/``i`` number,
    ``1s``…``3p`` person.
    """

    lemma: str
    tags: frozenset[str]
    verb: str = ""  # the V… code, "" for a word that is not a verb

    @classmethod
    def parse(cls, morph: str) -> "Reading":
        lemma, _, rest = morph.lstrip(">").partition("/")
        tags = [t for t in rest.split("/")[0].split(":") if t]
        return cls(lemma, frozenset(tags), next((t for t in tags if t.startswith("V")), ""))

    @property
    def transitive(self) -> bool:
        """Whether the verb takes a direct object (the fifth character of its code is ``t``)."""
        return len(self.verb) > 4 and self.verb[4] == "t"


class Lexicon:
    """Readings of French words, from Grammalecte's dictionary run in Grammalecte's interpreter."""

    def __init__(self, program: str | None = PROGRAM) -> None:
        found = shutil.which(program) if program else None
        self.interpreter = _interpreter_of(Path(found)) if found else None
        self.folder = str(Path(found).resolve().parent) if found else ""
        self.readings: dict[str, tuple[Reading, ...]] = {}
        self.forms: dict[tuple[str, str, str], str] = {}

    def available(self) -> bool:
        return self.interpreter is not None

    def load(self, words: set[str], forms: set[tuple[str, str, str]] = frozenset()) -> None:
        """Read the words and the conjugated forms ``(infinitive, tense, person)`` not read yet.

        Raises :class:`MakeBookError` when Grammalecte's dictionary cannot be read.
        """
        words = sorted(w for w in words if w not in self.readings)
        forms = sorted(f for f in forms if f not in self.forms)
        if not words and not forms:
            return
        request = json.dumps({"words": words, "forms": forms}, ensure_ascii=False).encode("utf-8")
        try:
            proc = subprocess.run([self.interpreter, "-c", _HELPER, self.folder], input=request, capture_output=True,
                                  timeout=300)
            answer = json.loads(proc.stdout.decode("utf-8")) if proc.returncode == 0 else None
        except (OSError, ValueError, subprocess.TimeoutExpired):
            answer = None
        if not isinstance(answer, dict):
            raise MakeBookError("Grammalecte's dictionary could not be read for make-book's French rules",
                                hint=f"check that {self.interpreter} -c 'import grammalecte' works "
                                     "(Debian: apt-get install grammalecte-cli)")
        for word in words:
            self.readings[word] = tuple(Reading.parse(m) for m in answer["morphs"].get(word, ()))
        for request_form, form in zip(forms, answer["forms"]):
            self.forms[request_form] = form

    def __getitem__(self, word: str) -> tuple[Reading, ...]:
        return self.readings.get(word, ())


def _interpreter_of(script: Path) -> str | None:
    """The interpreter on the ``#!`` line of ``script`` (grammalecte-cli is a Python script)."""
    try:
        with script.open("rb") as stream:
            first = stream.readline(200).decode("utf-8", "replace")
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    command = first[2:].split()
    if command and Path(command[0]).name == "env" and len(command) > 1:
        return shutil.which(command[1])
    return command[0] if command else None


# -- words ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:[’'\-][^\W\d_]+)*|[.,;:!?«»()\[\]—–…\"“”]")
_ELIDED = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)[’']", re.IGNORECASE)
_BOUNDARY = set(".,;:!?«»()[]—–…\"“”")


@dataclass
class Word:
    """A word (or a punctuation mark) of a passage, lower-cased with ’ as its apostrophe."""

    text: str
    start: int
    end: int
    low: str = field(init=False)
    readings: tuple[Reading, ...] = ()

    def __post_init__(self) -> None:
        self.low = self.text.lower().replace("'", "’")

    @property
    def boundary(self) -> bool:
        return self.text in _BOUNDARY

    def has(self, *tags: str) -> bool:
        """Whether one reading has all ``tags``."""
        return any(set(tags) <= r.tags for r in self.readings)

    def only(self, *tags: str) -> bool:
        """Whether the word is known and every reading has all ``tags``."""
        return bool(self.readings) and all(set(tags) <= r.tags for r in self.readings)

    def verb(self, *tags: str) -> Reading | None:
        """The first verb reading with all ``tags``."""
        return next((r for r in self.readings if r.verb and set(tags) <= r.tags), None)


def words_of(passage: Passage) -> list[Word]:
    """The words and punctuation of ``passage``; an elision is a word of its own (``j’`` ``aurais``).

    What is not prose (a code span's placeholder, a URL) becomes a boundary, as punctuation does.
    """
    words: list[Word] = []
    for match in _TOKEN.finditer(passage.text):
        start, text = match.start(), match.group()
        if passage.blocked(start, match.end()):
            words.append(Word("…", start, match.end()))
            continue
        elided = _ELIDED.match(text)
        if elided and elided.end() < len(text):
            words.append(Word(text[:elided.end()], start, start + elided.end()))
            start, text = start + elided.end(), text[elided.end():]
        words.append(Word(text, start, start + len(text)))
    return words


@dataclass(frozen=True)
class Hit:
    """What a rule found: ``words[first:last + 1]`` of the passage, with corrections to check."""

    first: int
    last: int
    message: str
    candidates: tuple[str, ...] = ()  # corrections kept only if the dictionary knows them
    sure: tuple[str, ...] = ()  # corrections kept as they are
    form: tuple[str, str, str] | None = None  # (infinitive, tense, person) to conjugate as the correction


SUBJECTS = {"je": "1s", "j’": "1s", "tu": "2s", "il": "3s", "elle": "3s", "on": "3s", "nous": "1p", "vous": "2p",
            "ils": "3p", "elles": "3p"}
CLITICS = {"me", "m’", "te", "t’", "se", "s’", "le", "la", "l’", "les", "lui", "leur", "y", "en", "nous", "vous"}
NEGATION = {"ne", "n’"}


def _next_verb(words: list[Word], i: int) -> int | None:
    """Index of the verb after position ``i``, past a negation and object pronouns; None at a boundary."""
    j = i + 1
    while j < len(words) and (words[j].low in NEGATION or words[j].low in CLITICS):
        j += 1
    return j if j < len(words) and not words[j].boundary else None


# -- the rules -----------------------------------------------------------------------------

CONDITION_OPENERS = {"et", "mais", "ou", "or", "car", "même", "comme", "sauf", "que", "qu’"}


def if_with_conditional(words: list[Word]) -> Iterator[Hit]:
    """« Si j’aurais su » → « si j’avais su »: a condition brought by *si* takes the imperfect, not the conditional.

    Sources: Académie française, "Dire, ne pas dire" (« Si j’aurais su ») ;
    Grevisse, *Le Bon Usage* § 1157 ; BDL, « Si + conditionnel ». Only a *si*
    opening a clause (after a full stop, a comma, *et*, *mais*, *même*,
    *comme*…) is a condition: after a verb (« je me demande si j’aurais le
    temps ») *si* asks an indirect question, which may take the conditional.
    """
    for i, word in enumerate(words):
        if word.low not in ("si", "s’"):
            continue
        if i > 0 and not words[i - 1].boundary and words[i - 1].low not in CONDITION_OPENERS:
            continue
        if i + 1 >= len(words) or words[i + 1].low not in SUBJECTS or (word.low == "s’") != (
                words[i + 1].low in ("il", "ils")):
            continue
        j = _next_verb(words, i + 1)
        if j is None or not words[j].readings or not all(r.verb and "K" in r.tags for r in words[j].readings):
            continue
        person = SUBJECTS[words[i + 1].low]
        lemma = words[j].readings[0].lemma
        yield Hit(j, j, "Après « si » de condition, l’imparfait et non le conditionnel (« si j’avais su »).",
                  form=(lemma, ":Iq", ":" + person))


HAS_SUBJECTS = {"il", "elle", "on", "qui", "ça", "cela", "y"}
AFTER_ADVERB = {"moins", "plus", "davantage", "trop", "assez", "beaucoup", "peu", "pas", "jamais", "guère",
                "notamment"}


def a_for_to(words: list[Word]) -> Iterator[Hit]:
    """« a » written for the preposition « à »: after an adverb of degree or negation, or before an infinitive.

    Source: BDL, « A ou à » (*a* is the verb *avoir*, which *avait* can
    replace). *Avoir* follows its subject, and these adverbs (*moins*, *plus*,
    *peu*, *pas*, *jamais*…) follow the verb, so an *a* right after one is the
    preposition (« moins a un journal », « peu a peu »), unless a participle
    follows (« peu a été fait »: *peu* is then the subject) or the adverb is a
    superlative used as a subject (« le plus a gagné »). *Avoir* is never
    followed by a bare infinitive (« il reste tout a faire »), nor preceded
    by one inside a clause (« ne le dire a personne »; at the head of a
    sentence the infinitive may be the subject: « Lire a été ma joie »).
    """
    for i, word in enumerate(words):
        if word.text != "a" or i + 1 >= len(words):
            continue
        before, after = words[i - 1] if i else None, words[i + 1]
        if after.boundary or after.has("Q"):
            continue
        after_adverb = (before is not None and before.low in AFTER_ADVERB
                        and not (i >= 2 and words[i - 2].low in ("le", "la", "les", "au", "du")))
        after_infinitive = _infinitive_inside_clause(words, i - 1) and not after.has("W")
        if after_adverb or after_infinitive:
            yield Hit(i, i, "« a » est le verbe avoir (remplaçable par « avait ») ; ici, la préposition « à ».",
                      sure=("à",))
        elif after.only("Y") and (before is None or before.low not in HAS_SUBJECTS):
            # After a subject (« elle a acheter ») the fault is the participle, which Grammalecte flags.
            yield Hit(i, i, "« a » devant un infinitif : la préposition « à » (« une maison à vendre »), ou bien "
                            "« a » suivi du participe passé (« il a vendu »).", sure=("à",),
                      form=(after.readings[0].lemma, ":Q", ":m:s"))


def _infinitive_inside_clause(words: list[Word], j: int) -> bool:
    """Whether ``words[j]`` is an infinitive that is not a subject: neither heading its clause nor after a preposition.

    (« le fichier à compresser a une taille »: after *à*, the infinitive ends a noun phrase, and *a* is the verb.)
    """
    if j < 1 or words[j - 1].boundary:
        return False
    before = j - 1
    if words[before].low in CLITICS or words[before].low in NEGATION:
        while before > 0 and (words[before].low in CLITICS or words[before].low in NEGATION):
            before -= 1  # « ne pas le dire a personne »
        clitic = True
    else:
        clitic = False
    if words[before].low in PREPOSITIONS or words[before].low in ("au", "aux", "du", "des"):
        return False
    return words[j].only("Y") or (words[j].has("Y") and (clitic or words[j - 1].low in ("pas", "jamais", "rien",
                                                                                        "plus")))


def to_for_has(words: list[Word]) -> Iterator[Hit]:
    """« à » written for the verb « a »: right after *il* or *on*, or after *elle(s)* before a participle.

    Source: BDL, « A ou à ». *Il* and *on* are only ever subjects, so the
    word after them is a verb (« il à raison »); *elle* may also follow a
    preposition (« je pense à elle à midi »), so after it only a following
    participle (« elle à vu ») shows the verb.
    """
    for i, word in enumerate(words[1:], start=1):
        if word.text != "à":
            continue
        before, after = words[i - 1], words[i + 1] if i + 1 < len(words) else None
        participle = after is not None and after.has("Q") and not after.has("N")
        if before.low in ("il", "on") or (before.low in ("elle", "elles") and participle):
            yield Hit(i, i, "Le verbe avoir s’écrit « a » (remplaçable par « avait ») ; « à » est la préposition.",
                      sure=("a",))


INDIRECT_QUESTION = {"savoir", "demander", "ignorer"}  # any form: « je ne sais pas où il va »
INDIRECT_QUESTION_INFINITIVE = {"voir", "comprendre", "chercher", "regarder", "montrer", "deviner", "expliquer",
                                "indiquer", "imaginer", "décider", "choisir", "oublier", "dire", "apprendre"}
PLACE_OR_TIME = {"jour", "moment", "instant", "époque", "heure", "année", "mois", "semaine", "soir", "matin",
                 "nuit", "minute", "siècle", "période", "saison", "pays", "ville", "endroit", "lieu", "région",
                 "village", "rue", "maison", "cas", "point", "mesure", "stade"}
PAST_NEGATION = {"pas", "plus", "jamais", "guère", "bien", "trop", "exactement", "toujours", "encore"}


def or_for_where(words: list[Word]) -> Iterator[Hit]:
    """« ou » (or) written for « où » (where), where only the relative or interrogative *où* can stand.

    Sources: BDL, « Ou et où »; Grevisse § 727 (*où*, relative pronoun of place
    and time) and § 1164 (indirect questions). Flagged: *d’ou*, *jusqu’ou*,
    *par ou*; and *ou* followed by a subject pronoun after a noun of place or
    time (« le jour ou il est parti », « dans la mesure ou il »), after
    *savoir*, *demander*, *ignorer* (« je ne sais pas ou il va »), or after
    the infinitive of a verb that asks (« voir ou elle cesse »). After a
    conjugated verb other than these, *ou* joins two clauses (« tu le vois ou
    tu le devines ») and is left alone.
    """
    for i, word in enumerate(words):
        if word.low != "ou" or i == 0:
            continue
        before = words[i - 1]
        if before.low in ("d’", "jusqu’", "par"):
            yield Hit(i, i, "« où » (le lieu, le temps) et non « ou » (l’alternative).", sure=("où",))
            continue
        if i + 1 >= len(words) or words[i + 1].low not in SUBJECTS:
            continue
        j = i - 1
        if words[j].low in PAST_NEGATION and j > 0:
            j -= 1
        verb = words[j]
        asks = any(r.lemma in INDIRECT_QUESTION for r in verb.readings if r.verb) or any(
            r.lemma in INDIRECT_QUESTION_INFINITIVE and "Y" in r.tags for r in verb.readings)
        place = before.low in PLACE_OR_TIME or before.low in {w + "s" for w in PLACE_OR_TIME}
        if place and i >= 2 and words[i - 2].low in ("un", "une", "des", "deux", "trois"):
            place = False  # « dans un jour ou deux », « une heure ou il faudra partir » are alternatives
        if asks or place or before.low == "là":
            yield Hit(i, i, "« où » (le lieu, le temps) et non « ou » (l’alternative).", sure=("où",))


def son_for_are(words: list[Word]) -> Iterator[Hit]:
    """« son » (his, her) written for « sont » (are): after *ils*/*elles*, or before a past participle.

    Source: BDL, « Son et sont » (*sont* can be replaced by *étaient*). The
    determiner *son* comes before a noun; before a word that can only be a
    participle (« ils son restés », « les freins son usés ») it is the verb.
    """
    for i, word in enumerate(words):
        if word.low != "son" or i + 1 >= len(words):
            continue
        before, after = words[i - 1] if i else None, words[i + 1]
        participle = after.has("Q") and not after.has("N") and not after.has("W")
        if (before is not None and before.low in ("ils", "elles")) or participle:
            yield Hit(i, i, "« sont » (le verbe être, remplaçable par « étaient ») et non « son ».", sure=("sont",))


def their_plural(words: list[Word]) -> Iterator[Hit]:
    """« leur » before a plural noun → « leurs ».

    Source: BDL, « Leur et leurs »; Grevisse § 626. The determiner agrees
    with its noun; the pronoun *leur* (to them) never varies and comes
    before a verb, so only a following word that is a plural noun or
    adjective and never a verb is taken (« leur vélos », not « je leur
    montres »).
    """
    for i, word in enumerate(words):
        if word.low != "leur" or i + 1 >= len(words):
            continue
        after = words[i + 1]
        nominal = after.readings and all(("N" in r.tags or "A" in r.tags) and not r.verb for r in after.readings)
        if nominal and all("p" in r.tags for r in after.readings):
            yield Hit(i, i, "Déterminant devant un nom au pluriel : « leurs ».", sure=("leurs",))


# Participles that do not agree with a preceding « que »: verbs of measure and duration
# (Grevisse § 914: « les dix euros que ce livre a coûté »), and « fait », « laissé »
# followed by an infinitive (§ 917), which the infinitive test below already covers.
MEASURE = {"coûter", "valoir", "peser", "mesurer", "durer", "vivre", "courir", "régner", "dormir", "marcher"}
# Nouns that a completive « que » follows (« l’idée que j’ai compris »): « que » is then a conjunction.
COMPLETIVE = {"idée", "impression", "sentiment", "certitude", "espoir", "peur", "crainte", "preuve", "fait",
              "raison", "pensée", "chance", "hypothèse", "conviction", "illusion", "nouvelle", "signe", "doute",
              "opinion", "assurance", "conscience", "affirmation", "condition", "manière", "façon", "sorte",
              "moment", "fois", "jour", "point", "tant", "temps"}
AVOIR = {"ai", "as", "a", "avons", "avez", "ont", "avais", "avait", "avions", "aviez", "avaient", "aurai", "auras",
         "aura", "aurons", "aurez", "auront", "aurais", "aurait", "aurions", "auriez", "auraient", "aie", "aies",
         "ait", "ayons", "ayez", "aient", "eus", "eut", "eûmes", "eûtes", "eurent", "eusse", "eût"}
PREPOSITIONS = {"à", "de", "d’", "par", "pour", "sans"}


def participle_after_que(words: list[Word]) -> Iterator[Hit]:
    """The past participle with *avoir* agrees with a direct object placed before it: « les outils que nous avons achetés ».

    Source: Grevisse § 911 (and the Académie's "Dire, ne pas dire",
    « accord du participe passé »); BDL, « Accord du participe passé avec
    avoir ». The object is the relative *que*, whose antecedent is the noun
    before it (past its adjectives: « la leçon la plus importante que m’ait
    apportée cette année »). Left alone: participles that never vary or of
    verbs without a direct object (*dormi*, *fallu*), verbs of measure
    (§ 914), a participle followed by an infinitive (§ 915–917: « la méthode
    que j’ai fini par adopter »), a noun followed by a completive *que* (« l’idée
    que j’ai compris »), and nouns whose gender or number the dictionary
    leaves open.
    """
    for i, word in enumerate(words):
        if word.low not in ("que", "qu’") or i == 0:
            continue
        noun = _antecedent(words, i)
        if noun is None:
            continue
        j = i + 1
        if j < len(words) and words[j].low in SUBJECTS:
            j += 1
            inverted = False
        else:
            inverted = True
        while j < len(words) and (words[j].low in NEGATION or words[j].low in CLITICS - {"en", "le", "la", "l’",
                                                                                           "les"}):
            j += 1
        if j + 1 >= len(words) or words[j].low not in AVOIR:
            continue
        k = j + 1
        if k < len(words) and words[k].low in ("pas", "jamais", "plus", "bien", "déjà", "toujours", "souvent"):
            k += 1
        if k >= len(words):
            continue
        participle = words[k].verb("Q", "m", "s")
        if participle is None or not participle.transitive or participle.lemma in MEASURE:
            continue
        after = words[k + 1] if k + 1 < len(words) else None
        if after is not None and not after.boundary:
            if after.has("Y") or (after.low in PREPOSITIONS and k + 2 < len(words) and words[k + 2].has("Y")):
                continue  # « que j’ai fini par adopter », « qu’il a voulu lire »: the object is the infinitive's
            if not inverted and (after.has("G", "D") or (after.has("N") and not after.verb())):
                continue  # the participle has an object after it: « que » was a conjunction
        gender, number = noun
        if gender == "m" and number == "s":
            continue
        base = words[k].text
        plural = base if base.endswith(("s", "x")) else base + "s"
        wanted = {("f", "s"): base + "e", ("m", "p"): plural, ("f", "p"): base + "es"}[(gender, number)]
        yield Hit(k, k, "Participe passé avec « avoir » : il s’accorde avec le complément d’objet direct placé "
                        f"avant lui (« {words[i].text} », mis pour le nom qui précède).", candidates=(wanted,))


DEGREE = {"plus", "moins", "très", "si", "aussi", "bien", "trop", "assez"}


def _antecedent(words: list[Word], i: int) -> tuple[str, str] | None:
    """(gender, number) of the noun ``que`` at ``i`` stands for, or None when it is not clearly a noun's."""
    j = i - 1
    while j >= 1:
        if words[j].has("A") and words[j - 1].low in DEGREE:
            j -= 2  # « très belle », « la plus importante »
            if j >= 1 and words[j].low in ("le", "la", "les"):
                j -= 1  # a superlative: « la leçon la plus importante »
        elif words[j].has("A") and not words[j].has("N"):
            j -= 1
        else:
            break
    if j < 1 or words[j].low in COMPLETIVE or words[j].boundary:
        return None
    noun, determiner = words[j], words[j - 1]
    if determiner.low == "aux" or (j >= 2 and words[j - 2].low == "à"):
        return None  # « il dit aux enfants que j’ai gagné »: an indirect object, then a completive « que »
    nouns = [r for r in noun.readings if "N" in r.tags and not r.verb]
    if not nouns or any(r.verb for r in noun.readings) or not (determiner.has("G", "D") or determiner.low in (
            "l’", "ces", "ses", "mes", "tes", "nos", "vos", "leurs", "cette", "toutes", "tous")):
        return None
    genders = {t for r in nouns for t in r.tags if t in ("m", "f", "e")}
    numbers = {t for r in nouns for t in r.tags if t in ("s", "p", "i")}
    if len(genders) != 1 or len(numbers) != 1 or genders & {"e"} or numbers & {"i"}:
        return None
    return genders.pop(), numbers.pop()


RULES: tuple[Callable[[list[Word]], Iterator[Hit]], ...] = (
    if_with_conditional, a_for_to, to_for_has, or_for_where, son_for_are, their_plural, participle_after_que)


def rules_version() -> str:
    """What identifies these rules for the cache: a digest of this module (a changed rule reads passages again)."""
    return "rules-fr " + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


class FrenchRules:
    """The engine of our French rules (needs Grammalecte's dictionary, so Grammalecte installed)."""

    name = "rules-fr"

    def __init__(self, program: str | None = PROGRAM) -> None:
        self.lexicon = Lexicon(program)

    def available(self, lang: str) -> bool:
        return self.lexicon.available() and lang.lower().split("-")[0] == "fr"

    def missing(self, lang: str) -> str:
        return INSTALL

    def check(self, passages: list[Passage], lang: str, accept) -> list[Flag]:
        """Flags of every rule over ``passages``, the dictionary read once for all of them."""
        texts = [words_of(p) if p.prose else [] for p in passages]
        self.lexicon.load({w.low for words in texts for w in words if not w.boundary})
        found: list[tuple[int, Hit]] = []
        for index, words in enumerate(texts):
            for word in words:
                word.readings = self.lexicon[word.low]
            for rule in RULES:
                found += [(index, hit) for hit in rule(words)]
        self.lexicon.load({c for _, hit in found for c in hit.candidates},
                          {hit.form for _, hit in found if hit.form})
        flags = []
        for index, hit in found:
            words = texts[index]
            suggestions = list(hit.sure) + [c for c in hit.candidates if self.lexicon[c]]
            if hit.form and self.lexicon.forms.get(hit.form):
                suggestions.append(self.lexicon.forms[hit.form])
            if hit.candidates and not suggestions:
                continue  # the correction is not a word: the rule misread the sentence
            start, end = words[hit.first].start, words[hit.last].end
            if accept(passages[index].text[start:end]):
                continue
            flags.append(Flag(index, start, end, GRAMMAR, self.name, tuple(suggestions[:3]), hit.message))
        return flags
