"""The progress file: throttled to a step of the file or an interval, replaced atomically, read safely."""

from __future__ import annotations

import json

from lipwa.dashboard.progress import INTERVAL_SECONDS, ProgressWriter, progress_read


class FakeMonotonic:
    """A clock the test moves by hand (the writer takes any monotonic source)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_writes_once_per_percent_of_the_file(tmp_path):
    path = tmp_path / "upl_1.progress.json"
    writer = ProgressWriter(path, monotonic=FakeMonotonic())
    total = 1_000_000
    for done in range(0, total + 1, 1000):  # a call every 0.1 % of the file
        writer(done, total)
    assert writer.writes == 101  # the first call, then every 1 % (10 000 bytes), the last at 100 %
    assert progress_read(path) == {"phase": "importing", "done_bytes": total, "total_bytes": total}
    assert [p.name for p in tmp_path.iterdir()] == ["upl_1.progress.json"]  # no temporary file left behind


def test_slow_progress_is_still_written_every_interval(tmp_path):
    clock = FakeMonotonic()
    writer = ProgressWriter(tmp_path / "p.json", monotonic=clock)
    writer(0, 10_000_000)
    writer(10, 10_000_000)  # far less than 1 % and no time passed: skipped
    assert writer.writes == 1 and progress_read(tmp_path / "p.json")["done_bytes"] == 0
    clock.now += INTERVAL_SECONDS
    writer(20, 10_000_000)
    assert writer.writes == 2 and progress_read(tmp_path / "p.json")["done_bytes"] == 20
    clock.now += INTERVAL_SECONDS
    writer(20, 10_000_000)  # nothing moved: nothing to write
    assert writer.writes == 2


def test_the_end_of_the_file_and_a_new_phase_are_always_written(tmp_path):
    path = tmp_path / "p.json"
    writer = ProgressWriter(path, monotonic=FakeMonotonic())
    writer(0, 10_000_000)
    writer(10_000_000, 10_000_000)
    writer.set_phase("reconciling")
    assert writer.writes == 3
    assert progress_read(path) == {"phase": "reconciling", "done_bytes": 10_000_000, "total_bytes": 10_000_000}


def test_a_tiny_file_and_an_empty_file(tmp_path):
    writer = ProgressWriter(tmp_path / "p.json", monotonic=FakeMonotonic())
    writer(0, 0)
    assert progress_read(tmp_path / "p.json") == {"phase": "importing", "done_bytes": 0, "total_bytes": 0}
    writer(1, 3)
    writer(2, 3)
    assert writer.writes == 3  # a step is at least one byte


def test_reading_a_missing_or_damaged_file_answers_none(tmp_path):
    assert progress_read(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert progress_read(tmp_path / "bad.json") is None
    (tmp_path / "list.json").write_text(json.dumps([1, 2]))
    assert progress_read(tmp_path / "list.json") is None


def test_a_progress_file_that_cannot_be_written_does_not_stop_the_import(tmp_path):
    writer = ProgressWriter(tmp_path / "missing-directory" / "p.json", monotonic=FakeMonotonic())
    writer(5, 10)  # logged, not raised
    assert writer.writes == 0
