"""A book of essays at book length, measured: cold build, one-chapter edit, memory, scaling.

    python benchmarks/book.py                 # 30 chapters, 100,000 words, 150 notes
    python benchmarks/book.py --words 400000  # the same book four times longer (600 notes)
    python benchmarks/book.py --keep DIR      # leave the generated project in DIR
    python benchmarks/book.py --scale 4       # and the book four times longer: the ratio of their CPU

It writes a generated French book (our own pseudo-text: chapters with sections,
notes, citations, links from one chapter to another) into a temporary project
and prints:
- bare: one WeasyPrint layout of the book's whole HTML
  (``HTML(string=...).write_pdf()`` with the house style), the yardstick;
- cold: the book's PDF built from nothing (``make-book build NAME --pdf``): the
  whole build, and its PDF stage alone (layout, join, folios);
- edit: the same after one word changed in chapter 12;
- the ratios the issue sets (PDF stage <= 1.0x bare, edit <= 0.4x cold), the
  peak resident memory of this process and of the largest worker
  (``resource.getrusage``), CPU seconds and the load average: the machine is shared,
  so wall times move with the load; CPU seconds do not.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORDS = ("lecture texte livre page marge note auteur lecteur modèle langue question réponse idée forme "
         "phrase paragraphe chapitre citation source histoire mémoire attention machine réseau sens "
         "temps monde travail raison regard voix main choix règle outil méthode interprétation "
         "compréhension représentation particulièrement apprentissage transformation connaissance "
         "bibliothèque imprimerie typographie de la le les des un une et dans pour avec sur qui que "
         "ne pas plus tout comme mais ou où donc aussi encore toujours").split()
KEYS = [f"auteur{n:02d}" for n in range(12)]


def bibliography() -> str:
    entries = []
    for n, key in enumerate(KEYS):
        entries.append(f"@book{{{key},\n  author = {{Nom{n}, Prénom}},\n  title = {{Un livre numéro {n}}},\n"
                       f"  publisher = {{Éditions {n}}},\n  address = {{Paris}},\n  year = {{{1990 + n}}},\n"
                       "  langid = {french}\n}\n")
    return "\n".join(entries)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + "."


def chapter(number: int, chapters: int, words: int, notes: int, rng: random.Random) -> str:
    """One essay of about ``words`` words, ``notes`` footnotes, sections, citations, a link to another essay."""
    out = [f"---\ntitle: Chapitre {number} de l’essai mesuré\ndate: 2026-01-{1 + number % 28:02d}\nlang: fr\n---\n"]
    written = 0
    note_at = sorted(rng.sample(range(max(notes * 3, 20)), notes))
    paragraph = 0
    footnotes = []
    section = 0
    while written < words:
        if paragraph % 9 == 0:
            section += 1
            out.append(f"## Section {section} du chapitre {number}\n")
        text = []
        while len(" ".join(text).split()) < rng.randint(60, 140):
            text.append(sentence(rng))
        if paragraph in note_at:
            label = f"n{len(footnotes) + 1}"
            text[0] = text[0][:-1] + f"[^{label}]."
            footnotes.append(f"[^{label}]: {sentence(rng)} {sentence(rng)}")
        if paragraph % 7 == 3:
            text.append(f"Voir [@{rng.choice(KEYS)}, p. {rng.randint(3, 300)}].")
        if paragraph == 5 and number % 5 == 0:
            other = (number + 11) % chapters + 1
            text.append(f"Le [chapitre {other}](ch{other:02d}.md) y revient.")
        out.append(" ".join(text) + "\n")
        written += len(" ".join(text).split())
        paragraph += 1
    while len(footnotes) < notes:  # a short chapter still carries its notes
        label = f"n{len(footnotes) + 1}"
        out.append(f"Une dernière remarque[^{label}].\n")
        footnotes.append(f"[^{label}]: {sentence(rng)}")
    return "\n".join(out + footnotes) + "\n"


def write_project(root: Path, words: int, chapters: int = 30, notes: int = 150) -> None:
    rng = random.Random(19)
    (root / "manuscripts").mkdir(parents=True)
    (root / "bibliography").mkdir()
    (root / "bibliography" / "livres.bib").write_text(bibliography(), encoding="utf-8")
    per_chapter_notes = [notes // chapters + (1 if n < notes % chapters else 0) for n in range(chapters)]
    for n in range(1, chapters + 1):
        text = chapter(n, chapters, words // chapters, per_chapter_notes[n - 1], rng)
        (root / "manuscripts" / f"ch{n:02d}.md").write_text(text, encoding="utf-8")
    names = ", ".join(f'"ch{n:02d}"' for n in range(1, chapters + 1))
    (root / "make-book.toml").write_text(f'[books.banc]\ntitle = "Banc d’essai"\nauthor = "Anne Bé"\n'
                                         f'lang = "fr"\nchapters = [{names}]\n', encoding="utf-8")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Timer:
    """Wall and CPU seconds (this process and its finished children) of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--chapters", type=int, default=30)
    parser.add_argument("--notes", type=int, help="footnotes in the book (default: 150 per 100,000 words)")
    parser.add_argument("--keep", type=Path, help="write the project here and keep it")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare layout (the slow yardstick)")
    parser.add_argument("--no-edit", action="store_true", help="skip the one-chapter edit build")
    parser.add_argument("--scale", type=int, metavar="N",
                        help="also build the book N times longer from nothing and print the ratio of the PDF "
                             "stages' CPU (the issue: N = 4, 400,000 words, ratio <= 4.2)")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    if args.notes is None:  # a longer book of the same essays has as many notes per page
        args.notes = round(150 * args.words / 100_000)

    from pipeline import build, open_project
    from pipeline.books import layout
    from pipeline.editions.pdf import book_html

    root = args.keep or Path(tempfile.mkdtemp(prefix="book-bench-"))
    if args.keep and root.exists():
        shutil.rmtree(root)
    write_project(root, args.words, args.chapters, args.notes)

    captured: dict = {}
    original = layout.write_book_pdf

    def timed(rendered, target, **options):
        started, cpu = time.perf_counter(), time.process_time()
        pages = original(rendered, target, **options)
        captured["rendered"], captured["seconds"], captured["pages"] = rendered, time.perf_counter() - started, pages
        captured["main_cpu"] = time.process_time() - cpu  # splitting, joining, stamping: this process's share
        return pages

    layout.write_book_pdf = timed

    class Stats(logging.Handler):
        def emit(self, record):
            if hasattr(record, "layout_stats"):
                captured["stats"] = record.layout_stats

    logging.getLogger("pipeline.books.layout").addHandler(Stats())
    logging.getLogger("pipeline.books.layout").setLevel(logging.INFO)

    def run(label: str, root: Path = root) -> dict:
        with Timer() as timer:
            (result,) = build(open_project(root), ["banc"], formats=("pdf",))
        assert result.ok, result.error
        figures = {"wall": timer.wall, "pdf": captured["seconds"], "main_cpu": captured["main_cpu"], **captured["stats"]}
        figures["pdf_cpu"] = figures["main_cpu"] + figures["worker_cpu"]
        # Workers are children of the forkserver, not of this process: they report their own CPU time.
        figures["cpu"] = timer.cpu + figures["worker_cpu"]
        print(f"{label:<6} build {timer.wall:6.1f} s (cpu {figures['cpu']:6.1f} s, of which layout workers "
              f"{figures['worker_cpu']:5.1f} s)  pdf stage {captured['seconds']:6.1f} s (cpu {figures['pdf_cpu']:5.1f} s: "
              f"main {figures['main_cpu']:4.1f} s + workers)  "
              f"pages {captured['pages']}  laid out {len(figures['laid_out'])} of {figures['pieces']} pieces "
              f"({figures['layouts']} layouts: {', '.join(figures['laid_out'][:8])})", flush=True)
        return figures

    print(f"book: {args.chapters} chapters, {args.words} words, {args.notes} notes, in {root}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    cold = run("cold")
    target = root / "manuscripts" / "ch12.md"
    target.write_text(target.read_text(encoding="utf-8").replace("Section 2 du", "Section deux du", 1),
                      encoding="utf-8")
    edit = None if args.no_edit else run("edit")

    bare = None
    if not args.no_bare:
        from weasyprint import CSS, HTML

        html = book_html(captured["rendered"])
        with Timer() as timer:
            HTML(string=html, base_url=str(root)).write_pdf(stylesheets=[CSS(filename=str(REPO / "styles" / "book.css"))])
        bare = timer
        print(f"bare   layout {bare.wall:6.1f} s (cpu {bare.cpu:6.1f} s)", flush=True)

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers = max(cold.get("worker_peak_mb", 0), (edit or {}).get("worker_peak_mb", 0))
    print(f"peak RSS: this process {own:.0f} MB, largest layout worker {workers:.0f} MB, other children "
          f"(pandoc) {children:.0f} MB; bound for the whole build {own + 2 * workers + children:.0f} MB (goal < 1536)")
    if bare is not None:
        print(f"ratio  cold PDF stage / bare = {cold['pdf'] / bare.wall:.2f} (goal <= 1.0); "
              f"whole cold build / bare = {cold['wall'] / bare.wall:.2f}; "
              f"PDF stage CPU (workers + main) / bare CPU = {cold['pdf_cpu'] / bare.cpu:.2f} (goal <= 1.0)")
    if edit is not None:
        print(f"ratio  edit / cold: PDF stage {edit['pdf'] / cold['pdf']:.2f}, whole build "
              f"{edit['wall'] / cold['wall']:.2f} (goal <= 0.4)")
    if args.scale:
        longer = Path(tempfile.mkdtemp(prefix="book-bench-longer-"))
        write_project(longer, args.words * args.scale, args.chapters, args.notes * args.scale)
        print(f"book {args.scale}x: {args.words * args.scale} words, {args.notes * args.scale} notes", flush=True)
        scaled = run(f"{args.scale}x", longer)
        shutil.rmtree(longer, ignore_errors=True)
        print(f"ratio  {args.scale}x book / book, PDF stage CPU = {scaled['pdf_cpu'] / cold['pdf_cpu']:.2f} "
              f"(goal <= {1.05 * args.scale:.1f}); pages {scaled['pages'] / cold['pages']:.2f}x")
    print(f"load average now {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
