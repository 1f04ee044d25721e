#!/bin/sh
# Set up make-book on this machine and build the bundled manuscripts: the README's first command.
#   1. system packages WeasyPrint needs (Pango, HarfBuzz) and, with --tests, those the tests need
#      (Java for EPUBCheck, Chromium, poppler, Node.js): installed with apt-get or dnf when this user
#      may (root or sudo), else one message naming what is missing and the command for Debian,
#      Fedora and macOS;
#   2. make-book and its Python packages in .venv (pandoc included);
#   3. make-book: every manuscript into dist/.
set -eu
cd "$(dirname "$0")"

tests=""
[ "${1:-}" = "--tests" ] && tests="--tests"

command -v python3 >/dev/null 2>&1 || {
  echo "make-book needs Python 3.11 or newer: apt-get install python3 python3-venv | dnf install python3 | brew install python" >&2
  exit 1
}
python3 -m pipeline.system install $tests

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/make-book
echo "make-book is installed in .venv: run '. .venv/bin/activate' to use it in this shell"
