"""A newcomer's first hour, scripted: the commands of the README in a new folder, then the usual mistakes.

Each step runs ``make-book`` as a separate process in the folder, as a person types it, and checks the
exit status and the key words of what it prints.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

POST = """\
---
title: "Lire lentement"
date: 2024-05-01
lang: fr
tags: ["lecture", "outils"]
draft: false
---

Il faut lire lentement, disait-on [@eco1985lector, p. 27].

Un article récent le montre : [la lecture profonde](https://doi.org/10.1000/lecture.2020.7).

## Une méthode

Relire chaque page deux fois.
"""

BIB = """\
@book{eco1985lector,
  author = {Eco, Umberto},
  title = {Lector in fabula},
  publisher = {Grasset},
  address = {Paris},
  year = {1985}
}
"""


def make_book(folder: Path, *args: str, code: int = 0, says: tuple[str, ...] = ()) -> str:
    """Run ``make-book ARGS`` in ``folder``; check its exit status and words; return what it printed."""
    done = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=folder, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "COLUMNS": "120"})
    output = done.stdout + done.stderr
    assert done.returncode == code, f"make-book {' '.join(args)} exited {done.returncode}:\n{output}"
    for words in says:
        assert words in output, f"{words!r} not in the output of make-book {' '.join(args)}:\n{output}"
    assert "Traceback" not in output and "internal error" not in output, output
    return output


def test_a_newcomers_first_hour(tmp_path):
    home = tmp_path / "mes-essais"
    home.mkdir()
    dist = home / "dist"

    # Before anything: every command says what to do, none crashes.
    make_book(home, "refs", code=1, says=("not a make-book project", 'make-book new "Title"'))
    make_book(home, "check", code=1, says=("not a make-book project",))
    make_book(home, "shelf", says=("wrote dist/index.html",))
    assert "No editions yet" in (dist / "index.html").read_text(encoding="utf-8")

    # new, then a build of the essay exactly as new wrote it.
    make_book(home, "new", "Lire lentement", says=("created manuscripts/lire-lentement.md", "bibliography/"))
    make_book(home, says=("built lire-lentement.md", "dist/lire-lentement.pdf", "dist/lire-lentement.epub",
                          "1 built, 0 up to date, 0 failed", "shelf: dist/index.html"))

    # The newcomer's own post: a citation and a link to a work the bibliography lacks.
    (home / "manuscripts" / "lire-lentement.md").write_text(POST, encoding="utf-8")
    (home / "bibliography" / "refs.bib").write_text(BIB, encoding="utf-8")
    output = make_book(home, says=("built lire-lentement.md", "lire-lentement.md:11", "no entry in the bibliography"))
    # Nothing changed: the warning is said again, so a CI log always carries it.
    make_book(home, says=("up to date lire-lentement.md", "lire-lentement.md:11", "from the last build"))
    assert output.count("lang not set") == 0

    make_book(home, "refs", says=("manuscripts/lire-lentement.md", "@eco1985lector", "no entry",
                                  "2 reference(s), 1 unresolved"))
    make_book(home, "refs", "--stubs", "bibliography/todo.bib",
              says=("1 stub(s) added to bibliography/todo.bib", "[stub]"))
    assert "todo" in (home / "bibliography" / "todo.bib").read_text(encoding="utf-8")
    make_book(home, "check", says=("bibliography/todo.bib:", "stub still to be completed", "0 error(s)"))

    # A draft: its own files, the final ones untouched; marked on the shelf, gone from it after a final build.
    final = (dist / "lire-lentement.pdf").read_bytes()
    make_book(home, "--draft", says=("built draft of lire-lentement.md", "dist/lire-lentement.draft.pdf"))
    assert (dist / "lire-lentement.pdf").read_bytes() == final
    assert 'class="draft"' in (dist / "index.html").read_text(encoding="utf-8")
    make_book(home, "shelf", says=("wrote dist/index.html",))
    assert ".draft." not in (dist / "index.html").read_text(encoding="utf-8")

    # watch: one edit rebuilds and refreshes the shelf; Ctrl-C ends it with one line and status 0.
    # PYTHONFAULTHANDLER: if the watcher ever hangs, SIGABRT makes it print every thread's stack (below).
    watch = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", "--format", "epub"], cwd=home,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    lines: list[str] = []
    try:
        def wait_for(text: str) -> None:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                line = watch.stdout.readline()
                if not line:
                    break
                lines.append(line)
                if text in line:
                    return
            raise AssertionError(f"{text!r} not seen in {lines}")

        wait_for("lire-lentement.md: rebuilt")  # the first build (EPUB only: another option set)
        shelf_before = (dist / "index.html").stat().st_mtime_ns
        with open(home / "manuscripts" / "lire-lentement.md", "a", encoding="utf-8") as stream:
            stream.write("\nUne phrase ajoutée.\n")
        wait_for("lire-lentement.md: rebuilt")
        deadline = time.monotonic() + 60
        while (dist / "index.html").stat().st_mtime_ns == shelf_before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (dist / "index.html").stat().st_mtime_ns != shelf_before, "the shelf was not refreshed"
        watch.send_signal(signal.SIGINT)
        try:
            rest, _ = watch.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            # Seen in 2 full runs on a loaded machine, never alone (cause not found yet): a person presses
            # Ctrl-C again; if that is not heard either, SIGABRT makes it print where each thread is.
            watch.send_signal(signal.SIGINT)
            try:
                rest, _ = watch.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                watch.send_signal(signal.SIGABRT)
                stacks, _ = watch.communicate(timeout=60)
                raise AssertionError(f"watch did not stop after two Ctrl-C; its threads:\n{stacks}") from None
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
    assert watch.returncode == 0, rest
    assert rest.strip().splitlines() == ["stopped watching"], rest
    assert "Aborted" not in rest and "Traceback" not in rest

    # The usual mistakes: each a clear message, the right status, nothing lost.
    make_book(home, "chek", code=2, says=("no command 'chek': did you mean 'check'?",))
    make_book(home, "buidl", code=2, says=("did you mean 'build'?",))
    make_book(home, "lire-lentemnt", code=1, says=("no manuscript called 'lire-lentemnt'",
                                                   "did you mean 'lire-lentement'?"))
    make_book(home, "--format", "docx", code=2, says=("docx",))
    make_book(home, "--root", "ailleurs", code=1, says=("'ailleurs' does not exist",))
    make_book(tmp_path, "--root", "mes-essais", "refs", says=("mes-essais/manuscripts/lire-lentement.md",))
    make_book(tmp_path, "refs", "--root", "mes-essais", says=("mes-essais/manuscripts/lire-lentement.md",))
    good = (dist / "lire-lentement.pdf").read_bytes()
    post = home / "manuscripts" / "lire-lentement.md"
    post.write_text(POST.replace('title: "Lire lentement"', 'title: "Lire lentement'), encoding="utf-8")
    make_book(home, code=1, says=("manuscripts/lire-lentement.md:2", "never closed", 'title: "Lire lentement"'))
    post.write_text(POST.replace("lang: fr", "lang: fr\n\tauthor: Moi"), encoding="utf-8")
    make_book(home, code=1, says=("manuscripts/lire-lentement.md:5", "indent with spaces"))
    post.write_text(POST.replace("@eco1985lector", "@eco1958lector"), encoding="utf-8")
    make_book(home, code=1, says=("lire-lentement.md:9", "@eco1958lector", "did you mean @eco1985lector?"))
    assert (dist / "lire-lentement.pdf").read_bytes() == good  # a failed build keeps the good edition
