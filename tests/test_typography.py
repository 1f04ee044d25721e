"""Microtypography, rule by rule: Markdown in, text out (⁀ = U+202F, ~ = U+00A0, ^x = raised)."""

import pytest

from pipeline.pandoc import parse_markdown
from pipeline.typography import apply_typography, typeset_text


def text_of(nodes) -> str:
    out = []
    for node in nodes if isinstance(nodes, list) else [nodes]:
        kind, value = node["t"], node.get("c")
        if kind == "Str":
            out.append(value)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind == "Superscript":
            out.append("^" + text_of(value))
        elif kind == "Quoted":
            marks = "“”" if value[0]["t"] == "DoubleQuote" else "‘’"
            out.append(marks[0] + text_of(value[1]) + marks[1])
        elif kind in ("Code", "Math"):
            out.append(value[1] if kind == "Code" else value[1])
        elif kind in ("Emph", "Strong", "Span", "SmallCaps"):
            out.append(text_of(value[-1] if kind == "Span" else value))
        elif kind == "Link":
            out.append(text_of(value[1]))
        elif kind in ("Para", "Plain"):
            out.append(text_of(value))
        elif kind == "RawInline":
            out.append(value[1])
    return "".join(out)


def typeset(markdown: str, lang: str) -> str:
    ast = apply_typography(parse_markdown(markdown), lang)
    return text_of(ast["blocks"][0]).replace("\u202f", "⁀").replace("\u00a0", "~")


FRENCH = [
    # narrow no-break space before ; ! ?
    ("Bonjour !", "Bonjour⁀!"),
    ("Bonjour!", "Bonjour⁀!"),
    ("Vraiment ?", "Vraiment⁀?"),
    ("Vraiment?", "Vraiment⁀?"),
    ("Oui ; non", "Oui⁀; non"),
    ("Oui; non", "Oui⁀; non"),
    ("Quoi ?!", "Quoi⁀?!"),
    ("Quoi?!", "Quoi⁀?!"),
    ("Hélas !!!", "Hélas⁀!!!"),
    ("*Vrai*!", "*Vrai*⁀!".replace("*", "")),
    ("[Un lien](https://example.org)?", "Un lien⁀?"),
    ("Bonjour\u00a0!", "Bonjour⁀!"),
    ("Bonjour\u202f!", "Bonjour⁀!"),
    ("Une ligne\n! qui commence", "Une ligne⁀! qui commence"),
    # no-break space before the colon
    ("Voici : la suite", "Voici~: la suite"),
    ("Voici: la suite", "Voici~: la suite"),
    ("Note :", "Note~:"),
    ("*Titre*: texte", "Titre~: texte"),
    # guillemets
    ('Il dit "bonjour".', "Il dit «~bonjour~»."),
    ('"Bonjour", dit-il.', "«~Bonjour~», dit-il."),
    ('"Il a dit \'non\' hier"', "«~Il a dit “non” hier~»"),
    ("« déjà »", "«~déjà~»"),
    ("«collé»", "«~collé~»"),
    ("«\u00a0déjà\u00a0»", "«~déjà~»"),
    ('"Vraiment ?"', "«~Vraiment⁀?~»"),
    ('un "*mot*" mis en relief', "un «~mot~» mis en relief"),
    # apostrophe and ellipsis
    ("l'homme", "l’homme"),
    ("aujourd'hui qu'il", "aujourd’hui qu’il"),
    ("Et puis...", "Et puis…"),
    ("Et puis… rien", "Et puis… rien"),
    # numbers, percent and units
    ("50 %", "50⁀%"),
    ("50%", "50⁀%"),
    ("3,5 ‰", "3,5⁀‰"),
    ("10 km", "10~km"),
    ("12 Go de mémoire", "12~Go de mémoire"),
    ("30 €", "30~€"),
    ("2 000 ans", "2⁀000 ans"),
    # ordinals
    ("le 1er mai", "le 1^er~mai"),
    ("la 1re fois", "la 1^re~fois"),
    ("la 1ère fois", "la 1^re~fois"),
    ("le 2e jour", "le 2^e~jour"),
    ("le 2ème jour", "le 2^e~jour"),
    ("le XIXe siècle", "le XIX^e~siècle"),
    ("au XXe.", "au XX^e."),
    ("la Ve République", "la V^e~République"),
    ("le 2nd tour", "le 2^nd~tour"),
    ("De plus, Ce que Le reste", "De plus, Ce que Le reste"),
    ("le 42 et le e", "le 42 et le e"),
    # things that must not change
    ("À 12:30 précises", "À 12:30 précises"),
    ("c.-à-d. la suite", "c.-à-d.~la suite"),  # pandoc binds the abbreviation to the next word
    ("voir `a ; b ! c ?` ici", "voir a ; b ! c ? ici"),
    ("la formule $x:y ! z$ ici", "la formule x:y ! z ici"),
    ("écrire <abbr title='a : b ?'>x</abbr> ici", "écrire <abbr title='a : b ?'>x</abbr> ici"),
    ("adresse http://example.org/a?b=1 ici", "adresse http://example.org/a?b=1 ici"),
    ("écrire à anne@example.org !", "écrire à anne@example.org⁀!"),
    ("ratio 1:2", "ratio 1:2"),
]


@pytest.mark.parametrize("markdown, expected", FRENCH)
def test_french(markdown, expected):
    assert typeset(markdown, "fr") == expected


@pytest.mark.parametrize("markdown, _expected", FRENCH)
def test_french_is_idempotent(markdown, _expected):
    once = apply_typography(parse_markdown(markdown), "fr-FR")
    twice = apply_typography(once, "fr")
    assert twice == apply_typography(parse_markdown(markdown), "fr")


ENGLISH = [
    ('He said "hi".', "He said “hi”."),
    ("It's 'quoted'.", "It’s ‘quoted’."),
    ("Wait...", "Wait…"),
    ("pages 10--12", "pages 10–12"),
    ("yes---no", "yes—no"),
    ("Really ?", "Really ?"),
    ("Really?", "Really?"),
    ("Note: this", "Note: this"),
    ("50%", "50%"),
    ("the 2nd one", "the 2nd one"),
    ("`don't`", "don't"),
]


@pytest.mark.parametrize("markdown, expected", ENGLISH)
def test_english(markdown, expected):
    assert typeset(markdown, "en") == expected


def test_other_languages_are_left_alone():
    assert typeset("Hallo !", "de") == "Hallo !"


@pytest.mark.parametrize("text, lang, expected", [
    ('Le "vrai" titre : enfin !', "fr", "Le «\u00a0vrai\u00a0» titre\u00a0: enfin\u202f!"),
    ("Le XIXe siècle", "fr", "Le XIXe\u00a0siècle"),
    ("Notes in the Margin", "en", "Notes in the Margin"),
    ("It's 'mine'", "en", "It’s 'mine'"),
])
def test_plain_strings(text, lang, expected):
    assert typeset_text(text, lang) == expected


QUOTES = [
    # nested straight double quotes alternate « “ « » ” »; pandoc's pairing is undone
    ('Il lit : "Le panneau disait "défense d\'entrer" en lettres rouges."',
     "Il lit~: «~Le panneau disait “défense d’entrer” en lettres rouges.~»", "fr"),
    ('Il dit "a "b "c" d" e" fin.', "Il dit «~a “b «~c~» d” e~» fin.", "fr"),
    ("Il dit \"bonjour 'toi' là\" puis *\"emph\"* et \"[lien](http://x.org)\".",
     "Il dit «~bonjour “toi” là~» puis «~emph~» et «~lien~».", "fr"),
    ('He said "she wrote "no" twice" then.', "He said “she wrote ‘no’ twice” then.", "en"),
    ('A "b "c "d" e" f" g.', "A “b ‘c “d” e’ f” g.", "en"),
    # guillemets typed inside guillemets become “ ”, and lose the guillemets' inner spaces
    ("Il dit « le « grand » livre » hier.", "Il dit «~le “grand” livre~» hier.", "fr"),
    ("Il dit «\u00a0le «\u00a0grand\u00a0» livre\u00a0» hier.", "Il dit «~le “grand” livre~» hier.", "fr"),
    # a quotation that never closes in its paragraph: opened, not closed (a running quotation)
    ('"Ce paragraphe ouvre une citation.', "«~Ce paragraphe ouvre une citation.", "fr"),
    ('"This paragraph runs on.', "“This paragraph runs on.", "en"),
    # straight quotes in code are untouched
    ('Écrire `x = "a"` puis "b".', 'Écrire x = "a" puis «~b~».', "fr"),
]


@pytest.mark.parametrize("markdown, expected, lang", QUOTES)
def test_quotation_marks_by_depth(markdown, expected, lang):
    assert typeset(markdown, lang) == expected


def test_running_quotation_opens_each_paragraph_and_closes_once():
    ast = apply_typography(parse_markdown('"Premier paragraphe.\n\n"Deuxième.\n\n"Fin ici."'), "fr")
    texts = [text_of(block).replace("\u00a0", "~") for block in ast["blocks"]]
    assert texts == ["«~Premier paragraphe.", "«~Deuxième.", "«~Fin ici.~»"]


NUMBERS = [
    # digit groups joined by U+202F, never split; a unit after the number by U+00A0
    ("Il y a 1 250 000 habitants", "Il y a 1⁀250⁀000 habitants"),
    ("un budget de 10 000 €", "un budget de 10⁀000~€"),
    ("déjà 1\u00a0250 typé", "déjà 1⁀250 typé"),
    ("en 2024 100 personnes", "en 2024 100 personnes"),  # a year and a number stay apart
    ("3,5 % de hausse", "3,5⁀% de hausse"),
    ("à 12 h 30 précises", "à 12~h~30 précises"),
    # abbreviations kept with what they introduce
    ("chez M. Dupont et Mme Curie", "chez M.~Dupont et Mme~Curie"),
    ("voir p. 12 et t. II", "voir p.~12 et t.~II"),
    ("le no 5 et (chap. 3)", "le no~5 et (chap.~3)"),
    # dates and ordinals
    ("le 13 juin 2023", "le 13~juin~2023"),
    ("au XXe siècle", "au XX^e~siècle"),
    ("la 2e édition", "la 2^e~édition"),
    ("le 1er janvier", "le 1^er~janvier"),
]


@pytest.mark.parametrize("markdown, expected", NUMBERS)
def test_numbers_and_abbreviations_never_break(markdown, expected):
    assert typeset(markdown, "fr") == expected
    once = apply_typography(parse_markdown(markdown), "fr")
    assert apply_typography(once, "fr") == apply_typography(parse_markdown(markdown), "fr")


def test_century_numerals_in_small_capitals():
    ast = apply_typography(parse_markdown("Le XIXe siècle"), "fr")
    span = next(n for n in ast["blocks"][0]["c"] if n["t"] == "Span")
    assert span["c"][0][1] == ["roman"] and span["c"][1] == [{"t": "Str", "c": "XIX"}]


# -- unbalanced quotation marks: a warning with the line --------------------------------------------------

BALANCED = [
    ("fr", "Il dit « bonjour » et « au revoir »."),
    ("fr", "Il dit « elle a crié “ viens ” puis « non » » ce soir."),
    ("fr", 'Il dit "bonjour" puis "elle a dit "non" hier".'),
    ("fr", "« Premier paragraphe de la citation.\n\n« Deuxième, qui continue.\n\n« Fin de la citation. »\n\nTexte."),
    ("fr", "> « Un paragraphe cité.\n>\n> « Et le suivant. »\n\nFin."),
    ("fr", "L'homme d'« ici » et l'« autre » parlent."),
    ("fr", "Le code `« x` reste.\n\n```\n« y\n```"),
    ("fr", "Un titre « court » ici[^1].\n\n[^1]: Une note « fermée »."),
    ("en", 'She said "hello" and “goodbye”.'),
    ("en", "She said \"he told me 'run' twice\" today."),
    ("en", "“First paragraph of the speech.\n\n“Second paragraph.”\n\nNormal text."),
    ("en", 'A 12" screen and a 3" disk.'),
    ("fr", "Il cite [“hello there,” she said]{lang=en} et part."),
    # Single quotation marks, and the apostrophes that share their glyph ’ (no false alarm on any).
    ("fr", "L’homme d’aujourd’hui dit « elle a répondu ‘ non ’ hier »."),
    ("fr", "Il dit « c’est ‹ presque › fini » et s’en va."),
    ("en", "She said “he told me ‘run’ twice” today, in the ’90s or the ‘90s."),
    ("en", "The authors’ view, the critics’ ‘taste’, James’ book and rock ’n’ roll, rock ‘n’ roll."),
    ("en", "‘Tis the season, ‘twas the night; ‘em and ‘cause are slang."),
    ("en", "He said 'yes' and 'no', and 'rock 'n' roll' twice."),
    ("en", "‘First paragraph of the quotation.\n\n‘Second one, which goes on.’\n\nNormal text."),
    ("en", "He read ‘the authors’ notes’ aloud."),
    ("en", "Code `‘x` and ```\n‘y\n```\n\nstays."),
    ("fr", "Aujourd’hui, l’‘œuvre’ d’un auteur."),
]

UNBALANCED = [
    ("fr", "Premier.\n\nIl dit « bonjour et s'en va.\n\nAutre paragraphe.", 3, "« is opened and never closed"),
    ("fr", "Premier.\n\nIl dit bonjour » et s'en va.", 3, "closing quotation mark » with no opening"),
    ("fr", 'Premier.\n\nIl dit "bonjour et au revoir.\n\nSuite.', 3, "never closed"),
    ("fr", "« Un paragraphe cité.\n\nUn autre qui ne rouvre pas.\n\nFin.", 1, "« is opened and never closed"),
    ("fr", "Texte[^1].\n\n[^1]: Une note « ouverte\n    sur deux lignes.", 3, "never closed"),
    ("en", "First.\n\nShe said “hello and left.\n\nThen more.", 3, "“ is opened and never closed"),
    ("en", "First.\n\nShe left” quickly.", 3, "closing quotation mark ” with no opening"),
    ("en", "# A “title\n\nText.", 1, "never closed"),
    ("fr", "Il cite [“hello there]{lang=en} et part.", 1, "“ is opened and never closed"),
    ("en", "First.\n\nShe said ‘hello and left.\n\nThen more.", 3, "‘ is opened and never closed"),
    ("en", "First.\n\nShe said “he told me ‘run twice” today.", 3, "‘ is opened and never closed"),
    ("fr", "Premier.\n\nIl dit « c’est ‹ presque fini » et part.", 3, "‹ is opened and never closed"),
    ("fr", "Premier.\n\nIl dit « c’est presque › fini » et part.", 3, "closing quotation mark › with no opening"),
    ("en", "‘A quotation over paragraphs.\n\nA paragraph that does not reopen it.\n\nEnd.", 1,
     "‘ is opened and never closed"),
]


@pytest.mark.parametrize("lang, text", BALANCED)
def test_balanced_quotation_marks_give_no_warning(tmp_path, lang, text):
    document = _document(tmp_path, lang, text)
    assert not [w for w in document.warnings if "quotation mark" in w], document.warnings


@pytest.mark.parametrize("lang, text, line, words", UNBALANCED)
def test_an_unbalanced_quotation_mark_is_a_warning_with_its_line(tmp_path, lang, text, line, words):
    document = _document(tmp_path, lang, text)
    found = [w for w in document.warnings if "quotation mark" in w]
    assert len(found) == 1, document.warnings
    assert found[0].startswith(f"q.md:{line + 6}: ") and words in found[0], found[0]


def test_our_own_manuscripts_have_no_unbalanced_quotation_marks():
    from pipeline.config import Settings
    from pipeline.document import parse_document
    from pipeline.references.bibliography import load_bibliography
    from pipeline.sources.manuscript import read_manuscript

    from .conftest import DATA, REPO

    # Every essay of the repository: the samples, the blog corpus, the test essays (single marks too).
    paths = sorted((REPO / "manuscripts").rglob("*.md")) + sorted(DATA.rglob("*.md"))
    assert len(paths) >= 12
    for path in paths:
        document = parse_document(read_manuscript(path), Settings(), load_bibliography([]))
        assert not [w for w in document.warnings if "quotation mark" in w], (path, document.warnings)


def _document(tmp_path, lang, text):
    from pipeline.config import Settings
    from pipeline.document import parse_document
    from pipeline.references.bibliography import load_bibliography
    from pipeline.sources.manuscript import read_manuscript

    from .conftest import write

    path = write(tmp_path / "q.md", f"---\ntitle: Q\nlang: {lang}\ndate: 2024-05-01\n---\n\n{text}\n")
    return parse_document(read_manuscript(path), Settings(), load_bibliography([]))
