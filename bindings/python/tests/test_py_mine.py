"""MineJob: configuration errors, a failed job, a tiny real run and cancellation."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import libzipp

REPO = Path(__file__).resolve().parents[3]

#: Six communities, each with its own vocabulary, so that the encoder has something to learn.
VOCABULARY = {
    "cats": ["whiskers", "kitten", "purr", "litter", "tabby"],
    "hiking": ["trail", "summit", "boots", "ridge", "alpine"],
    "cooking": ["recipe", "garlic", "simmer", "skillet", "basil"],
    "photography": ["lens", "aperture", "shutter", "bokeh", "tripod"],
    "gardening": ["tomato", "compost", "seedling", "mulch", "trellis"],
    "astronomy": ["telescope", "nebula", "galaxy", "orbit", "eclipse"],
}


def _zipp_binary() -> Path:
    """The newest ``zipp`` binary that ``cargo build`` / ``cargo test`` left in the target folder."""
    name = "zipp.exe" if sys.platform == "win32" else "zipp"
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    found = [p for p in (target / "debug" / name, target / "release" / name) if p.is_file()]
    if not found:
        pytest.fail(f"the zipp command-line binary was not found in {target / 'debug'} or {target / 'release'}; "
                    "build it first with `cargo build` (`cargo test` builds it too)")
    return max(found, key=lambda p: p.stat().st_mtime)


def _write_interactions(path: Path) -> None:
    """30 users, each posting three times in each of two or three of the six communities."""
    rng = random.Random(7)
    names = list(VOCABULARY)
    timestamp = 1_600_000_000
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["user", "community", "text", "image", "timestamp"])
        for user in range(30):
            for community in {names[user % 6], names[(user + 1) % 6], names[(user * 5 + 3) % 6]}:
                for _ in range(3):
                    words = rng.sample(VOCABULARY[community], 3) + ["really", "love", "this"]
                    rng.shuffle(words)
                    timestamp += 37
                    writer.writerow([f"user{user:02d}", community, " ".join(words), "", timestamp])


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny graph ingested with ``zipp mine ingest`` from a CSV log."""
    folder = tmp_path_factory.mktemp("mine")
    interactions = folder / "interactions.csv"
    _write_interactions(interactions)
    out = folder / "tiny.graph"
    done = subprocess.run([str(_zipp_binary()), "mine", "ingest", "-q", "-i", str(interactions), "-o", str(out)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.is_file()
    return out


def test_configuration_errors_are_raised_at_start() -> None:
    with pytest.raises(libzipp.InvalidJsonError):
        libzipp.MineJob.start('{"graph": "g", "out_dir": ')
    # An unknown key is a configuration error (as for the rewriter), not a syntax error.
    with pytest.raises(libzipp.InvalidConfigError, match="colour"):
        libzipp.MineJob.start({"graph": "g", "out_dir": "o", "colour": "red"})
    with pytest.raises(libzipp.InvalidConfigError, match="negatives") as info:
        libzipp.MineJob.start({"graph": "g", "out_dir": "o", "train": {"negatives": 0}})
    assert isinstance(info.value, ValueError)
    with pytest.raises(libzipp.NullPointerError):
        libzipp.MineJob.start(None)  # type: ignore[arg-type]


def test_missing_graph_fails_the_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Relative paths are taken from the process's working directory.
    monkeypatch.chdir(tmp_path)
    with libzipp.MineJob.start({"graph": "nowhere.graph", "out_dir": "mined"}) as job:
        assert job.wait(30) is True
        status = job.poll()
        assert status["stage"] == "failed"
        assert "nowhere.graph" in status["error"]
        with pytest.raises(libzipp.ZippIOError) as info:
            job.result()
        assert "nowhere.graph" in info.value.message
        assert info.value.status_name == "ZIPP_STATUS_IO"
        assert job.wait(0) is True


def test_tiny_run_writes_personas(graph: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "mined"
    # Path values are written as strings.
    with libzipp.MineJob.start({"graph": graph, "out_dir": out_dir, "threads": 1, "train": {"epochs": 5}}) as job:
        assert job.wait(120) is True, job.poll()
        status = job.poll()
        assert status["stage"] == "done" and status["fraction"] == 1.0 and status["error"] is None
        result = job.result()
    assert result["personas_written"] > 0
    assert result["personas_failed"] == []
    assert Path(result["personas_dir"]) == out_dir / "personas"
    files = sorted((out_dir / "personas").glob("*.json"))
    assert len(files) == result["personas_written"] + result["personas_kept"]
    for path in files[:5]:
        with libzipp.Persona.from_file(path) as persona:
            assert persona.to_dict()["text"]
    for key in ("salience", "encoder", "metrics"):
        assert Path(result[key]).is_file(), key
    assert 0.0 <= result["test"]["posting_accuracy"] <= 1.0


def test_cancel_stops_a_running_job(graph: Path, tmp_path: Path) -> None:
    config = {"graph": str(graph), "out_dir": str(tmp_path / "mined"), "threads": 1,
              "train": {"epochs": 1000000, "patience": 0}}
    with libzipp.MineJob.start(config) as job:
        assert job.wait(0.2) is False
        with pytest.raises(libzipp.PendingError) as info:
            job.result()
        assert info.value.status_name == "ZIPP_STATUS_PENDING"
        # Another thread waiting without a limit does not hold the GIL (cancel below runs).
        waited: list[bool] = []
        waiter = threading.Thread(target=lambda: waited.append(job.wait()))
        waiter.start()
        job.cancel()
        assert job.wait(5) is True
        waiter.join(10)
        assert waited == [True]
        assert job.poll()["stage"] == "cancelled"
        with pytest.raises(libzipp.OperationCancelledError):
            job.result()
        job.cancel()  # a finished job ignores it


def test_close_is_idempotent_and_a_closed_job_is_refused(tmp_path: Path) -> None:
    job = libzipp.MineJob.start({"graph": str(tmp_path / "none.graph"), "out_dir": str(tmp_path / "o")})
    assert repr(job) == "<libzipp.MineJob>" and not job.closed
    job.close()
    job.close()
    assert job.closed and repr(job) == "<libzipp.MineJob closed>"
    with pytest.raises(libzipp.NullPointerError):
        job.poll()
    with pytest.raises(libzipp.NullPointerError):
        job.result()
    job.cancel()  # NULL is ignored
    with libzipp.MineJob.start({"graph": str(tmp_path / "g"), "out_dir": str(tmp_path / "o")}) as other:
        with pytest.raises(ValueError, match="timeout"):
            other.wait(-1)


def test_dropping_a_running_job_cancels_it(graph: Path, tmp_path: Path) -> None:
    job = libzipp.MineJob.start({"graph": str(graph), "out_dir": str(tmp_path / "mined"), "threads": 1,
                                 "train": {"epochs": 1000000, "patience": 0}})
    assert job.wait(0.1) is False
    del job  # the finalizer cancels the job and joins its thread
