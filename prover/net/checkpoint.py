"""Checkpoints: model config, tokenizer, weights, training step and a format version.

On disk: `torch.save` of a plain dict (strings, numbers, lists, dicts and CPU tensors, no
pickled classes), read back with `torch.load(weights_only=True)`. Written atomically (temp
file in the same directory, fsync, `os.replace`), so a crash mid-write leaves the old file.
Anything unexpected on load (unreadable bytes, a missing or extra field, another format
version, weights that do not fit the config) raises `CheckpointError` naming the file and
the problem, before any model is built.

torch is imported inside the functions: the CLI may import `CheckpointError` cheaply.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prover.net.tokenizer import Tokenizer
from prover.storage import atomic_path

if TYPE_CHECKING:
    import torch

    from prover.net.model import ModelConfig, PolicyValueNet

FORMAT = "leanzero-checkpoint"
FORMAT_VERSION = 1
_FIELDS = ("format", "format_version", "model_config", "tokenizer", "weights", "step", "metadata")
# model_config fields added after format version 1 was fixed, with the value that reads an older file
_ADDED = {"decoder_layers": 0, "max_tactic_len": 64}  # before the tactic decoder: none


class CheckpointError(Exception):
    """A checkpoint we refuse to use; the message names the path and what is wrong."""


@dataclass(frozen=True)
class Checkpoint:
    config: ModelConfig
    tokenizer: Tokenizer
    weights: dict[str, torch.Tensor] = field(repr=False)
    step: int
    metadata: dict[str, Any]  # JSON-able: what trained it, on what
    path: str = ""

    def build_model(self, device: torch.device | str | None = None) -> PolicyValueNet:
        """A fresh model holding these weights, in eval mode, on `device` (default: CPU)."""
        from prover.net.model import PolicyValueNet

        model = PolicyValueNet(self.config, self.tokenizer, seed=None)
        model.load_state_dict(self.weights)
        return model.to(device or "cpu").eval()


def save_checkpoint(
    path: str | Path, model: PolicyValueNet, *, step: int = 0, metadata: dict[str, Any] | None = None
) -> None:
    """Write `model` (config, tokenizer, weights) with `step` and JSON-able `metadata`."""
    import torch

    metadata = dict(metadata or {})
    try:
        json.dumps(metadata)
    except (TypeError, ValueError) as e:
        raise ValueError(f"checkpoint metadata must be JSON-able: {e}") from None
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_config": dataclasses.asdict(model.config),
        "tokenizer": model.tokenizer.to_dict(),
        "weights": {k: v.detach().to("cpu", copy=True).contiguous() for k, v in model.state_dict().items()},
        "step": int(step),
        "metadata": metadata,
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read and validate a checkpoint; `CheckpointError` for anything we would not trust."""
    import torch

    from prover.net.model import ModelConfig, PolicyValueNet

    where = str(path)

    def fail(problem: str) -> CheckpointError:
        return CheckpointError(f"checkpoint {where}: {problem}")

    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise fail("no such file") from None
    except Exception as e:  # torch reports corruption through many exception types
        raise fail(f"unreadable, truncated or not a checkpoint ({type(e).__name__} from torch.load)") from e
    if not isinstance(data, dict):
        raise fail(f"holds a {type(data).__name__}, not a checkpoint dict")
    if "format" in data and data["format"] != FORMAT:
        raise fail(f"format is {data['format']!r}, expected {FORMAT!r}")
    if "format_version" in data and data["format_version"] != FORMAT_VERSION:
        raise fail(f"format version {data['format_version']!r}, this code reads version {FORMAT_VERSION}")
    missing = [k for k in _FIELDS if k not in data]
    if missing:
        raise fail(f"missing field(s) {', '.join(missing)}")
    extra = sorted(set(data) - set(_FIELDS))
    if extra:
        raise fail(f"unexpected field(s) {', '.join(map(str, extra))}")
    if not isinstance(data["step"], int) or data["step"] < 0:
        raise fail(f"step {data['step']!r} is not a non-negative integer")
    if not isinstance(data["metadata"], dict):
        raise fail("metadata is not a dict")

    raw = data["model_config"]
    if isinstance(raw, dict):
        raw = {**{k: v for k, v in _ADDED.items() if k not in raw}, **raw}
    names = {f.name for f in dataclasses.fields(ModelConfig)}
    if not isinstance(raw, dict) or set(raw) != names:
        got = set(raw) if isinstance(raw, dict) else set()
        raise fail(f"model_config fields differ: missing {sorted(names - got)}, unexpected {sorted(got - names)}")
    try:
        config = ModelConfig(**raw)
        tokenizer = Tokenizer.from_dict(data["tokenizer"])
    except (TypeError, ValueError) as e:
        raise fail(str(e)) from None
    if tokenizer.vocab_size != config.vocab_size:
        raise fail(f"tokenizer has {tokenizer.vocab_size} tokens but model_config says {config.vocab_size}")

    weights = data["weights"]
    expected = {k: v.shape for k, v in PolicyValueNet(config, tokenizer, seed=None).state_dict().items()}
    if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise fail("weights are not a dict of tensors")
    if set(weights) != set(expected):
        raise fail(
            f"weights do not match the config: missing {sorted(set(expected) - set(weights))[:5]}, "
            f"unexpected {sorted(set(weights) - set(expected))[:5]}"
        )
    for k, shape in expected.items():
        if weights[k].shape != shape or weights[k].dtype != torch.float32:
            raise fail(
                f"weight {k} has dtype {weights[k].dtype} and shape {tuple(weights[k].shape)}; "
                f"the config needs torch.float32 and {tuple(shape)}"
            )
    return Checkpoint(config, tokenizer, weights, data["step"], data["metadata"], where)
