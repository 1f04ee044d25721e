"""make-book's speed and memory, measured against its targets. Prints ratios; takes a few minutes.

    python benchmarks/run.py            # everything
    python benchmarks/run.py --quick    # without the 400,000-word book

Each figure comes from fresh processes, as a writer would run them:
- cold build of each sample (PDF) against the bare toolchain on the same input
  and CSS (pandoc with citeproc to HTML, then WeasyPrint);
- no-op rebuild of the sample project against a cold build;
- generated manuscripts of 10,000 / 100,000 / 400,000 words: time and peak memory;
- eight manuscripts with -j 2 against -j 1;
- `make-book --help` start-up time.

Python's bytecode cache is left on, as it is by default on a writer's machine,
even if the calling shell turns it off (PYTHONDONTWRITEBYTECODE): pip compiled
the bare toolchain's modules when it installed them, while an editable install
of make-book is compiled on first use.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

BARE = r"""
import subprocess, sys, pypandoc
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
source, bib, css, lang, out = sys.argv[1:6]
html = subprocess.run([pypandoc.get_pandoc_path(), source, "-f", "markdown", "-t", "html5", "-s", "--citeproc",
                       "--bibliography", bib, "-M", f"lang={lang}", "-M", "link-citations=true"],
                      capture_output=True, check=True).stdout.decode()
fonts = FontConfiguration()
HTML(string=html, base_url=source).write_pdf(out, stylesheets=[CSS(filename=css, font_config=fonts)],
                                               font_config=fonts)
"""

# Peak memory of a build: the process and its children (pandoc), in MiB.
MEASURED = r"""
import resource, sys
from pipeline.cli import cli
try:
    cli(sys.argv[1:], prog_name="make-book", standalone_mode=False)
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"PEAK {max(own, children) / 1024:.0f}", file=sys.stderr)
"""

WORDS = ("lecture texte livre page marge note auteur lecteur modèle langue question réponse idée forme "
         "phrase paragraphe chapitre citation source histoire mémoire attention machine réseau sens "
         "temps monde travail raison regard voix main choix règle outil méthode").split()


def run(args: list[str], cwd: Path | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stderr


def best_of(n: int, args: list[str], cwd: Path | None = None) -> float:
    return min(run(args, cwd)[0] for _ in range(n))


def make_book(*args: str) -> list[str]:
    return [PYTHON, "-m", "pipeline", *args]


def sample_project(folder: Path) -> Path:
    for name in ("manuscripts", "bibliography"):
        shutil.copytree(REPO / name, folder / name)
    return folder


def generated(words: int, rng: random.Random, title: str) -> str:
    parts = [f"---\ntitle: {title}\ndate: 2026-01-01\nlang: fr\n---\n"]
    written = 0
    section = 0
    while written < words:
        if written % 1500 < 120:
            section += 1
            parts.append(f"\n## Partie {section}\n")
        sentence_count = rng.randint(3, 7)
        sentences = []
        for _ in range(sentence_count):
            length = rng.randint(8, 22)
            sentence = " ".join(rng.choice(WORDS) for _ in range(length))
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice([".", ".", ".", " ?", " !"]))
            written += length
        paragraph = " ".join(sentences)
        if rng.random() < 0.12:
            paragraph += f"[^n{written}]\n\n[^n{written}]: " + " ".join(rng.choice(WORDS) for _ in range(25)) + "."
        parts.append("\n" + paragraph + "\n")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="leave out the 400,000-word book")
    options = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = sample_project(tmp / "samples")
        css = REPO / "styles" / "book.css"
        bib = project / "bibliography" / "essais.bib"

        # 1. Cold build of each sample against the bare toolchain.
        for manuscript, lang in (("lire-avec-les-machines", "fr"), ("margins", "en")):
            source = project / "manuscripts" / f"{manuscript}.md"
            ours = best_of(3, make_book("build", manuscript, "--root", str(project), "--format", "pdf", "--force",
                                        "--out", str(tmp / "ours")))
            bare = best_of(3, [PYTHON, "-c", BARE, str(source), str(bib), str(css), lang, str(tmp / "bare.pdf")])
            rows.append((f"cold PDF build, {manuscript}", f"{ours:.2f} s vs bare {bare:.2f} s",
                         f"{ours / bare:.2f}× (target ≤ 1.15×)"))

        # 2. No-op rebuild against a cold build, whole sample project.
        cold = best_of(3, make_book("--root", str(project), "--force"))
        noop = best_of(5, make_book("--root", str(project)))
        rows.append(("no-op rebuild vs cold build (samples)", f"{noop:.2f} s vs {cold:.2f} s",
                     f"{noop / cold:.1%} (target < 5%)"))

        # 3. Generated manuscripts: time and peak memory.
        sizes = [10_000, 100_000] + ([] if options.quick else [400_000])
        rng = random.Random(2026)
        timings: dict[tuple[int, str], float] = {}
        for words in sizes:
            folder = tmp / f"gen{words}"
            (folder / "manuscripts").mkdir(parents=True)
            (folder / "bibliography").mkdir()
            (folder / "manuscripts" / "livre.md").write_text(generated(words, rng, f"Livre de {words} mots"),
                                                             encoding="utf-8")
            for fmt in ("pdf", "epub"):
                elapsed, stderr = run([PYTHON, "-c", MEASURED, "build", "--root", str(folder), "--format", fmt,
                                       "--force"])
                peak = next(line.split()[1] for line in stderr.splitlines() if line.startswith("PEAK"))
                timings[(words, fmt)] = elapsed
                rows.append((f"{words:,} words, {fmt.upper()}", f"{elapsed:.1f} s", f"peak {peak} MiB"))
        if 400_000 in sizes:
            for fmt in ("pdf", "epub"):
                ratio = timings[(400_000, fmt)] / timings[(100_000, fmt)]
                rows.append((f"400k / 100k words, {fmt.upper()}", f"{ratio:.2f}×", "target < 4.5× (linear: 4×)"))

        # 4. Eight manuscripts, -j 2 against -j 1.
        eight = tmp / "eight"
        (eight / "manuscripts").mkdir(parents=True)
        shutil.copytree(REPO / "bibliography", eight / "bibliography")
        for n in range(8):
            (eight / "manuscripts" / f"essai-{n}.md").write_text(generated(1500, rng, f"Essai {n}"), encoding="utf-8")
        one = best_of(2, make_book("--root", str(eight), "--force", "-j", "1"))
        two = best_of(2, make_book("--root", str(eight), "--force", "-j", "2"))
        rows.append(("8 manuscripts, -j 2 vs -j 1", f"{two:.1f} s vs {one:.1f} s", f"{two / one:.2f}× (target ≤ 0.6×)"))

        # 5. Start-up.
        help_times = [run(make_book("--help"))[0] for _ in range(7)]
        rows.append(("make-book --help", f"{statistics.median(help_times):.2f} s (median of 7)", "target < 0.3 s"))

    width = max(len(r[0]) for r in rows)
    middle = max(len(r[1]) for r in rows)
    for label, value, ratio in rows:
        print(f"{label.ljust(width)}  {value.ljust(middle)}  {ratio}")


if __name__ == "__main__":
    main()
