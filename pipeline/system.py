"""What make-book needs from the machine beyond Python packages, and how to get it.

WeasyPrint draws text with Pango and HarfBuzz, system libraries pip cannot
install; the tests run EPUBCheck (Java), load pages in Chromium and render PDF
pages with poppler. This module finds what is missing and names the command
that installs it on Debian/Ubuntu, Fedora and macOS. It uses only the standard
library, so ``install.sh`` runs it with the system's Python before anything is
installed:

    python3 -m pipeline.system check            # exit 1 with one message if something is missing
    python3 -m pipeline.system install --tests  # install what is missing (apt-get, dnf or brew), else that message
"""

from __future__ import annotations

import argparse
import ctypes.util
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class Requirement:
    """One thing the machine must have: ``found()`` says whether it does; packages per system."""

    name: str
    why: str
    found: Callable[[], bool]
    debian: tuple[str, ...]
    fedora: tuple[str, ...]
    macos: tuple[str, ...]
    for_tests: bool = False  # needed by the test suite only, not to build editions


def _library(*names: str) -> Callable[[], bool]:
    return lambda: all(ctypes.util.find_library(name) for name in names)


def _program(*names: str) -> Callable[[], bool]:
    return lambda: any(shutil.which(name) for name in names)


def _dictionaries(*langs: str) -> Callable[[], bool]:
    folders = (Path("/usr/share/hunspell"), Path("/usr/share/myspell/dicts"), Path("/usr/share/myspell"),
               Path.home() / "Library" / "Spelling", Path("/opt/homebrew/share/hunspell"))
    return lambda: all(any(next(folder.glob(f"{lang}*.dic"), None) for folder in folders if folder.is_dir())
                       for lang in langs)


def _font(family: str) -> Callable[[], bool]:
    def found() -> bool:
        fc_list = shutil.which("fc-list")
        if fc_list is None:
            return False
        listed = subprocess.run([fc_list, f":family={family}", "family"], capture_output=True, text=True)
        return bool(listed.stdout.strip())

    return found


def _java() -> bool:
    """A Java runtime that starts (macOS has a /usr/bin/java stub that only says none is installed)."""
    java = shutil.which("java")
    if java is None:
        return False
    try:
        return subprocess.run([java, "-version"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


REQUIREMENTS = (
    Requirement("python3-venv", "creates make-book's virtual environment",
                lambda: importlib.util.find_spec("ensurepip") is not None,
                ("python3-venv",), ("python3",), ("python",)),
    Requirement("Pango", "lays out text for WeasyPrint (the PDF)", _library("pango-1.0", "pangoft2-1.0"),
                ("libpango-1.0-0", "libpangoft2-1.0-0"), ("pango",), ("pango",)),
    Requirement("HarfBuzz subset", "embeds only the glyphs used in the PDF's fonts", _library("harfbuzz-subset"),
                ("libharfbuzz-subset0",), ("harfbuzz",), ("harfbuzz",)),
    Requirement("Java", "runs EPUBCheck in the tests", _java,
                ("default-jre-headless",), ("java-21-openjdk-headless",), ("openjdk",), for_tests=True),
    Requirement("Chromium", "opens the shelf page and runs DAISY Ace in the tests",
                _program("chromium", "chromium-browser", "google-chrome"),
                ("chromium",), ("chromium",), ("--cask", "chromium"), for_tests=True),
    Requirement("poppler", "renders PDF pages to images in the tests (pdftoppm)", _program("pdftoppm"),
                ("poppler-utils",), ("poppler-utils",), ("poppler",), for_tests=True),
    Requirement("Node.js", "runs DAISY Ace (EPUB accessibility) in the tests", _program("npm"),
                ("nodejs", "npm"), ("nodejs", "npm"), ("node",), for_tests=True),
    Requirement("Enchant", "reads Hunspell dictionaries for make-book spell", _library("enchant-2"),
                ("libenchant-2-2",), ("enchant2",), ("enchant",), for_tests=True),
    Requirement("Hunspell dictionaries", "French and English words for make-book spell", _dictionaries("fr", "en"),
                ("hunspell-fr", "hunspell-en-us", "hunspell-en-gb"), ("hunspell-fr", "hunspell-en-US", "hunspell-en-GB"),
                ("hunspell",), for_tests=True),
    Requirement("Grammalecte", "French grammar for make-book spell", _program("grammalecte-cli"),
                ("grammalecte-cli",), (), (), for_tests=True),
    Requirement("Noto Color Emoji", "draws emoji the house font lacks", _font("Noto Color Emoji"),
                ("fonts-noto-color-emoji", "fontconfig"), ("google-noto-color-emoji-fonts",), (), for_tests=True),
)


def missing(*, tests: bool = False) -> list[Requirement]:
    """The requirements this machine lacks: to build, and with ``tests`` to run the tests too."""
    return [r for r in REQUIREMENTS if (tests or not r.for_tests) and not r.found()]


def install_commands(requirements: list[Requirement]) -> dict[str, str]:
    """The command installing ``requirements`` on each system: {"Debian/Ubuntu": "sudo apt-get install …", …}."""
    def packages(field: str) -> str:
        seen: list[str] = []
        for requirement in requirements:
            seen += [p for p in getattr(requirement, field) if p not in seen]
        return " ".join(seen)

    formulas = [p for r in requirements if r.macos[:1] != ("--cask",) for p in r.macos]
    casks = [p for r in requirements if r.macos[:1] == ("--cask",) for p in r.macos[1:]]
    brew = " && ".join(command for command in (f"brew install {' '.join(formulas)}" if formulas else "",
                                               f"brew install --cask {' '.join(casks)}" if casks else "") if command)
    commands = {
        "Debian/Ubuntu": f"sudo apt-get update && sudo apt-get install -y {packages('debian')}",
        "Fedora": f"sudo dnf install -y {packages('fedora')}" if packages("fedora") else "",
        "macOS": brew,
    }
    return {system: command for system, command in commands.items() if command}


def missing_message(requirements: list[Requirement]) -> str:
    """One message naming what is missing, why it is needed, and the command installing it on each system."""
    lines = ["make-book needs what this machine lacks:"]
    lines += [f"  - {r.name}: {r.why}" for r in requirements]
    lines.append("Install it with the command for your system, then run the same command again:")
    lines += [f"  {system + ':':15}{command}" for system, command in install_commands(requirements).items()]
    return "\n".join(lines)


def require(name: str) -> None:
    """Raise AssertionError with :func:`missing_message` unless requirement ``name`` is met (for the tests)."""
    requirement = next(r for r in REQUIREMENTS if r.name == name)
    assert requirement.found(), missing_message([requirement])


def _install(requirements: list[Requirement]) -> bool:
    """Install ``requirements`` with the system's package manager when allowed to; whether it was done."""
    if os.geteuid() == 0:
        sudo: list[str] = []
    elif shutil.which("sudo") and (sys.stdin.isatty() or subprocess.run(
            ["sudo", "-n", "true"], capture_output=True).returncode == 0):
        sudo = ["sudo"]
    else:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if shutil.which("apt-get"):
        packages = [p for r in requirements for p in r.debian]
        steps = [[*sudo, "apt-get", "update", "-qq"],
                 [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]]
    elif shutil.which("dnf"):
        steps = [[*sudo, "dnf", "install", "-y", *[p for r in requirements for p in r.fedora]]]
    else:
        return False
    print(f"installing {', '.join(r.name for r in requirements)}: {' '.join(steps[-1])}", file=sys.stderr)
    return all(subprocess.run(step, env=env).returncode == 0 for step in steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m pipeline.system", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["check", "install"])
    parser.add_argument("--tests", action="store_true", help="also what the test suite needs")
    args = parser.parse_args(argv)
    if sys.version_info < MIN_PYTHON:
        print(f"make-book needs Python {'.'.join(map(str, MIN_PYTHON))} or newer (this is {platform.python_version()})",
              file=sys.stderr)
        return 1
    lacking = missing(tests=args.tests)
    if lacking and args.action == "install" and platform.system() == "Linux" and _install(lacking):
        lacking = missing(tests=args.tests)
    if lacking:
        print(missing_message(lacking), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
