"""The spelling check, measured: errors caught, false alarms, and time for 10,000 words.

    python benchmarks/spelling.py

Prints:
- recall on the planted-error text (tests/data/spelling: 2,000 words of French
  with an English quotation, 40 planted errors of six kinds), with Hunspell
  and Grammalecte, and with Hunspell alone — per kind, and the misses;
- false alarms per 1,000 words on the project's two samples, without the
  project's word list (every finding there is a false alarm);
- the time to check 10,000 words in a fresh process, cold (no cache) and warm
  (the cache of a first run in the output folder), against the 2 s goal.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.project import open_project  # noqa: E402
from pipeline.spelling import check_spelling  # noqa: E402
from pipeline.spelling.hunspell import Hunspell  # noqa: E402
from pipeline.spelling.repeats import Repeats  # noqa: E402
from tests.spelling_corpus import PLANTED_TEXT, planted_errors, score  # noqa: E402

GOAL_SECONDS = 2.0


def recall(root: Path, engines, label: str) -> None:
    (report,) = check_spelling(open_project(root), engines=engines)
    caught, missed, false = score(report.findings)
    total = len(planted_errors())
    kinds = Counter(p.kind for p in planted_errors())
    got = Counter(p.kind for p in caught)
    print(f"{label}: {len(caught)}/{total} caught = {len(caught) / total:.0%}; "
          f"{len(false)} other finding(s) on {report.words} words")
    print("   by kind: " + ", ".join(f"{kind} {got[kind]}/{kinds[kind]}" for kind in sorted(kinds)))
    if missed:
        print("   missed: " + ", ".join(f"{m.text!r} (l. {m.line}, {m.kind})" for m in missed))


def false_alarms() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in ("manuscripts", "bibliography"):
            shutil.copytree(REPO / name, root / name)
        reports = check_spelling(open_project(root))
    words = sum(r.words for r in reports)
    alarms = [f for r in reports for f in r.findings]
    print(f"samples without the word list: {len(alarms)} finding(s) on {words} words = "
          f"{len(alarms) * 1000 / words:.2f} per 1,000 words (goal: ≤ 1)")
    for finding in alarms:
        print(f"   {finding.format()}")


def ten_thousand_words() -> None:
    body = PLANTED_TEXT.read_text(encoding="utf-8").split("---\n", 2)[2]
    samples = [(REPO / "manuscripts" / n).read_text(encoding="utf-8").split("---\n", 2)[2]
               for n in ("lire-avec-les-machines.md",)]
    parts, words, index = [], 0, 0
    while words < 10_000:
        index += 1
        piece = (body if index % 2 else samples[0]).replace("## ", f"## {index}. ")
        parts.append(piece)
        words += len(piece.split())
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "manuscripts").mkdir()
        (root / "dist").mkdir()
        text = "---\ntitle: Dix mille mots\nlang: fr\n---\n\n" + "\n\n".join(parts)
        (root / "manuscripts" / "long.md").write_text(text, encoding="utf-8")
        times = []
        for _ in range(3):  # cold, then warm twice
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pipeline", "spell", "--root", str(root)], check=True,
                           capture_output=True)
            times.append(time.perf_counter() - started)
    warm = min(times[1:])
    print(f"10,000 words ({words} counted by spaces): cold {times[0]:.2f} s, warm {warm:.2f} s "
          f"= {warm / GOAL_SECONDS:.2f}× the {GOAL_SECONDS:.0f} s goal")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "manuscripts").mkdir()
        shutil.copy(PLANTED_TEXT, root / "manuscripts" / "planted.md")
        recall(root, None, "Hunspell + Grammalecte")
        recall(root, [Hunspell(), Repeats()], "Hunspell alone (with doubled words)")
    false_alarms()
    ten_thousand_words()


if __name__ == "__main__":
    main()
