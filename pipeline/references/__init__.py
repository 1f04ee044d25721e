"""References: bibliography files, identifiers of works, citations and links, stubs and checks.

Modules: ``bibliography`` (reading .bib files), ``identifiers`` (DOI, arXiv, ISBN, URL),
``citations`` (citations and links of a document), ``stubs`` and ``checks``.
Kept free of imports so that loading one module stays cheap.
"""
