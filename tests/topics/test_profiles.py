"""Topic profiles: the built-ins load, bad profiles fail with errors that say where and why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from litwatch.errors import ProfileError, UsageError
from litwatch.topics import check_topic, list_topics, load_topic, new_topic

GOOD = '''
name = "tiny"
[queries]
pubmed = "stem cells AND depression"
[concepts.cells]
terms = ["stem cell"]
[concepts.mood]
terms = ["depression"]
[[include]]
name = "intervention"
any = ["cells"]
[[include]]
name = "condition"
any = ["mood"]
'''


def write(tmp_path: Path, text: str, name: str = "tiny.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_builtin_stem_cell_depression_has_what_the_report_needs():
    t = load_topic("stem-cell-depression")
    assert t.names["en"] and t.names["zh-Hans"]
    assert set(t.queries) == {"pubmed", "europepmc", "clinicaltrials"}
    q = t.queries["pubmed"]
    for needle in ('"Mesenchymal Stem Cells"[Mesh]', "exosome*[tiab]", '"treatment-resistant depression"[tiab]',
                   "anhedonia[tiab]", '"chronic unpredictable mild stress"[tiab]', "mitochondria"):
        assert needle in q
    assert "cond=" in t.queries["clinicaltrials"] and "intr=" in t.queries["clinicaltrials"]
    assert [g.name for g in t.include] == ["intervention", "condition"]
    for lang in ("en", "zh-Hans"):
        assert {"title", "intro", "disclaimer"} <= set(t.texts[lang])
        assert t.report_style[lang]
    assert t.highlights_per_month > 0


def test_list_topics_has_the_builtins_and_user_profiles(tmp_path, monkeypatch):
    write(tmp_path, GOOD.replace('"tiny"', '"mine"'), "mine.toml")
    monkeypatch.setenv("LITWATCH_TOPICS_DIR", str(tmp_path))
    names = {e.name: e.origin for e in list_topics()}
    assert names["stem-cell-depression"] == "builtin"
    assert names["gut-brain-depression"] == "builtin"
    assert names["mine"] == "user"
    assert load_topic("mine").name == "mine"


def test_unknown_concept_is_named(tmp_path):
    p = write(tmp_path, GOOD.replace('any = ["mood"]', 'any = ["moood"]'))
    with pytest.raises(ProfileError, match=r"unknown concept 'moood'") as e:
        check_topic(p)
    assert "mood" in e.value.hint


def test_empty_query_is_refused(tmp_path):
    p = write(tmp_path, GOOD.replace('pubmed = "stem cells AND depression"', 'pubmed = "  "'))
    with pytest.raises(ProfileError, match="empty query for pubmed"):
        check_topic(p)


def test_bad_toml_names_its_line(tmp_path):
    p = write(tmp_path, GOOD.replace('terms = ["stem cell"]', 'terms = ["stem cell"'))
    with pytest.raises(ProfileError, match=r"bad TOML.*line \d+"):
        check_topic(p)


def test_bad_regex_and_missing_groups(tmp_path):
    p = write(tmp_path, GOOD.replace('terms = ["depression"]', 'patterns = ["depress(ion"]'))
    with pytest.raises(ProfileError, match="bad pattern"):
        check_topic(p)
    p = write(tmp_path, GOOD.split("[[include]]")[0])
    with pytest.raises(ProfileError, match="no \\[\\[include\\]\\]"):
        check_topic(p)


def test_unknown_topic_lists_known_ones():
    with pytest.raises(ProfileError, match="unknown topic") as e:
        load_topic("no-such-topic")
    assert "stem-cell-depression" in e.value.hint


def test_new_topic_writes_a_template_that_validates(tmp_path):
    p = new_topic("my-topic", tmp_path)
    t = check_topic(p)
    assert t.name == "my-topic" and "#" in p.read_text()
    with pytest.raises(UsageError, match="exists"):
        new_topic("my-topic", tmp_path)
    with pytest.raises(UsageError):
        new_topic("Bad Name", tmp_path)


def test_topic_cli(cli, tmp_path):
    r = cli("topic", "list")
    assert r.exit_code == 0 and "stem-cell-depression" in r.stdout
    r = cli("topic", "show", "stem-cell-depression")
    assert r.exit_code == 0 and "include group" in r.stdout and "[Mesh]" in r.stdout
    r = cli("topic", "show", "stem-cell-depression", "--toml")
    assert r.stdout.startswith("#") and "[[include]]" in r.stdout
    r = cli("topic", "new", "abc", "--dir", tmp_path)
    assert r.exit_code == 0 and (tmp_path / "abc.toml").exists()
    r = cli("topic", "check", tmp_path / "abc.toml")
    assert r.exit_code == 0 and r.stdout.startswith("OK: abc")
    bad = write(tmp_path, "name = [", "bad.toml")
    r = cli("topic", "check", bad)
    assert r.exit_code == 2 and "line 1" in r.stderr


@pytest.mark.parametrize("cmd", ["list", "show", "new", "check"])
def test_every_topic_command_has_help_with_example(cli, cmd):
    r = cli("topic", cmd, "--help")
    assert r.exit_code == 0 and "Example:" in r.stdout


# -- the screening rules a profile declares ---------------------------------------------------

RELATIONS = GOOD + '''
[relations]
kinds = ["title", "therapeutic"]
[cues.therapeutic]
en = ["alleviat*"]
zh = ["改善"]
[[contexts]]
name = "marrow"
scope = "phrase"
applies_to = ["mood"]
en = ["bone marrow depression"]
'''


def test_relations_cues_and_contexts_load(tmp_path):
    t = check_topic(write(tmp_path, RELATIONS))
    assert (t.relations.intervention, t.relations.condition) == ("intervention", "condition")
    assert t.relations.kinds == ["title", "therapeutic"]
    assert t.cues["therapeutic"].terms == {"en": ["alleviat*"], "zh": ["改善"]}
    assert t.cues["negation"].origin == "default" and "without" in t.cues["negation"].all_terms()
    assert [c.name for c in t.contexts] == ["marrow"]


@pytest.mark.parametrize("change,message", [
    (('kinds = ["title", "therapeutic"]', 'kinds = ["title", "telepathy"]'), "kinds must list some of"),
    (("[cues.therapeutic]", "[cues.magic]"), "cues.magic: unknown cue set"),
    (('scope = "phrase"', 'scope = "paragraph"'), "scope 'paragraph' is not one of"),
    (('applies_to = ["mood"]', 'applies_to = ["moods"]'), "applies_to names unknown moods"),
    (("[relations]", '[relations]\ncondition = "nothing"'), "condition = 'nothing' is not an [[include]] group"),
    (('name = "tiny"', 'name = "tiny"\nmodel_min_precision = 1.5'), "model_min_precision must be a number"),
    (('en = ["bone marrow depression"]', 'scope_words = 1'), "unknown key(s) scope_words"),
])
def test_bad_rules_are_profile_errors_that_say_where(tmp_path, change, message):
    p = write(tmp_path, RELATIONS.replace(*change))
    with pytest.raises(ProfileError, match=re.escape(message)) as e:
        check_topic(p)
    assert str(p) in str(e.value)


def test_rules_hash_follows_the_rules_not_the_texts(tmp_path):
    base = check_topic(write(tmp_path, RELATIONS)).rules_hash()
    assert check_topic(write(tmp_path, RELATIONS + '\n[texts.en]\ntitle = "New title"\n')).rules_hash() == base
    changed = RELATIONS.replace('en = ["bone marrow depression"]', 'en = ["bone marrow depression", "ST depression"]')
    assert check_topic(write(tmp_path, changed)).rules_hash() != base


def test_chinese_terms_match_without_word_boundaries_and_fast_matching_equals_the_regex(shared_data):
    from litwatch.formats import read_file
    from litwatch.records import Record
    from litwatch.topics.terms import TermMatcher

    zh = TermMatcher(["抑郁"], [], [])
    assert zh.spans("间充质干细胞治疗抑郁症大鼠") == [(8, 10)]
    t = load_topic("stem-cell-depression")
    recs = [r for r in read_file(shared_data / "pubmed" / "medline16n0902.xml.gz") if isinstance(r, Record)]
    texts = [f"{r.title} {r.abstract_text}" for r in recs] + ["HUC-MSCs and MSC-Exos; Wharton’s jelly; ST-segment"]
    for concept in t.concepts.values():
        rx = concept.regex()
        for text in texts:
            assert [text[s:e] for s, e in concept.matcher().spans(text)] == [m.group(0) for m in rx.finditer(text)]


def test_topic_show_explains_the_rules_in_plain_words(cli):
    r = cli("topic", "show", "stem-cell-depression")
    assert r.exit_code == 0
    out = " ".join(r.stdout.split())
    assert "is studied as a treatment of the condition" in out
    for kind in ("1. title:", "2. therapeutic:", "3. administration:", "4. registry:"):
        assert kind in out
    assert "Negated mentions" in out and "never count" in out
    assert "biomarkers: biomarkers and diagnosis" in out and "disease_modelling: disease modelling" in out
    assert "decided by its title alone" in out and "cross-validated precision" in out
    r = cli("topic", "show", "gut-brain-depression")
    assert "association:" in " ".join(r.stdout.split())


def test_a_profile_without_relations_says_it_reads_co_occurrence(cli, tmp_path):
    r = cli("topic", "show", write(tmp_path, GOOD))
    assert "co-occurrence" in " ".join(r.stdout.split())
    r = cli("topic", "check", write(tmp_path, RELATIONS.replace("[cues.therapeutic]", "[cues.magic]")))
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "unknown cue set" in r.stderr
