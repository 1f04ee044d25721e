"""The few words make-book writes itself, in the book's language."""

from __future__ import annotations

TERMS: dict[str, dict[str, str]] = {
    "contents": {"fr": "Table des matières", "en": "Contents"},
    "abstract": {"fr": "Résumé", "en": "Abstract"},
    "bibliography": {"fr": "Bibliographie", "en": "References", "de": "Literatur", "es": "Bibliografía",
                     "it": "Bibliografia"},
    "notes": {"fr": "Notes", "en": "Notes"},
    "cover": {"fr": "Couverture", "en": "Cover"},
    "titlepage": {"fr": "Page de titre", "en": "Title page"},
    "start": {"fr": "Début du texte", "en": "Start of text"},
    "landmarks": {"fr": "Repères", "en": "Landmarks"},
    "back_to_text": {"fr": "Retour au texte", "en": "Back to text"},
    "draft": {"fr": "Brouillon", "en": "Draft"},
    "to_add": {"fr": "Références à compléter", "en": "References still to add"},
}


def localised(term: str, lang: str) -> str:
    """``term`` in ``lang`` (its primary subtag), English when make-book has no translation."""
    words = TERMS[term]
    return words.get(lang.split("-")[0].lower(), words["en"])
