"""The session-end check (tests/readers.py) fails a run whose tests built an EPUB readers would meet badly.

A small inner pytest session builds three EPUBs: one fine, one spoilt (an image with no
text alternative, a line wider than a phone), and the same spoilt book marked as broken
on purpose. The inner run must fail, naming the test and each fault, and list what was
left out. Under pytest-xdist the controller checks the workers' books.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from .conftest import REPO, write
from .readers import FOLDER_MARK

INNER_TESTS = '''
import zipfile
from pathlib import Path

from pipeline import build, open_project
from tests.readers import not_for_readers


def make(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "manuscripts").mkdir(parents=True)
    (root / "bibliography").mkdir()
    (root / "manuscripts" / "essai.md").write_text("---\\ntitle: Essai\\nlang: fr\\n---\\n\\nTexte.\\n")
    [result] = build(open_project(root), formats=("epub",))
    assert result.ok, result.error
    return root / "dist" / "essai.epub"


def spoil(epub: Path) -> None:
    """An image without alt and a preformatted line wider than a phone, put in the chapter by hand."""
    with zipfile.ZipFile(epub) as archive:
        files = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(epub, "w") as archive:
        for info, data in files:
            if info.filename == "EPUB/ch00.xhtml":
                wide = "x" * 300
                data = data.replace(b"</section>", f'<p><img src="images/cover.png"/></p>'
                                    f'<pre style="white-space: pre">{wide}</pre></section>'.encode())
            archive.writestr(info, data)


def test_fine(tmp_path):
    make(tmp_path)


def test_spoilt(tmp_path):
    spoil(make(tmp_path))


def test_spoilt_on_purpose(tmp_path):
    epub = make(tmp_path)
    spoil(epub)
    not_for_readers(epub, "spoilt on purpose to see the check fail")
'''

MODES = [pytest.param([], id="one-process")]
if importlib.util.find_spec("xdist") is not None:  # the suite may run under xdist: then the controller checks
    MODES.append(pytest.param(["-n", "2"], id="xdist"))


@pytest.mark.parametrize("options", MODES)
def test_a_spoilt_epub_fails_the_run_naming_its_test(tmp_path, options):
    (tmp_path / FOLDER_MARK).write_text("an inner session's books, spoilt on purpose", encoding="utf-8")
    inner = tmp_path / "inner"
    write(inner / "conftest.py", "from tests.conftest import *  # noqa: F401,F403 (the suite's hooks)\n")
    write(inner / "test_inner.py", INNER_TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options,
                           f"--basetemp={tmp_path / 'basetemp'}", "--rootdir", str(inner), str(inner)],
                          cwd=inner, capture_output=True, text=True, timeout=1200,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "3 passed" in out  # every test passed: the check alone fails the run
    assert "2 distinct EPUBs of 3 files checked" in out, out
    failed = [line for line in out.splitlines() if line.startswith("FAILED ")]
    assert failed and all(line.startswith("FAILED test_inner.py::test_spoilt — ") for line in failed), out
    assert any("Ace image-alt (critical) in ch00.xhtml" in line for line in failed), out
    assert any("ch00.xhtml at 360x640: overflow: pre" in line for line in failed), out
    assert ("left out on purpose: essai.epub from test_inner.py::test_spoilt_on_purpose: "
            "spoilt on purpose to see the check fail") in out


def test_no_book_no_check(tmp_path):
    inner = tmp_path / "inner"
    write(inner / "conftest.py", "from tests.conftest import *  # noqa: F401,F403\n")
    write(inner / "test_inner.py", "def test_nothing():\n    pass\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"--basetemp={tmp_path / 'basetemp'}", "--rootdir", str(inner), str(inner)],
                          cwd=inner, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 distinct EPUBs of 0 files checked" in done.stdout
