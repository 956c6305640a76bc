"""The learning curve: a valid PNG for no, one and many metrics rows."""

from __future__ import annotations

import pytest

from selfplay.plot import plot_curve
from selfplay.store import MetricsLog

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def row(i: int, *, loss: bool = True) -> dict:
    return {"time": 1_700_000_000 + 30 * i, "elapsed": 30.0 * i, "attempts": 10 * i, "proofs": 3 * i,
            "disproofs": i, "solve_rate": min(1.0, 0.05 * i), "buffer": 100 * i, "learner_step": 20 * i,
            "model_version": i // 4, "loss": 2.0 / (i + 1) if loss and i else None,
            "policy_loss": 1.5 / (i + 1) if loss and i else None, "value_loss": 0.5 / (i + 1) if loss and i else None}


@pytest.mark.parametrize("n", [0, 1, 2, 60])
def test_plot_writes_png(tmp_path, n: int) -> None:
    metrics = tmp_path / "metrics.jsonl"
    log = MetricsLog(metrics)
    for i in range(n):
        log.append(row(i))
    png = plot_curve(metrics, tmp_path / "curve.png")
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert sorted(p.name for p in tmp_path.iterdir()) == (["curve.png", "metrics.jsonl"] if n else ["curve.png"])


def test_plot_without_file_or_losses(tmp_path) -> None:
    png = plot_curve(tmp_path / "absent.jsonl", tmp_path / "a.png", title="empty run")
    assert png.read_bytes()[:8] == PNG_MAGIC
    log = MetricsLog(tmp_path / "m.jsonl")
    for i in range(5):
        log.append({k: v for k, v in row(i, loss=False).items() if k != "elapsed"})  # times only, no losses
    assert plot_curve(log.path, tmp_path / "b.png").read_bytes()[:8] == PNG_MAGIC


def test_plot_overwrites(tmp_path) -> None:
    log = MetricsLog(tmp_path / "m.jsonl")
    log.append(row(1))
    png = tmp_path / "curve.png"
    plot_curve(log.path, png)
    first = png.read_bytes()
    for i in range(2, 20):
        log.append(row(i))
    plot_curve(log.path, png)
    assert png.read_bytes()[:8] == PNG_MAGIC and png.read_bytes() != first
