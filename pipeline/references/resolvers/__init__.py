"""Resolvers: one module per source of metadata, tried in the order of ``RESOLVERS``.

Each module follows :class:`Resolver` (the shape of Manubot's ``manubot/cite/``
handlers): ``matches(link)`` recognises the links it can look up and returns
their normalised :class:`~pipeline.references.identifiers.Identifier`;
``fetch(identifier, client)`` asks its source through the one HTTP client and
returns the :class:`Raw` answer; ``parse(raw, identifier)`` turns that answer
into a CSL item (raising ``NotFound``, ``Malformed`` or ``NotMetadata``).
Parsing never touches the network, so tests feed it recorded answers.
"""

from __future__ import annotations

from typing import Protocol

from ..identifiers import Identifier
from . import arxiv, blog, doi, hal, huggingface, isbn, webpage, wikipedia
from .common import Item, Raw


class Resolver(Protocol):
    KIND: str

    def matches(self, link: str) -> Identifier | None: ...

    def fetch(self, identifier: Identifier, client) -> Raw: ...

    def parse(self, raw: Raw, identifier: Identifier) -> Item: ...


# Most specific first: an arXiv DOI is arXiv's, a DOI in a publisher URL beats the page.
RESOLVERS: tuple[Resolver, ...] = (arxiv, doi, isbn, hal, huggingface, wikipedia, blog, webpage)
BY_KIND: dict[str, Resolver] = {r.KIND: r for r in RESOLVERS}
KINDS = tuple(BY_KIND)


def identify(link: str) -> tuple[Resolver, Identifier] | None:
    """The first resolver that recognises ``link``, with the link's identifier."""
    for resolver in RESOLVERS:
        identifier = resolver.matches(link)
        if identifier is not None:
            return resolver, identifier
    return None
