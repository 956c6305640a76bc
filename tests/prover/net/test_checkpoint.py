"""Checkpoints: a reload gives bit-identical outputs; corrupt, truncated, version-mismatched or
incomplete files are refused with a message naming the file and the problem."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from prover.net.checkpoint import (
    FORMAT_VERSION,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from prover.net.model import ModelConfig

from .test_model import mini_goals, one_thread, tiny_model  # noqa: F401 (autouse fixture)


def outputs(model: torch.nn.Module, n: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    goals = mini_goals()[:n]
    with torch.inference_mode():
        return model(model.batch([g for g, _ in goals], [t for _, t in goals]))


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "net.pt"
    save_checkpoint(path, tiny_model(seed=5), step=42, metadata={"records": 100, "note": "test"})
    return path


def test_reload_gives_bitwise_equal_outputs(saved: Path) -> None:
    model = tiny_model(seed=5)
    ckpt = load_checkpoint(saved)
    assert ckpt.step == 42 and ckpt.metadata == {"records": 100, "note": "test"}
    assert ckpt.config == model.config and ckpt.tokenizer == model.tokenizer
    reloaded = ckpt.build_model()
    for a, b in zip(outputs(model), outputs(reloaded), strict=True):
        assert torch.equal(a, b)
    assert not any(p.name.endswith(".tmp") for p in saved.parent.iterdir())  # no temp file left


def test_overwrite_replaces_atomically(saved: Path) -> None:
    save_checkpoint(saved, tiny_model(seed=6), step=43)
    assert load_checkpoint(saved).step == 43
    assert sorted(p.name for p in saved.parent.iterdir()) == ["net.pt"]


def test_failed_write_keeps_the_old_file(saved: Path) -> None:
    with pytest.raises(ValueError, match="JSON"):
        save_checkpoint(saved, tiny_model(), step=1, metadata={"bad": object()})
    assert load_checkpoint(saved).step == 42


def refused(path: Path, *fragments: str) -> None:
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message


def test_truncated_file_is_refused(saved: Path) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    refused(saved, "unreadable, truncated or not a checkpoint")


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "noise.pt"
    path.write_bytes(random.Random(0).randbytes(5000))
    refused(path, "unreadable")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    refused(tmp_path / "absent.pt", "no such file")


def rewrite(path: Path, change: Callable[[dict], object]) -> None:
    data = torch.load(path, weights_only=True)
    change(data)
    torch.save(data, path)


def test_version_mismatch_is_refused(saved: Path) -> None:
    rewrite(saved, lambda d: d.update(format_version=FORMAT_VERSION + 1))
    refused(saved, "format version", str(FORMAT_VERSION + 1))


@pytest.mark.parametrize(
    "field", ["weights", "tokenizer", "model_config", "step", "format", "format_version", "metadata"]
)
def test_missing_field_is_refused(saved: Path, field: str) -> None:
    rewrite(saved, lambda d: d.pop(field))
    refused(saved, "missing field", field)


def test_inconsistent_contents_are_refused(saved: Path) -> None:
    rewrite(saved, lambda d: d["model_config"].pop("n_layers"))
    refused(saved, "model_config", "n_layers")

    save_checkpoint(saved, tiny_model())
    rewrite(saved, lambda d: d["weights"].pop("value.0.weight"))
    refused(saved, "value.0.weight")

    save_checkpoint(saved, tiny_model())
    rewrite(saved, lambda d: d["weights"].update({"embed.weight": torch.zeros(3, 3)}))
    refused(saved, "embed.weight", "shape")

    save_checkpoint(saved, tiny_model())
    rewrite(saved, lambda d: d["tokenizer"]["tokens"].pop())
    refused(saved, "tokenizer has")

    save_checkpoint(saved, tiny_model())
    rewrite(saved, lambda d: d.update(format="something-else"))
    refused(saved, "format is")


def test_plain_data_on_disk(saved: Path) -> None:
    """Only tensors and JSON-able metadata: loads under weights_only, no classes pickled."""
    data = torch.load(saved, weights_only=True)
    meta = {k: v for k, v in data.items() if k != "weights"}
    json.dumps(meta)
    assert set(data["model_config"]) == set(ModelConfig.__dataclass_fields__)
    assert os.path.getsize(saved) > 0


@pytest.mark.gpu
def test_load_onto_cuda(saved: Path) -> None:
    model = load_checkpoint(saved).build_model("cuda")
    assert next(model.parameters()).is_cuda
