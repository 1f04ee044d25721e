"""Images where blogs keep them: page bundles, static folders, root-relative addresses, raw <img>;
every missing one reported at once; local video and audio."""

from __future__ import annotations

import shutil

import pytest

from pipeline import open_project
from pipeline.builder import prepare
from pipeline.errors import ManuscriptError
from pipeline.references.citations import resolve_references
from pipeline.render import render_html
from pipeline.sanitize import sanitize
from pipeline.sources.images import report_missing_images

from .conftest import DATA, write

HEAD = "---\ntitle: Images\ndate: 2024-01-02\nlang: fr\n---\n\n"


def settle(root, name, *, draft=False):
    """Steps 1 to 6 of a build, without laying out an edition: the document and its HTML body."""
    project = open_project(root)
    path = project.resolve_manuscript(name)
    document = prepare(project, path, draft=draft)
    resolve_references(document, project_root=project.root)
    rendered = render_html(document)
    sanitize(rendered.body, document, project.root)
    report_missing_images(document)
    return document, rendered.body


@pytest.fixture
def blog(tmp_path):
    root = tmp_path / "blog"
    for place in ("manuscripts/bundle/port.png", "static/img/quai.png", "assets/images/phare.png",
                  "manuscripts/pres.png"):
        (root / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / "figure.png", root / place)
    write(root / "bibliography" / "refs.bib", "")
    return root


def test_images_found_where_blogs_keep_them(blog):
    write(blog / "manuscripts" / "bundle" / "index.md", HEAD +
          "![Le port](port.png)\n\n![Le quai](/img/quai.png)\n\n![Le phare](/images/phare.png)\n\n"
          '<img src="/img/quai.png" alt="Le quai encore">\n\n![Près](../pres.png)\n')
    project = open_project(blog)
    assert [p.relative_to(blog).as_posix() for p in project.manuscripts()] == ["manuscripts/bundle/index.md"]
    document, body = settle(blog, "bundle")
    sources = sorted({img.get("src") for img in body.iter("img")})
    assert sources == sorted(str((blog / p).resolve()) for p in (
        "manuscripts/bundle/port.png", "static/img/quai.png", "assets/images/phare.png", "manuscripts/pres.png"))
    assert document.manuscript.slug == "bundle"


def test_every_missing_image_in_one_error_with_lines_and_places(blog):
    write(blog / "manuscripts" / "billet.md", HEAD +
          "![A](a.png)\n\nTexte.\n\n![B](/img/b.png)\n\n<img src=\"/img/c.png\" alt=\"C\">\n")
    with pytest.raises(ManuscriptError) as info:
        settle(blog, "billet")
    message = info.value.message
    assert message.startswith("3 images not found")
    assert "line 7: 'a.png' (looked in manuscripts/a.png, a.png, static/a.png, assets/a.png)" in message
    assert "line 11: '/img/b.png' (looked in static/img/b.png, assets/img/b.png, img/b.png, manuscripts/img/b.png)" \
        in message
    assert "line 13: '/img/c.png'" in message
    assert info.value.line == 7 and "static_dirs" in info.value.hint


def test_a_draft_prints_framed_placeholders(blog):
    write(blog / "manuscripts" / "billet.md", HEAD + "![A](a.png)\n\n<img src=\"/img/c.png\" alt=\"C\">\n")
    document, body = settle(blog, "billet", draft=True)
    frames = [span.text_content() for span in body.iter("span") if "missing-image" in (span.get("class") or "")]
    assert frames == ["image manquante : a.png", "image manquante : /img/c.png"]
    assert [c.text for s in body.iter("span") if "missing-image" in (s.get("class") or "") for c in s.iter("code")] \
        == ["a.png", "/img/c.png"]  # the name as code: never spell-checked nor typeset
    assert sum("not found" in w for w in document.warnings) == 2


def test_static_dirs_setting_and_containment(blog):
    (blog / "public" / "img").mkdir(parents=True)
    shutil.copy(DATA / "figure.png", blog / "public" / "img" / "x.png")
    write(blog / "manuscripts" / "billet.md", HEAD + "![X](/img/x.png)\n")
    write(blog / "make-book.toml", 'static_dirs = ["public"]\n')
    _, body = settle(blog, "billet")
    assert [img.get("src") for img in body.iter("img")] == [str((blog / "public/img/x.png").resolve())]
    write(blog / "make-book.toml", 'static_dirs = ["../elsewhere"]\n')
    with pytest.raises(Exception, match="outside the project"):
        settle(blog, "billet")


def test_local_video_and_audio_are_not_external(blog):
    write(blog / "manuscripts" / "billet.md", HEAD +
          '<video src="clip.mp4" poster="pres.png" controls></video>\n\n<audio controls><source src="son.mp3"></audio>\n')
    document, body = settle(blog, "billet")
    assert [img.get("alt") for img in body.iter("img")] == ["Vidéo : clip.mp4"]
    assert [s.text_content() for s in body.iter("span") if "media" in (s.get("class") or "")] == ["Audio : son.mp3"]
    assert not any("external" in w for w in document.warnings)
    assert sum("cannot play in a book" in w for w in document.warnings) == 2
