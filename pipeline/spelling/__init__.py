"""Spelling and grammar of the drafts: Hunspell (through Enchant) and Grammalecte for French.

``check_spelling(project, names)`` returns one :class:`SpellingReport` per
manuscript; ``mark_findings(document, findings)`` marks them in a draft edition.
"""

from .checker import Finding, SpellingReport, check_document, check_spelling, mark_findings

__all__ = ["Finding", "SpellingReport", "check_document", "check_spelling", "mark_findings"]
