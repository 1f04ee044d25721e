"""Works and links: only a linked work the bibliography lacks is a missing reference."""

import pytest

from pipeline import open_project
from pipeline.builder import prepare, report_references
from pipeline.references.citations import resolve_references
from pipeline.references.works import LINK, WORK, link_role, role_from_url


@pytest.mark.parametrize("url", [
    "https://doi.org/10.1145/3442188.3445922",
    "https://arxiv.org/pdf/2310.06825v1",
    "https://www.worldcat.org/isbn/2070360024",
    "https://example.org/papers/report.pdf",
    "https://huggingface.co/mistralai/Mistral-7B-v0.1",
    "https://huggingface.co/datasets/allenai/c4",
    "https://fr.wikipedia.org/wiki/Lecture_rapide",
    "https://fr.wikisource.org/wiki/Essais/Livre_II/Chapitre_10",
    "https://www.lemonde.fr/campus/article/2025/09/15/intelligence-artificielle_6600000_4401467.html",
    "https://blog.example.net/2023/04/notes",
    "https://www.nouvelobs.com/culture/comment-lire-un-roman-aujourd-hui.html",
    "https://hal.science/hal-04012345",
    "https://openreview.net/forum?id=abcdEFGH",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://x.com/someone/status/1234567890",
    "https://mastodon.social/@someone/111222333444",
])
def test_works_by_url_shape(url):
    assert role_from_url(url) == WORK


@pytest.mark.parametrize("url", [
    "https://zed.dev/",
    "https://www.python.org",
    "https://example.org/index.html",
    "https://github.com/zed-industries/zed",
    "https://gitlab.com/group/project/-/issues/4",
    "https://pypi.org/project/httpx/",
    "https://apps.apple.com/fr/app/kindle/id302584613",
    "https://www.linkedin.com/in/someone",
    "https://x.com/someone",
    "https://huggingface.co/mistralai",
    "https://huggingface.co/docs/transformers/index",
    "https://fr.wikipedia.org/wiki/Sp%C3%A9cial:Recherche",
    "https://docs.python.org/3/library/re.html",
    "https://www.example.com/about",
    "https://example.com/pricing",
    "https://www.youtube.com/@somechannel",
    "https://obsidian.md/download",
])
def test_links_by_url_shape(url):
    assert role_from_url(url) == LINK


def test_the_author_mark_and_the_resolved_type_come_first():
    assert link_role("https://github.com/a/b", ["cite"]) == WORK
    assert link_role("https://doi.org/10.1/x", ["link"]) == LINK
    assert link_role("https://example.org/x", (), "work") == WORK
    assert link_role("https://example.org/2020/01/an-article-slug", (), "link") == LINK


BILLET = """---
title: Éditeurs
date: 2024-05-01
lang: fr
links: {links}
---

J'écris avec [Zed](https://zed.dev/), dont [le code](https://github.com/zed-industries/zed) est ouvert,
un [éditeur de texte](https://fr.wikipedia.org/wiki/%C3%89diteur_de_texte).

Voir [ce dépôt](https://github.com/a/b){{.cite}} et [cet article](https://doi.org/10.1038/nature14539){{.link}},
et [un billet](https://blog.example.net/2023/04/lire-lentement-est-un-art).
"""


def _warnings(root):
    project = open_project(root)
    [path] = project.manuscripts()
    document = prepare(project, path)
    resolve_references(document, project_root=project.root)
    return document.warnings


def test_refs_separates_works_from_links(project):
    root = project({"billet.md": BILLET.format(links="cite")})
    [report] = report_references(open_project(root))
    rows = [(r.target, r.status) for r in report.references]
    assert rows == [
        ("https://zed.dev/", "not a work"),
        ("https://github.com/zed-industries/zed", "not a work"),
        ("https://fr.wikipedia.org/wiki/%C3%89diteur_de_texte", "no entry"),
        ("https://github.com/a/b", "no entry"),  # marked {.cite}
        ("https://doi.org/10.1038/nature14539", "not a work"),  # marked {.link}: not cited though in the .bib
        ("https://blog.example.net/2023/04/lire-lentement-est-un-art", "no entry"),
    ]
    assert len(report.unresolved) == 3
    warnings = _warnings(root)
    assert sum("has no entry" in w for w in warnings) == 3
    assert not any("zed" in w for w in warnings)


def test_links_keep_silences_work_warnings(project):
    root = project({"billet.md": BILLET.format(links="keep")})
    assert not any("has no entry" in w for w in _warnings(root))


TODO_BIB = """% stub
@online{wikipedia-lecture-rapide,
  title   = {lecture rapide},
  url     = {https://fr.wikipedia.org/wiki/Lecture_rapide},
  todo    = {author and date missing}
}
"""


def test_a_final_build_names_each_cited_unfinished_entry(project):
    text = """---
title: Court
date: 2024-05-01
lang: fr
---

Voir la [lecture rapide](https://fr.wikipedia.org/wiki/Lecture_rapide), puis [@wikipedia-lecture-rapide].
"""
    root = project({"essai.md": text}, bib={"todo.bib": TODO_BIB})
    warnings = [w for w in _warnings(root) if "todo" in w]
    assert warnings == ["manuscripts/essai.md:7: @wikipedia-lecture-rapide (bibliography/todo.bib:2) is cited but still "
                        "marked todo (author and date missing): it prints incomplete; complete the entry and "
                        "delete its todo field (for a linked work: or delete the stub and run make-book resolve)"]
    project_ = open_project(root)
    draft = prepare(project_, project_.manuscripts()[0], draft=True)
    resolve_references(draft, project_root=project_.root)
    assert not any("still marked todo" in w for w in draft.warnings)  # drafts mark it in the text instead


PARENT_BIB = """@book{k5,
  title     = {Un livre collectif},
  publisher = {Presses},
  year      = {2020},
  todo      = {ajouter l'ISBN},
}
@incollection{k4,
  author    = {Blanc, Zoé},
  title     = {Un chapitre},
  crossref  = {k5},
}
@xdata{editeur,
  publisher = {Presses},
  todo      = {vérifier la ville},
}
@book{k6,
  author = {Noir, Jean},
  title  = {Un livre},
  year   = {2021},
  xdata  = {editeur},
}
@incollection{k7,
  author   = {Roux, Léa},
  title    = {Un autre chapitre},
  crossref = {K5},
}
@book{k8,
  author = {Gris, Paul},
  title  = {Un livre complet},
  year   = {2022},
}
"""


@pytest.mark.parametrize("key, parent, line, todo", [
    ("k4", "k5", 1, "ajouter l'ISBN"),  # crossref
    ("k6", "editeur", 12, "vérifier la ville"),  # xdata
    ("k7", "k5", 1, "ajouter l'ISBN"),  # crossref written in another case
])
def test_a_cited_entry_inheriting_from_a_todo_parent_warns(project, key, parent, line, todo):
    text = f"---\ntitle: Court\ndate: 2024-05-01\nlang: fr\n---\n\nVoir [@{key}] et [@k8].\n"
    root = project({"essai.md": text}, bib={"refs.bib": PARENT_BIB})
    warnings = [w for w in _warnings(root) if "todo" in w]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"manuscripts/essai.md:7: @{key} (bibliography/refs.bib:")
    assert f"is cited but inherits from @{parent} (bibliography/refs.bib:{line}), still marked todo ({todo})" \
        in warnings[0]
