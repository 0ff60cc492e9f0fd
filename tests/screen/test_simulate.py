"""Simulation metrics (hand-computed), `screen simulate` on a real data set, and bad inputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from litwatch.errors import ParseError, UsageError
from litwatch.screen.dataset import load_screening_csv
from litwatch.screen.metrics import all_metrics, rrf, screened_to_recall, wss
from litwatch.screen.models import lookup
from litwatch.screen.dataset import ScreeningData
from litwatch.screen.simulate import draw_priors, simulate


def test_wss_on_a_hand_computed_example():
    # 10 records, 2 relevant, found at positions 1 and 4 (priors counted)
    order = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert screened_to_recall(order, 2, 0.95) == 4
    assert wss(order, 10, 2, 0.95) == pytest.approx((10 - 4) / 10 - 0.05)  # 0.55
    assert wss(order, 10, 2, 1.0) == pytest.approx(0.6)
    assert rrf(order, 10, 2, 10) == pytest.approx(0.5)  # 1 record screened
    assert rrf(order, 10, 2, 20) == pytest.approx(0.5)  # 2 records screened


def test_wss95_needs_19_of_20_relevant():
    # 100 records, 20 relevant: the first 19 come first, the last one at the very end
    order = [1] * 19 + [0] * 80 + [1]
    m = all_metrics(order, 100, 20)
    assert m["screened_to_95"] == 19
    assert m["wss@95"] == pytest.approx(81 / 100 - 0.05)
    assert m["wss@100"] == pytest.approx(0.0)
    assert m["rrf@10"] == pytest.approx(10 / 20)
    assert m["rrf@20"] == pytest.approx(19 / 20)


def test_priors_are_drawn_like_asreview():
    labels = np.array([0, 1, 0, 0, 1, 0, 1, 0])
    inc = np.random.RandomState(3).choice(np.where(labels == 1)[0], 1, replace=False)
    exc = np.random.RandomState(3).choice(np.where(labels == 0)[0], 1, replace=False)
    assert draw_priors(labels, 1, 1, 3) == [int(inc[0]), int(exc[0])]


def test_unknown_model_part_lists_the_valid_ones():
    with pytest.raises(UsageError, match="unknown classifier 'xgb'") as e:
        lookup("classifier", "xgb")
    assert "logistic" in e.value.hint and "svm" in e.value.hint


def test_simulate_json_on_a_real_screening_set(cli, shared_data):
    r = cli("screen", "simulate", shared_data / "screening" / "Kitchenham_2010.csv", "--seed", "1", "--json")
    assert r.exit_code == 0, r.output
    m = json.loads(r.stdout)
    for key in ("wss@95", "wss@100", "rrf@10", "rrf@20", "screened_to_95", "seconds"):
        assert key in m
    assert 0.5 < m["wss@95"] < 0.95 and -0.05 <= m["wss@100"] < 1
    assert 0.5 < m["rrf@10"] <= 1 and m["rrf@10"] <= m["rrf@20"] <= 1
    assert 0 < m["screened_to_95"] < m["records"] == 1704 and m["relevant"] == 45
    assert m["seconds"] > 0


def write(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_csv_without_title_or_abstract(tmp_path, cli):
    p = write(tmp_path, "id,label_included\n1,1\n2,0\n")
    with pytest.raises(ParseError, match="no 'title' or 'abstract' column"):
        load_screening_csv(p)
    r = cli("screen", "simulate", p)
    assert r.exit_code == 2 and "no 'title' or 'abstract'" in r.stderr


def test_csv_without_label_column(tmp_path):
    p = write(tmp_path, "title,abstract\na,b\nc,d\n")
    with pytest.raises(ParseError, match="no label column") as e:
        load_screening_csv(p)
    assert "label_included" in e.value.hint


def test_single_class_is_refused(tmp_path, cli):
    p = write(tmp_path, "title,abstract,included\na,b,0\nc,d,0\n")
    r = cli("screen", "simulate", p)
    assert r.exit_code == 2 and "every row is irrelevant" in r.stderr


def test_bad_label_names_the_line(tmp_path):
    p = write(tmp_path, "title,abstract,included\na,b,0\nc,d,maybe\n")
    with pytest.raises(ParseError, match="line 3"):
        load_screening_csv(p)


def test_duplicate_rows_warn(tmp_path, cli):
    rows = ["title,abstract,label_included"]
    rows += [f"paper {i},about topic {i % 7} and more words,{int(i % 5 == 0)}" for i in range(40)]
    rows += ["paper 1,about topic 1 and more words,0"]
    p = write(tmp_path, "\n".join(rows) + "\n")
    assert any("repeat" in w for w in load_screening_csv(p).warnings)
    r = cli("screen", "simulate", p, "--json")
    assert r.exit_code == 0 and "1 row(s) repeat" in r.stderr
    assert json.loads(r.stdout)["records"] == 41


def test_lsa_features_are_unit_rows_with_a_dense_block():
    texts = [f"stem cell therapy for depression trial {i}" if i % 3 else f"bone marrow {i} study" for i in range(30)]
    ext = lookup("feature_extractor", "tfidf-lsa", k=5)
    X = ext.fit_transform(texts)
    assert ext.n_dense == 5 and X.shape[0] == 30
    assert np.allclose(np.sqrt(X.multiply(X).sum(axis=1)).A.ravel(), 1.0, atol=1e-5)
    assert np.array_equal(X.toarray(), lookup("feature_extractor", "tfidf-lsa", k=5).fit_transform(texts).toarray())


def test_a_relevant_prior_without_text_does_not_stall_the_ranking():
    # row 0: relevant but empty; rows 50-59: relevant, all about one topic; the rest: other topics
    titles = ["" if i == 0 else (f"mesenchymal stem cell exosomes ease depression {i}" if i >= 50
                                 else f"topic{i % 9} study of item{i} outcome") for i in range(60)]
    labels = np.array([1] + [0] * 49 + [1] * 10, dtype=np.int8)
    data = ScreeningData("synthetic", titles, [""] * 60, labels)
    r = simulate(data, priors=[0, 1], seed=0)
    found_at = [k for k, v in enumerate(r.labels_in_order, start=1) if v == 1]
    assert found_at[0] == 1 and len(found_at) == 11
    assert found_at[-1] <= 25  # once one text-bearing relevant record turns up, the rest follow it
