"""import_files reports how far each file has been read through its callback (the CLI draws the
bars from it; the library draws nothing), on the sequential and the parallel path alike."""

from collections import defaultdict

import pytest

from litwatch import ingest
from litwatch.formats.pubmed import parallel
from litwatch.store import open_store


@pytest.mark.parametrize("way", ["sequential", "parallel"])
def test_each_file_is_reported_from_nothing_to_its_size(shared_data, tmp_path, monkeypatch, way):
    small = shared_data / "pubmed" / "pubmed6.xml"
    big = shared_data / "pubmed" / "medline16n0902.xml.gz"
    if way == "parallel":
        monkeypatch.setattr(parallel, "MIN_CPUS", 1)
        monkeypatch.setattr(parallel, "MIN_GZIP_BYTES", 1)
    seen = defaultdict(list)

    def progress(path, done, total):
        seen[path].append((done, total))

    with open_store(tmp_path / "s.db") as store:
        summary = ingest.import_files(store, [small, big], progress=progress)
    assert summary.read > 500 and not summary.errors
    assert list(seen) == [small, big]  # in the order read
    for path, events in seen.items():
        size = path.stat().st_size
        assert events[0] == (0, size) and events[-1] == (size, size)
        assert {t for _, t in events} == {size}
        done = [d for d, _ in events]
        assert done == sorted(done)
    if way == "sequential":  # along the way too (the file is read in 512 KiB blocks; workers read ahead)
        assert len({d for d, _ in seen[big]}) > 2


def test_ingest_draws_nothing():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(ingest))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {m for m in imported if m.split(".")[0] == "rich"}
