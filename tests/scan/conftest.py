"""Fixtures of the scan tests: baseline and update files made from the shared MEDLINE sample,
the test topic profile, and a real Dask LocalCluster of worker processes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.scan.files import own_citation, pmid_of, sample_citations, write_set

HERE = Path(__file__).parent
KINASE = HERE / "kinase-mice.toml"
TOPICS = ["msc-trials", "stem-cell-depression", "gut-brain-depression", str(KINASE)]


@pytest.fixture(scope="session")
def citations(shared_data) -> list[bytes]:
    return sample_citations(shared_data)


@pytest.fixture(scope="session")
def baseline_dir(tmp_path_factory, citations) -> Path:
    """Three baseline files holding the sample's 604 citations between them."""
    folder = tmp_path_factory.mktemp("baseline")
    for n, (a, b) in enumerate(((0, 200), (200, 400), (400, None)), start=1):
        write_set(folder / f"pubmed99n{n:04d}.xml.gz", citations[a:b])
    return folder


@dataclass
class Update:
    path: Path
    dropped: str  # included in the baseline; its new version is not about the topic any more
    deleted: str  # included in the baseline; the update deletes it
    now_in: str  # excluded in the baseline; its new version is about the topic
    new: str  # a PMID the baseline does not have, about the topic


@pytest.fixture(scope="session")
def update(tmp_path_factory, baseline_dir, citations) -> Update:
    """An update file (numbered after the baseline) with new versions and a deletion, chosen by
    what the topic's rules decide on the baseline, whatever those rules are."""
    from litwatch.formats import read_file
    from litwatch.screen.rules import rule_decision
    from litwatch.topics import load_topic

    topic = load_topic(KINASE)
    included, excluded = [], []
    for f in sorted(baseline_dir.glob("*.xml.gz")):
        for r in read_file(f, "pubmed-xml"):
            label = rule_decision(topic, r).label
            (included if label == "include" else excluded if label == "exclude" else []).append(r.ids.pmid)
    assert len(included) >= 3 and excluded, "the test profile must include and exclude some sample records"
    dropped, deleted, now_in = included[0], included[1], excluded[0]
    new = "99000001"
    on_topic = ("Kinase signalling in the liver of mice fed a high-fat diet",
                "We measured the phosphorylation of a stress kinase in the livers of mice kept on a rich diet for "
                "twelve weeks and found it raised compared with mice kept on standard chow.")
    off_topic = ("A survey of reading habits among hospital librarians",
                 "Librarians in twelve hospitals answered a questionnaire about the journals they read each week.")
    folder = tmp_path_factory.mktemp("updatefiles")
    path = write_set(folder / "pubmed99n0004.xml.gz",
                     [own_citation(dropped, *off_topic), own_citation(now_in, *on_topic), own_citation(new, *on_topic)],
                     deletions=[deleted])
    assert [pmid_of(c) for c in citations[:1]]  # the sample is there
    return Update(path, dropped, deleted, now_in, new)


@pytest.fixture(scope="module")
def dask_client():
    """A LocalCluster of two worker processes (one thread each), as `litwatch scan --workers 2` starts."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()
