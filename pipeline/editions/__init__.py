"""Editions: the writers of the PDF (WeasyPrint) and the EPUB (ebooklib), the cover and the shelf page."""
