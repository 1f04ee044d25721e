"""Draw docs/bibliographies.png: one French and one English essay citing the same works, bibliographies side by side.

Run from the repository: python docs/bibliographies.py (needs pdftoppm, from poppler-utils).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline import build, open_project  # noqa: E402
from tests.test_citations_fr import BIB  # noqa: E402

TEXT = {
    "fr": "Un billet [@carnet2023], un logiciel [@outil2023, p. 4] et [voir @oeuvres1988, chap. 2; @woolf1992, "
          "p. 7-9]. Selon @aubert2001 [p. 4], et encore [-@brun2002, p. 12] ; une thèse [@roux2019].\n",
    "en": "A post [@carnet2023], a program [@outil2023, p. 4] and [see @oeuvres1988, chap. 2; @woolf1992, "
          "p. 7-9]. According to @aubert2001 [p. 4], and again [-@brun2002, p. 12]; a thesis [@roux2019].\n",
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "manuscripts").mkdir()
        (root / "bibliography").mkdir()
        (root / "bibliography" / "refs.bib").write_text(BIB, encoding="utf-8")
        for lang, body in TEXT.items():
            title = "Bibliographie" if lang == "fr" else "References"
            (root / "manuscripts" / f"{lang}.md").write_text(
                f"---\ntitle: {title}\nlang: {lang}\ndate: 2026-01-01\n---\n\n{body}", encoding="utf-8")
        results = build(open_project(root), formats=("pdf",))
        assert all(r.ok for r in results), [str(r.error) for r in results]
        pages = []
        for lang in TEXT:
            prefix = root / lang
            subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "2", "-l", "2", str(root / "dist" / f"{lang}.pdf"),
                            str(prefix)], check=True)
            pages.append(Image.open(next(root.glob(f"{lang}-*.png"))).convert("RGB"))
        gap = 24
        width = sum(p.width for p in pages) + gap * 3
        height = max(p.height for p in pages) + gap * 2
        sheet = Image.new("RGB", (width, height), (200, 200, 200))
        x = gap
        for page in pages:
            sheet.paste(page, (x, gap))
            x += page.width + gap
        target = Path(__file__).resolve().parent / "bibliographies.png"
        sheet.save(target, optimize=True)
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
