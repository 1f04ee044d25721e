"""Sources: reading a manuscript from disk (text, front matter, body) as blog drafts write it."""
