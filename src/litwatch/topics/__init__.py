"""Topic profiles: built-in ones shipped in `builtin/`, users' own from LITWATCH_TOPICS_DIR or a path.

    load_topic("stem-cell-depression")      a built-in or user profile by name
    load_topic("my/profile.toml")           a file
    list_topics()                            every profile found, built-ins first
    new_topic("my-topic", "dir")             writes a commented template to fill in
    check_topic("my/profile.toml")           the Topic, or ProfileError saying what is wrong

A user profile with a built-in's name takes precedence over it (to adapt a shipped profile, copy
it with `litwatch topic show NAME --toml > mine.toml`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from litwatch import config
from litwatch.errors import ProfileError, UsageError
from litwatch.topics.model import Concept, ConceptGroup, Exclusion, Topic, topic_from_dict

__all__ = [
    "Topic",
    "Concept",
    "ConceptGroup",
    "Exclusion",
    "TopicEntry",
    "load_topic",
    "list_topics",
    "new_topic",
    "check_topic",
    "topic_source",
]


@dataclass(frozen=True)
class TopicEntry:
    name: str
    origin: str  # "builtin" | "user"
    path: str


def _builtin_dir() -> Path:
    return Path(str(resources.files("litwatch.topics") / "builtin"))


def _user_dir() -> Path | None:
    value = config.get("topics_dir")
    return Path(value) if value else None


def list_topics() -> list[TopicEntry]:
    """Every profile found: user ones (LITWATCH_TOPICS_DIR) shadow built-ins of the same name."""
    found: dict[str, TopicEntry] = {}
    for origin, folder in (("builtin", _builtin_dir()), ("user", _user_dir())):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            found[path.stem] = TopicEntry(path.stem, origin, str(path))
    return sorted(found.values(), key=lambda e: (e.origin != "builtin", e.name))


def _parse(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"cannot read topic profile {path}: {exc.strerror}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts "(at line N, column M)" in its message: keep it, it is the useful part
        message = str(exc)
        if "end of document" in message:  # tomllib names no line there: it is the last one
            message += f" (line {max(text.count(chr(10)) + (not text.endswith(chr(10))), 1)}, the last)"
        raise ProfileError(f"{path}: bad TOML: {message}", hint="fix the line named; strings need quotes") from exc


def _find(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    candidate = Path(text)
    if text.endswith(".toml") or candidate.is_file():
        if not candidate.is_file():
            raise ProfileError(f"topic profile file not found: {text}")
        return candidate
    for entry in list_topics():
        if entry.name == text:
            return Path(entry.path)
    known = ", ".join(e.name for e in list_topics()) or "none"
    raise ProfileError(f"unknown topic {text!r}", hint=f"known topics: {known}; or give a .toml path")


def load_topic(name_or_path: str | Path) -> Topic:
    """A Topic from a built-in or user profile name, or from a .toml path; ProfileError otherwise."""
    if isinstance(name_or_path, Topic):
        return name_or_path
    path = _find(name_or_path)
    topic = topic_from_dict(_parse(path), where=str(path), default_name=path.stem)
    topic.path = str(path)
    return topic


def check_topic(path: str | Path) -> Topic:
    """Validate one profile file; returns its Topic or raises ProfileError."""
    return load_topic(path)


def topic_source(name_or_path: str | Path) -> str:
    """The profile's TOML text."""
    return _find(name_or_path).read_text(encoding="utf-8")


def new_topic(name: str, directory: str | Path | None = None, *, overwrite: bool = False) -> Path:
    """Write a commented template profile `NAME.toml` into `directory` (default: LITWATCH_TOPICS_DIR or .)."""
    from litwatch.topics.model import _NAME

    if not _NAME.match(name):
        raise UsageError(f"topic name {name!r} must be lower-case letters, digits, '-' or '_'")
    folder = Path(directory) if directory else (_user_dir() or Path("."))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    if path.exists() and not overwrite:
        raise UsageError(f"{path} exists already", hint="choose another name or remove the file")
    template = (resources.files("litwatch.topics") / "template.toml").read_text(encoding="utf-8")
    path.write_text(template.replace("{name}", name), encoding="utf-8")
    return path
