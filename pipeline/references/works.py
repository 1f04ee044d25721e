"""Works and links: which external links point to something one cites.

A *work* is something a bibliography lists: an article, a paper, a book, a
post, a model, a dataset, an encyclopedia article. A *link* is an address a
text points to without citing it: a home page, a code repository, a product
or a store page, a profile, a documentation index. Only a work the
bibliography lacks is a missing reference.

The decision, in order:

1. the author's mark: ``[text](url){.cite}`` is a work, ``{.link}`` a link;
2. the type found by ``make-book resolve`` when the link was looked up
   (``resolved.json``: a page describing itself as a web site, an
   organisation, a product or a profile is a link);
3. the URL's shape (:func:`role_from_url`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from .identifiers import link_identifiers

WORK = "work"
LINK = "link"

# Classes an author writes on a link: [text](url){.cite} or {.link}.
CITE_CLASS = "cite"
LINK_CLASS = "link"

# Hosts whose pages are code, products, profiles or tools: links, whatever their path.
LINK_HOSTS = {
    "github.com", "gitlab.com", "codeberg.org", "bitbucket.org", "sr.ht", "git.sr.ht", "sourceforge.net",
    "pypi.org", "npmjs.com", "www.npmjs.com", "crates.io", "rubygems.org", "packagist.org", "hub.docker.com",
    "apps.apple.com", "play.google.com", "chrome.google.com", "chromewebstore.google.com", "addons.mozilla.org",
    "marketplace.visualstudio.com", "linkedin.com", "facebook.com", "instagram.com", "tiktok.com",
    "amazon.com", "amazon.fr", "fnac.com", "discord.gg", "discord.com", "t.me", "orcid.org", "scholar.google.com",
}
# Hosts whose pages are works whenever the path names one item.
WORK_HOSTS = {
    "hal.science", "hal.archives-ouvertes.fr", "theses.hal.science", "shs.hal.science", "openreview.net",
    "aclanthology.org", "proceedings.neurips.cc", "papers.nips.cc", "proceedings.mlr.press", "jstor.org",
    "www.jstor.org", "cairn.info", "shs.cairn.info", "persee.fr", "journals.openedition.org", "books.openedition.org",
    "semanticscholar.org", "pubmed.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov", "biorxiv.org", "medrxiv.org",
    "ssrn.com", "papers.ssrn.com", "researchgate.net", "zenodo.org", "gallica.bnf.fr", "archive.org",
    "youtube.com", "youtu.be", "vimeo.com", "dailymotion.com", "radiofrance.fr", "ina.fr",
}
# Path sections of a site that are indexes, tools or accounts, not items.
LINK_SECTIONS = {
    "about", "a-propos", "apropos", "contact", "docs", "doc", "documentation", "download", "downloads",
    "pricing", "tarifs", "features", "product", "products", "produits", "login", "signin", "signup", "account",
    "search", "recherche", "tag", "tags", "category", "categories", "categorie", "rubrique", "author", "auteur",
    "authors", "user", "users", "profile", "profil", "team", "equipe", "careers", "jobs", "shop", "store",
    "boutique", "app", "apps", "tools", "outils", "settings", "feed", "rss", "index", "home", "accueil",
}
_DATE_IN_PATH = re.compile(r"(?:^|/)(?:19|20)\d\d(?:[/-](?:0?[1-9]|1[0-2]))?(?:[/-]\d\d?)?(?:/|$|-)")
_HF_SECTIONS = {"spaces", "docs", "blog", "learn", "pricing", "settings", "organizations", "login", "join",
                "tasks", "models", "search", "collections", "enterprise"}


def link_role(url: str, classes: tuple[str, ...] | list[str] = (), resolved_role: str | None = None) -> str:
    """``"work"`` or ``"link"`` for an external link, by mark, resolved type, then URL shape."""
    if CITE_CLASS in classes:
        return WORK
    if LINK_CLASS in classes:
        return LINK
    if resolved_role in (WORK, LINK):
        return resolved_role
    return role_from_url(url)


def role_from_url(url: str) -> str:
    """What the shape of ``url`` says it points to.

    Works: a DOI, arXiv id or ISBN; a PDF; a Hugging Face model or dataset; a
    Wikipedia or Wikisource article; an item of a scholarly or media archive
    (HAL, OpenReview, ACL Anthology, YouTube video…); a post on a social
    network; a dated path (``/2025/09/15/…``) or an article slug of three words
    or more. Links: home pages, repositories, package and store pages,
    profiles, documentation, section indexes; anything else without those
    signs of an item.
    """
    if any(i.kind in ("doi", "arxiv", "isbn") for i in link_identifiers(url)):
        return WORK
    parts = urlsplit(url if "//" in url else "https://" + url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    last = segments[-1].lower() if segments else ""
    if last.endswith(".pdf") or last.endswith((".epub", ".djvu")):
        return WORK
    if host.endswith("wikipedia.org") or host.endswith("wikisource.org"):
        return WORK if len(segments) >= 2 and segments[0] == "wiki" and ":" not in segments[1] else \
            WORK if "oldid" in parse_qs(parts.query) else LINK
    if host in ("huggingface.co", "hf.co"):
        if segments[:1] == ["datasets"]:
            return WORK if len(segments) >= 3 else LINK
        if segments[:1] == ["papers"]:
            return WORK if len(segments) >= 2 else LINK
        return WORK if len(segments) >= 2 and segments[0] not in _HF_SECTIONS else LINK
    if host in ("twitter.com", "x.com", "bsky.app", "threads.net"):
        return WORK if "status" in segments or "post" in segments else LINK
    if re.fullmatch(r"@[\w.]+", segments[0] if segments else "") and len(segments) >= 2 and segments[1].isdigit():
        return WORK  # a Mastodon post: /@user/123456
    if host in LINK_HOSTS or any(host.endswith("." + h) for h in LINK_HOSTS):
        return LINK
    if host in ("youtube.com", "youtu.be"):
        return WORK if (host == "youtu.be" and segments) or "v" in parse_qs(parts.query) else LINK
    if host in WORK_HOSTS or any(host.endswith("." + h) for h in WORK_HOSTS):
        return WORK if segments and segments[0].lower() not in LINK_SECTIONS else LINK
    if not segments or (len(segments) == 1 and last in ("index.html", "index.php", "index.htm")):
        return LINK  # a home page
    if segments[0].lower() in LINK_SECTIONS or last in LINK_SECTIONS:
        return LINK
    if _DATE_IN_PATH.search(parts.path):
        return WORK
    stem = re.sub(r"\.(html?|php|aspx?)$", "", last)
    if len([w for w in re.split(r"[-_+]", stem) if w and not w.isdigit()]) >= 3:
        return WORK
    if re.search(r"(?:^|[/_-])(?:article|story|post|news|billet|chronique)s?(?:[/_-]|$)", parts.path.lower()) \
            and re.search(r"\d{4,}", parts.path):
        return WORK  # /article/123456, /news/story-98765
    return LINK
