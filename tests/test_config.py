import datetime as dt

import pytest

from pipeline.config import Settings, load_config, setting_docs
from pipeline.errors import ConfigError

from .conftest import write


def test_defaults_without_a_config_file(tmp_path):
    assert load_config(tmp_path) == Settings()
    assert Settings().output == "dist"
    assert Settings().paper == "A5"


def test_project_file_sets_typed_defaults(tmp_path):
    write(tmp_path / "make-book.toml", """
        lang = "fr-FR"
        author = ["Anne Bé", "Paul Cé"]
        base_url = "https://blog.example.org/"
        output = "editions"
    """)
    config = load_config(tmp_path)
    assert config.lang == "fr-FR"
    assert config.author == ("Anne Bé", "Paul Cé")
    assert config.base_url == "https://blog.example.org/"
    assert config.output == "editions"


def test_unknown_key_is_an_error_naming_key_file_and_line(tmp_path):
    write(tmp_path / "make-book.toml", 'lang = "fr"\nlanguage = "fr"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "unknown key 'language'" in info.value.message
    assert info.value.line == 2
    assert info.value.path.name == "make-book.toml"


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path / "make-book.toml", 'lang = "xx-nope"\nbase_url = "blog.example.org"\npaper = "B7"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = info.value.message
    assert "lang" in message and "base_url" in message and "paper" in message


def test_invalid_toml_names_the_line(tmp_path):
    write(tmp_path / "make-book.toml", 'lang = "fr"\nauthor = \n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.line == 2
    assert "TOML" in info.value.message


def test_front_matter_only_keys_are_refused_in_the_project_file(tmp_path):
    write(tmp_path / "make-book.toml", 'title = "Un livre"\n')
    with pytest.raises(ConfigError, match="unknown key 'title'"):
        load_config(tmp_path)


def test_dates_in_several_spellings():
    from pipeline.config import _date

    assert _date("2024-05-01") == dt.date(2024, 5, 1)
    assert _date(dt.datetime(2024, 5, 1, 10, 0)) == dt.date(2024, 5, 1)
    assert _date("2024") == dt.date(2024, 1, 1)
    with pytest.raises(ValueError):
        _date("le premier mai")


def test_every_setting_is_documented():
    docs = setting_docs()
    assert set(docs) == {f for f in Settings.__dataclass_fields__}
    assert all(text.strip() for text in docs.values())


def test_the_readme_documents_every_setting():
    from .conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in setting_docs() if f"`{name}`" not in readme]
    assert missing == []
