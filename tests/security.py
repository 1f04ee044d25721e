"""Helpers for the security tests: a canary file outside the project, a canary server, an audit of opens."""

from __future__ import annotations

import http.server
import os
import sys
import threading
from pathlib import Path

CANARY_TEXT = "CANARY-OUTSIDE-SECRET-7f3a"

_watched: set[str] = set()
opened: list[str] = []  # every open() of a watched path, by this process, since the hook was added


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _watched and args and isinstance(args[0], (str, bytes, os.PathLike)):
        name = os.fsdecode(args[0])
        real = os.path.realpath(name)
        if real in _watched or any(real.startswith(folder + os.sep) for folder in _watched):
            opened.append(name)


sys.addaudithook(_audit)  # an audit hook cannot be removed: it only records paths put in _watched


def watch(path: Path) -> None:
    """Record every open of ``path`` (by its real path), or of any file below it, in :data:`opened`."""
    _watched.add(os.path.realpath(path))


def unwatch_all() -> None:
    _watched.clear()
    opened.clear()


class Canary:
    """An HTTP server on 127.0.0.1 that records every request; a build must send it none."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                requests.append(self.path)
                body = CANARY_TEXT.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def outputs_text(folder: Path, *, published_only: bool = False) -> str:
    """Every byte under ``folder`` (zip members expanded), decoded loosely, to search for leaked text.

    ``published_only``: only the editions and the shelf (not the cache, which records warnings).
    """
    import zipfile

    chunks = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if published_only and path.suffix not in (".pdf", ".epub", ".html", ".png"):
            continue
        data = path.read_bytes()
        chunks.append(data.decode("utf-8", "replace"))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                chunks += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    return "\n".join(chunks)
