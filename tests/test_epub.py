"""The EPUB edition: valid (EPUBCheck), clean (our lint), navigable, accessible, reproducible."""

import shutil
import zipfile

import pytest

from pipeline import build, open_project

from .conftest import DATA, NS, SAMPLE_BIB, epub_names, epub_xml, run_epubcheck
from .epub_lint import lint_epub

NO_BIBLIOGRAPHY = "---\ntitle: Sans bibliographie\nlang: fr\n---\n\nUn texte sans citation.\n\n## Seule partie\n\nFin.\n"
ONE_SECTION = "---\ntitle: One Section\nlang: en\n---\n\n## The only section\n\nA text with a note.[^1]\n\n[^1]: The note.\n"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("books")
    (root / "manuscripts").mkdir()
    (root / "bibliography").mkdir()
    shutil.copy(DATA / "everything.md", root / "manuscripts")
    shutil.copy(DATA / "figure.png", root / "manuscripts")
    (root / "manuscripts" / "sans-bibliographie.md").write_text(NO_BIBLIOGRAPHY, encoding="utf-8")
    (root / "manuscripts" / "one-section.md").write_text(ONE_SECTION, encoding="utf-8")
    (root / "bibliography" / "refs.bib").write_text(SAMPLE_BIB, encoding="utf-8")
    results = build(open_project(root), formats=("epub",))
    assert all(r.ok for r in results), [str(r.error) for r in results]
    return root / "dist"


@pytest.mark.parametrize("name", ["everything", "sans-bibliographie", "one-section"])
def test_epubcheck_and_lint_find_nothing(books, name):
    epub = books / f"{name}.epub"
    assert run_epubcheck(epub) == []
    assert lint_epub(epub) == []


def test_samples_pass_the_lint(samples):
    for epub in samples.glob("*.epub"):
        assert lint_epub(epub) == []


def test_every_feature_is_in_its_place(books):
    epub = books / "everything.epub"
    names = epub_names(epub)
    assert {"EPUB/cover.xhtml", "EPUB/titlepage.xhtml", "EPUB/ch00.xhtml", "EPUB/ch01.xhtml", "EPUB/ch02.xhtml",
            "EPUB/bibliography.xhtml", "EPUB/nav.xhtml", "EPUB/toc.ncx", "EPUB/book.css"} <= set(names)
    assert any(n.startswith("EPUB/images/figure-") for n in names)
    first = epub_xml(epub, "EPUB/ch01.xhtml")
    assert first.find(".//x:ul", NS) is not None and first.find(".//x:ol", NS) is not None
    assert first.find(".//x:blockquote", NS) is not None
    assert first.find(".//x:p[@class='attribution']", NS) is not None
    assert first.find(".//x:table", NS) is not None and first.find(".//x:caption", NS) is not None
    figure = first.find(".//x:img", NS)
    assert figure.get("alt") == "Une figure dessinée pour le test" and figure.get("src").startswith("images/")
    assert first.find(".//x:aside[@class='marginnote']", NS) is not None
    assert first.find(".//x:pre/x:code", NS).text.startswith("du code ; avec des signes !")
    links = {a.get("href") for a in first.iter("{http://www.w3.org/1999/xhtml}a")}
    assert "https://blog.example.org/highlights/un-livre/" in links
    second = epub_xml(epub, "EPUB/ch02.xhtml")
    hrefs = {a.get("href") for a in second.iter("{http://www.w3.org/1999/xhtml}a")}
    assert "ch01.xhtml#premiere-partie" in hrefs
    assert "bibliography.xhtml#ref-lecun2015deep" in hrefs
    assert "mailto:anne@example.org" in hrefs
    opening = epub_xml(epub, "EPUB/ch00.xhtml")
    assert opening.find(".//x:h1", NS).text == "Tout ce qu’un livre peut contenir"
    assert "bibliography.xhtml#ref-eco1985lector" in {a.get("href") for a in opening.iter("{http://www.w3.org/1999/xhtml}a")}


def test_nav_landmarks_and_ncx(books):
    epub = books / "everything.epub"
    nav = epub_xml(epub, "EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    top = [li.find("x:a", NS).text for li in toc.findall("x:ol/x:li", NS)]
    assert top == ["Tout ce qu’un livre peut contenir", "Première partie", "Deuxième partie", "Bibliographie"]
    nested = toc.findall("x:ol/x:li", NS)[1].findall("x:ol/x:li/x:a", NS)
    assert [a.text for a in nested] == ["Une sous-partie"]
    landmarks = {a.get("{http://www.idpf.org/2007/ops}type"): (a.get("href"), a.text)
                 for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)}
    assert landmarks == {"cover": ("cover.xhtml", "Couverture"), "titlepage": ("titlepage.xhtml", "Page de titre"),
                         "bodymatter": ("ch00.xhtml", "Début du texte"),
                         "bibliography": ("bibliography.xhtml", "Bibliographie")}
    ncx = epub_xml(epub, "EPUB/toc.ncx")
    labels = [t.text for t in ncx.iterfind(".//ncx:navLabel/ncx:text", NS)]
    assert "Une sous-partie" in labels and "Deuxième partie" in labels


def test_metadata_and_accessibility(books):
    opf = epub_xml(books / "everything.epub", "EPUB/content.opf")
    meta = opf.find("opf:metadata", NS)
    assert [c.text for c in meta.findall("dc:creator", NS)] == ["Anne Bé", "Paul Cé"]
    assert meta.findtext("dc:description", namespaces=NS).startswith("Un texte de test")
    assert [s.text for s in meta.findall("dc:subject", NS)] == ["essai", "test"]
    props = {}
    for m in meta.findall("opf:meta[@property]", NS):
        props.setdefault(m.get("property"), []).append(m.text)
    assert props["schema:accessMode"] == ["textual", "visual"]
    assert props["schema:accessModeSufficient"] == ["textual"]
    assert set(props["schema:accessibilityFeature"]) == {"structuralNavigation", "tableOfContents", "readingOrder",
                                                        "alternativeText", "displayTransformability"}
    assert props["schema:accessibilityHazard"] == ["none"]
    assert props["schema:accessibilitySummary"][0].startswith("Texte structuré")
    cover = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert cover.get("href") == "images/cover.png" and cover.get("media-type") == "image/png"


def test_fonts_are_embedded_and_subset(books):
    from fontTools.ttLib import TTFont
    import io

    epub = books / "everything.epub"
    with zipfile.ZipFile(epub) as archive:
        fonts = [n for n in archive.namelist() if n.startswith("EPUB/fonts/")]
        assert len(fonts) == 4
        regular = TTFont(io.BytesIO(archive.read("EPUB/fonts/CharisSIL-Regular.ttf")))
        css = archive.read("EPUB/book.css").decode()
    glyphs = len(regular.getGlyphOrder())
    assert 100 < glyphs < 1000  # the full face has several thousand
    assert "é" in {chr(c) for c in regular.getBestCmap()}
    assert 'font-family: "Charis SIL"' in css and "px;" not in css.replace("1px solid", "").replace("2px solid", "")


def test_same_inputs_same_bytes(project, monkeypatch):
    root = project({"essai.md": "---\ntitle: Essai\nlang: fr\n---\n\n## Partie\n\nTexte [@eco1985lector].[^1]\n\n"
                               "[^1]: Note.\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    outputs = []
    for out in ("a", "b"):
        [result] = build(open_project(root), out=root / out)
        assert result.ok, result.error
        outputs.append(((root / out / "essai.epub").read_bytes(), (root / out / "essai.pdf").read_bytes()))
    assert outputs[0] == outputs[1]
    opf = epub_xml(root / "a" / "essai.epub", "EPUB/content.opf")
    assert opf.findtext(".//opf:meta[@property='dcterms:modified']", namespaces=NS) == "2023-11-14T22:13:20Z"
    with zipfile.ZipFile(root / "a" / "essai.epub") as archive:
        infos = archive.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}


def test_authors_cover_and_missing_alt_text(project):
    root = project({"essai.md": "---\ntitle: Essai\nlang: fr\ncover: manuscripts/cover.jpg\n---\n\nTexte.\n\n"
                               "![](figure.png)\n"})
    shutil.copy(DATA / "cover.jpg", root / "manuscripts")
    shutil.copy(DATA / "figure.png", root / "manuscripts")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    assert any("essai.md:9" in w and "no description (alt text)" in w for w in result.warnings)
    opf = epub_xml(root / "dist" / "essai.epub", "EPUB/content.opf")
    cover = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert cover.get("href") == "images/cover.jpg" and cover.get("media-type") == "image/jpeg"
    with zipfile.ZipFile(root / "dist" / "essai.epub") as archive:
        assert archive.read("EPUB/images/cover.jpg") == (DATA / "cover.jpg").read_bytes()


def test_an_abbreviation_is_never_split_at_its_hyphen(project):
    root = project({"essai.md": "---\ntitle: Essai\nlang: fr\n---\n\nLe texte, c.-à-d. la suite, en 52 av. J.-C., "
                               "peut-être vis-à-vis, et `c.-à-d.` en code.\n"})
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    text = "".join(epub_xml(root / "dist" / "essai.epub", "EPUB/ch00.xhtml").itertext())
    assert "c.\u2011à\u2011d.\u00a0la suite" in text and "J.\u2011C." in text  # no break after these hyphens
    assert "peut-être vis-à-vis" in text
    code = epub_xml(root / "dist" / "essai.epub", "EPUB/ch00.xhtml").find(".//x:code", NS)
    assert code.text == "c.-à-d."  # code is kept as written
