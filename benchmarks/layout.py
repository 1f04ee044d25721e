"""The printed page, measured: hyphenation, loose lines, pages and build time per test essay.

    python benchmarks/layout.py                       # print the table
    python benchmarks/layout.py --save before.json    # keep the figures to compare later
    python benchmarks/layout.py --against before.json # print them beside earlier figures
    python benchmarks/layout.py --baseline 44a6e04    # measure that commit too, builds interleaved

On a shared, loaded machine only --baseline gives a fair time ratio: each
build of the baseline (a ``git archive`` of the commit, run through PYTHONPATH)
alternates with ours, and the best of three of each is kept.

For each test essay, from its PDF (``pdftotext -bbox-layout``, poppler-utils):
- hyphenated line-ends: lines ending with the hyphen WeasyPrint adds (U+2010),
  as a share of the text lines (lines of two words or more);
- longest run of hyphenated lines in a row;
- loose lines: lines whose word spaces are on average over twice the font's
  natural space; tight lines: under two thirds of it (TeX lets a space shrink
  by a third at most). The natural space is the text face's own (Charis SIL:
  600 units of 2048, 0.293 em), scaled to each line's type size, which is read
  from the height of its words' boxes (ascent + descent of the face); not a
  median of the document's spaces, which moves with the way lines are broken;
- pages, and the best of three cold PDF builds (seconds).

The issue's targets: at most 5% hyphenated line-ends on every essay, runs of at
most 2, and the French sample no more than 5% slower than before.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
AUTO_HYPHEN = "\u2010"
XHTML = "{http://www.w3.org/1999/xhtml}"

FRENCH = ("lecture texte livre page marge note auteur lecteur modèle langue question réponse idée forme "
          "phrase paragraphe chapitre citation source histoire mémoire attention machine réseau sens "
          "temps monde travail raison regard voix main choix règle outil méthode interprétation "
          "compréhension représentation particulièrement apprentissage transformation "
          "connaissance bibliothèque imprimerie typographie").split()
ENGLISH = ("reading text book page margin note author reader model language question answer idea form "
           "sentence paragraph chapter quotation source history memory attention machine network sense "
           "understanding representation particularly typesetting knowledge library printing "
           "interpretation transformation").split()


def generated(words: list[str], lang: str, count: int, seed: int) -> str:
    """An essay of ``count`` words with sections, notes, links and an address in the text."""
    rng = random.Random(seed)
    parts = [f"---\ntitle: Essai mesuré {lang}\ndate: 2026-01-01\nlang: {lang}\n---\n"]
    written = section = 0
    while written < count:
        if written % 900 < 80:
            section += 1
            parts.append(f"\n## {words[section % len(words)].capitalize()} {section}\n")
        sentences = []
        for _ in range(rng.randint(3, 6)):
            length = rng.randint(8, 24)
            sentence = " ".join(rng.choice(words) for _ in range(length))
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            written += length
        paragraph = " ".join(sentences)
        if rng.random() < 0.2:
            paragraph += f"[^n{written}]\n\n[^n{written}]: " + " ".join(rng.choice(words) for _ in range(30)) + "."
        if rng.random() < 0.1:
            paragraph += (f" See [the page](https://example.org/{rng.choice(words)}/{rng.choice(words)}"
                          f"-{rng.choice(words)}?id={written}&lang={lang}).")
        parts.append("\n" + paragraph + "\n")
    return "\n".join(parts)


def essays(folder: Path) -> dict[str, Path]:
    """Test projects, one manuscript each: name -> project root."""
    projects: dict[str, Path] = {}

    def project(name: str, text: str, bib: Path | None = None) -> None:
        root = folder / name
        (root / "manuscripts").mkdir(parents=True)
        (root / "bibliography").mkdir()
        if bib is not None:
            shutil.copy(bib, root / "bibliography" / bib.name)
        (root / "manuscripts" / f"{name}.md").write_text(text, encoding="utf-8")
        projects[name] = root

    bib = REPO / "bibliography" / "essais.bib"
    for name in ("lire-avec-les-machines", "margins"):
        project(name, (REPO / "manuscripts" / f"{name}.md").read_text(encoding="utf-8"), bib)
    everything = REPO / "tests" / "data" / "everything.md"
    if everything.exists():
        project("everything", everything.read_text(encoding="utf-8"), bib)
        for extra in ("figure.png", "cover.jpg"):
            if (everything.parent / extra).exists():
                shutil.copy(everything.parent / extra, folder / "everything" / "manuscripts" / extra)
    project("generated-fr", generated(FRENCH, "fr", 3000, 15))
    project("generated-en", generated(ENGLISH, "en", 3000, 16))
    return projects


def build_once(root: Path, name: str, out: Path, code: Path | None = None) -> float:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    started = time.perf_counter()
    proc = subprocess.run([PYTHON, "-m", "pipeline", "build", name, "--root", str(root), "--format", "pdf",
                           "--force", "--out", str(out)], capture_output=True, text=True, env=env, cwd=root)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"build of {name} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def space_per_height(font: Path = REPO / "styles" / "fonts" / "CharisSIL-Regular.ttf") -> float:
    """The face's natural word space as a share of the height pdftotext gives its words (ascent + descent)."""
    from fontTools.ttLib import TTFont

    with TTFont(font, lazy=True) as face:
        return face["hmtx"]["space"][0] / (face["hhea"].ascent - face["hhea"].descent)


def lines_of(pdf: Path) -> list[list[list[tuple[float, float, str, float]]]]:
    """Per block, per line, its words as (xMin, xMax, text, height), from pdftotext -bbox-layout."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    tree = ElementTree.fromstring(xml)
    blocks = []
    for block in tree.iter(f"{XHTML}block"):
        lines = []
        for line in block.iter(f"{XHTML}line"):
            words = [(float(w.get("xMin")), float(w.get("xMax")), w.text or "",
                      float(w.get("yMax")) - float(w.get("yMin"))) for w in line.iter(f"{XHTML}word")]
            if words:
                lines.append(words)
        blocks.append(lines)
    return blocks


def measure(pdf: Path) -> dict[str, float]:
    blocks = lines_of(pdf)
    space = space_per_height()
    text_lines = [line for block in blocks for line in block if len(line) >= 2]
    hyphenated = sum(1 for line in text_lines if line[-1][2].endswith(AUTO_HYPHEN))
    longest = 0
    for block in blocks:
        run = 0
        for line in block:
            run = run + 1 if line[-1][2].endswith(AUTO_HYPHEN) else 0
            longest = max(longest, run)
    loose = tight = 0
    for block in blocks:
        for line in block:  # a paragraph's last line keeps natural spaces: neither loose nor tight
            normal = space * statistics.median(word[3] for word in line)
            # a gap of under a quarter space is no word space: a note call or a sign set close to its word
            spaces = [gap for gap in (b[0] - a[1] for a, b in zip(line, line[1:])) if gap > normal / 4]
            if len(spaces) < 2 or max(spaces) > 10 * normal:  # a table row, a leader, a title spread out
                continue
            loose += statistics.mean(spaces) > 2 * normal
            tight += statistics.mean(spaces) < 2 / 3 * normal
    pages = int(next(l for l in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                check=True).stdout.splitlines() if l.startswith("Pages:")).split()[1])
    return {"lines": len(text_lines), "hyphenated": hyphenated,
            "hyphenated_pct": 100 * hyphenated / max(1, len(text_lines)), "longest_run": longest,
            "loose": loose, "tight": tight, "pages": pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--save", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--against", type=Path, help="compare with figures saved earlier")
    parser.add_argument("--keep", type=Path, help="copy the PDFs into this folder")
    parser.add_argument("--baseline", help="a git commit to measure as well, interleaved with ours")
    parser.add_argument("--runs", type=int, default=3, help="builds of each essay (the best time is kept)")
    parser.add_argument("--only", nargs="*", help="measure only these essays")
    options = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    results: dict[str, dict[str, float]] = {}
    baseline: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        code = None
        if options.baseline:
            code = Path(tmp) / "baseline"
            code.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", options.baseline], capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        for name, root in essays(Path(tmp)).items():
            if options.only and name not in options.only:
                continue
            ours, theirs = [], []
            for _ in range(options.runs):
                ours.append(build_once(root, name, Path(tmp) / "out" / name))
                if code is not None:
                    theirs.append(build_once(root, name, Path(tmp) / "base" / name, code))
            pdf = Path(tmp) / "out" / name / f"{name}.pdf"
            results[name] = {**measure(pdf), "seconds": min(ours)}
            if code is not None:
                baseline[name] = {**measure(Path(tmp) / "base" / name / f"{name}.pdf"), "seconds": min(theirs)}
            if options.keep:
                options.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(pdf, options.keep / pdf.name)
    before = baseline or (json.loads(options.against.read_text()) if options.against else {})
    header = (f"{'essay':24} {'lines':>5} {'hyph':>5} {'hyph %':>7} {'run':>4} {'loose':>5} {'tight':>5} "
              f"{'pages':>5} {'build s':>8}")
    print(header + ("   vs before: hyph % / run / loose / tight / pages / time" if before else ""))
    for name, r in results.items():
        row = (f"{name:24} {r['lines']:5d} {r['hyphenated']:5d} {r['hyphenated_pct']:6.1f}% {r['longest_run']:4d} "
               f"{r['loose']:5d} {r['tight']:5d} {r['pages']:5d} {r['seconds']:8.2f}")
        if name in before:
            b = before[name]
            row += (f"   {b['hyphenated_pct']:.1f}% / {b['longest_run']} / {b['loose']} / {b.get('tight', '-')} / "
                    f"{b['pages']} / {r['seconds'] / b['seconds']:.2f}×")
        print(row)
    if options.save:
        options.save.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
