"""The few words make-book writes itself, in the book's language."""

from __future__ import annotations

import datetime as dt

TERMS: dict[str, dict[str, str]] = {
    "contents": {"fr": "Table des matières", "en": "Contents"},
    "abstract": {"fr": "Résumé", "en": "Abstract"},
    "bibliography": {"fr": "Bibliographie", "en": "References", "de": "Literatur", "es": "Bibliografía",
                     "it": "Bibliografia"},
    # A book with a bibliography per chapter: the book-wide nocite's works no chapter cites, at its end.
    "further_reading": {"fr": "Bibliographie complémentaire", "en": "Further reading", "de": "Weiterführende Literatur",
                        "es": "Lecturas complementarias", "it": "Letture consigliate"},
    "notes": {"fr": "Notes", "en": "Notes"},
    "cover": {"fr": "Couverture", "en": "Cover"},
    "titlepage": {"fr": "Page de titre", "en": "Title page"},
    "start": {"fr": "Début du texte", "en": "Start of text"},
    "landmarks": {"fr": "Repères", "en": "Landmarks"},
    "back_to_text": {"fr": "Retour au texte", "en": "Back to text"},
    "draft": {"fr": "Brouillon", "en": "Draft"},
    "draft_title": {"fr": "{title} (brouillon)", "en": "{title} (draft)"},
    "to_add": {"fr": "Références à compléter", "en": "References still to add"},
    # The colophon of a book of essays (pipeline.books.matter): French books call it « achevé d'imprimer ».
    "colophon": {"fr": "Colophon", "en": "Colophon", "de": "Impressum", "es": "Colofón", "it": "Colophon"},
    "edition_of": {"fr": "Édition du {date}.", "en": "This edition: {date}.", "de": "Ausgabe vom {date}.",
                   "es": "Edición del {date}.", "it": "Edizione del {date}."},
    "set_with": {"fr": "Composé avec make-book {version}.", "en": "Typeset with make-book {version}.",
                 "de": "Gesetzt mit make-book {version}.", "es": "Compuesto con make-book {version}.",
                 "it": "Composto con make-book {version}."},
    "set_in_with": {"fr": "Composé en {typefaces} avec make-book {version}.",
                    "en": "Set in {typefaces} with make-book {version}.",
                    "de": "Gesetzt in {typefaces} mit make-book {version}.",
                    "es": "Compuesto en {typefaces} con make-book {version}.",
                    "it": "Composto in {typefaces} con make-book {version}."},
    "undescribed_image": {"fr": "Image sans description", "en": "Image without description",
                          "de": "Bild ohne Beschreibung", "es": "Imagen sin descripción",
                          "it": "Immagine senza descrizione", "pt": "Imagem sem descrição",
                          "nl": "Afbeelding zonder beschrijving"},
}


def localised(term: str, lang: str) -> str:
    """``term`` in ``lang`` (its primary subtag), English when make-book has no translation."""
    words = TERMS[term]
    return words.get(lang.split("-")[0].lower(), words["en"])


def localised_with_language(term: str, lang: str) -> tuple[str, str]:
    """``term`` and the language it is written in: ``lang``'s primary subtag, or ``"en"`` when untranslated."""
    primary = lang.split("-")[0].lower()
    return (TERMS[term][primary], primary) if primary in TERMS[term] else (TERMS[term]["en"], "en")


def format_date(date: dt.date, lang: str) -> str:
    """A date as a reader of ``lang`` writes it: « 1er mai 2024 », “May 1, 2024”."""
    from babel.dates import format_date as babel_format

    locale = lang.replace("-", "_")
    try:
        text = babel_format(date, format="long", locale=locale)
    except (ValueError, LookupError):
        text = babel_format(date, format="long", locale="en")
    if locale.startswith("fr") and date.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]  # French writes the first of the month as an ordinal
    return text


def authors_line(authors: tuple[str, ...], lang: str) -> str:
    from babel.lists import format_list

    if not authors:
        return ""
    try:
        return format_list(list(authors), locale=lang.replace("-", "_"))
    except (ValueError, LookupError):
        return ", ".join(authors)
