"""Faults: builds killed at random moments, two builds at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from pypdf import PdfReader

from .conftest import write

ESSAY = "---\ntitle: Essai {n}\nlang: fr\n---\n\n## Partie\n\n" + ("Un paragraphe de texte assez long. " * 60) + "\n"


def make_project(root: Path, count: int = 3) -> None:
    for n in range(count):
        write(root / "manuscripts" / f"essai-{n}.md", ESSAY.format(n=n))
    (root / "bibliography").mkdir(parents=True, exist_ok=True)


def start_build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "build", "--root", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def assert_editions_whole(dist: Path) -> None:
    for pdf in dist.glob("*.pdf"):
        assert len(PdfReader(str(pdf)).pages) >= 1, pdf
    for epub in dist.glob("*.epub"):
        with zipfile.ZipFile(epub) as archive:
            assert archive.testzip() is None, epub
            assert archive.namelist()[0] == "mimetype"


def test_killed_builds_never_leave_a_broken_edition(tmp_path):
    root = tmp_path / "book"
    make_project(root)
    first = start_build(root)
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    good = {p.name: p.read_bytes() for p in (root / "dist").glob("essai-*")}
    assert len(good) == 6
    rng = random.Random(11)
    for attempt in range(5):
        for n in range(3):  # change every manuscript so that each edition is rewritten
            write(root / "manuscripts" / f"essai-{n}.md", ESSAY.format(n=f"{n} v{attempt}"))
        process = start_build(root)
        time.sleep(rng.uniform(0.4, 4.0))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        dist = root / "dist"
        assert {p.name for p in dist.glob("essai-*")} == set(good), "an edition disappeared"
        assert_editions_whole(dist)
    final = start_build(root)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode()
    assert_editions_whole(root / "dist")
    assert not list((root / "dist").glob(".*.part"))
    assert "Essai 2 v4" in PdfReader(str(root / "dist" / "essai-2.pdf")).pages[0].extract_text()


def test_two_builds_at_once_both_finish(tmp_path):
    root = tmp_path / "book"
    make_project(root, count=2)
    first, second = start_build(root), start_build(root)
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    assert second.wait(timeout=300) == 0, second.stderr.read().decode()
    assert len(list((root / "dist").glob("essai-*"))) == 4
    assert_editions_whole(root / "dist")
