"""The Source table is the one list of live sources: what reads it agrees with it."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litwatch import config
from litwatch.cli import app
from litwatch.errors import ProfileError
from litwatch.report.prisma import source_name
from litwatch.sources import connector_class
from litwatch.sources.http import HttpClient
from litwatch.services import DEFAULT_SOURCES, SOURCE_NAMES, SOURCES
from litwatch.topics import model as topic_model

BUILTIN = Path(topic_model.__file__).parent / "builtin" / "stem-cell-depression.toml"


@pytest.mark.parametrize("name", SOURCE_NAMES)
def test_every_row_has_a_connector_taking_its_page_size(name):
    row = SOURCES[name]
    cls = connector_class(name)
    params = inspect.signature(cls.__init__).parameters
    assert row.size_arg in params, f"{cls.__name__} takes no {row.size_arg}"
    assert params[row.size_arg].default == row.default_size
    assert callable(getattr(cls, "plan")) and callable(getattr(cls, "batches"))


@pytest.mark.parametrize("name", SOURCE_NAMES)
def test_every_row_has_a_label_in_each_report_language(name):
    for lang in ("en", "zh-Hans", "zh-Hant"):
        shown = source_name(name, lang)
        assert shown and shown != name, (name, lang)
    assert source_name(name, "en") == SOURCES[name].label


@pytest.mark.parametrize("name", SOURCE_NAMES)
def test_every_row_has_a_base_url_setting_the_client_reads(name, monkeypatch):
    row = SOURCES[name]
    setting = config.SETTINGS[row.url_setting]
    assert setting.env == row.url_env and setting.default == row.url_default
    monkeypatch.setenv(row.url_env, "http://127.0.0.1:9/here/")
    with HttpClient(name) as client:
        assert client.base_url == "http://127.0.0.1:9/here/"
        assert client.info.label == row.label


def _profile_with_queries(queries: dict[str, str]) -> dict:
    data = tomllib.loads(BUILTIN.read_text(encoding="utf-8"))
    data["queries"] = queries
    return data


def test_topic_validation_accepts_exactly_the_registry_names():
    every = {name: "stem cells AND depression" for name in SOURCE_NAMES}
    topic = topic_model.topic_from_dict(_profile_with_queries(every), where="t.toml")
    assert set(topic.queries) == set(SOURCE_NAMES)  # crossref included
    with pytest.raises(ProfileError, match="unknown source.*scopus"):
        topic_model.topic_from_dict(_profile_with_queries({**every, "scopus": "x"}), where="t.toml")


def test_a_topic_is_fetched_from_the_default_sources_only_unless_asked(tmp_path):
    from litwatch.sources.fetch import _resolve_target

    queries = "\n".join(f'{name} = "stem cells"' for name in SOURCE_NAMES)
    text = BUILTIN.read_text(encoding="utf-8")
    start = text.index("[queries]")
    end = text.index("\n[", start + 1)
    path = tmp_path / "all-sources.toml"
    path.write_text(text[:start] + "[queries]\n" + queries + "\n" + text[end:], encoding="utf-8")
    _, chosen = _resolve_target(str(path), None)
    assert tuple(chosen) == DEFAULT_SOURCES and "crossref" not in DEFAULT_SOURCES
    _, chosen = _resolve_target(str(path), ["crossref"])
    assert list(chosen) == ["crossref"]


def test_fetch_help_names_every_source():
    out = CliRunner().invoke(app, ["fetch", "--help"], env={"COLUMNS": "200"}).output
    assert ",".join(SOURCE_NAMES) in out
    for row in SOURCES.values():
        assert f"{row.label} {row.default_size}" in out
