"""Atomic writes and the streamed compact JSON writer of the analysis document."""

from __future__ import annotations

import json

import pytest

from analyzer.fsutil import dump_compact, write_json_atomic


@pytest.mark.parametrize("data", [
    {},
    {"a": [], "b": {}, "c": None, "d": "x\u00e9\"", "e": 1.5, "f": True, "g": (1, 2)},
    {"rows": [{"i": i, "t": ("a", i)} for i in range(4_999)], "tail": [[1], [2]]},
    [1, 2, {"x": "y"}],
    "just a string",
])
def test_streamed_json_reads_back_as_the_data(tmp_path, data):
    path = tmp_path / "doc.json"
    write_json_atomic(path, data)
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(json.dumps(data))


def test_iterators_are_written_in_batches_as_lists(tmp_path):
    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, data):
            self.parts.append(data)

    sink = Sink()
    dump_compact({"edges": (i for i in range(10)), "n": 10}, sink, batch=3)
    assert json.loads(b"".join(sink.parts)) == {"edges": list(range(10)), "n": 10}
    assert len(sink.parts) > 5  # written piece by piece, never as one string


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text('{"old": true}\n', encoding="utf-8")

    def rows():
        yield {"ok": 1}
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_json_atomic(path, {"rows": rows()})
    assert json.loads(path.read_text(encoding="utf-8")) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]
