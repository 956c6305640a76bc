"""Training the network on search records (AlphaZero's (s, pi, z)).

Loss = cross-entropy of the policy against the visit distribution + `value_weight` x binary
cross-entropy of the value against the record's value target + `decoder_weight` x the tactic
decoder's cross-entropy (per token) on one tactic per record drawn from its visit distribution (an
unbiased estimate of the cross-entropy against the whole distribution: Sampled MuZero trains
the policy toward the search's improved policy; a proved goal's record puts its mass on the
tactics that start its shortest proofs, `search.targets`). Tactics whose text the tokenizer
cannot write (`Tokenizer.encode_text`) or that are too long give no decoder target. AdamW (weight decay on
matrices only, not on norms and biases), gradient clipping, linear warmup then a cosine decay
to `min_lr_ratio` x lr. Records are shuffled per epoch by a generator seeded from the config,
so the same model, records and config give the same run.

Records are anything shaped like `search.targets.TrainingRecord`: goal, tactics, visits, value.
"""

from __future__ import annotations

import contextlib
import math
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import Tensor

from prover.net.decoder import teacher_forcing
from prover.net.model import PolicyValueNet, default_device
from prover.net.tokenizer import PAD

_PAD_LOGIT = -1e4  # finite stand-in for -inf, so rows without candidates give no NaN gradients


class Record(Protocol):
    @property
    def goal(self) -> str: ...
    @property
    def tactics(self) -> tuple[str, ...]: ...
    @property
    def visits(self) -> tuple[float, ...]: ...
    @property
    def value(self) -> float: ...


@dataclass(frozen=True, slots=True)
class TrainConfig:
    steps: int = 1000
    batch_size: int = 32
    lr: float = 1e-3
    min_lr_ratio: float = 0.1
    warmup_steps: int = 50
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    value_weight: float = 1.0
    decoder_weight: float = 1.0  # 0: the decoder is not trained
    seed: int = 0
    log_every: int = 100  # steps between progress reports; 0 for none
    device: str | None = None  # None: cuda when available, else cpu

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch_size < 1 or self.warmup_steps < 0 or self.lr <= 0 or self.log_every < 0:
            raise ValueError(f"bad training config: {self}")


@dataclass(frozen=True, slots=True)
class TrainProgress:
    step: int
    steps: int
    loss: float  # means over the steps since the previous report
    policy_loss: float
    value_loss: float
    lr: float
    seconds: float
    decoder_loss: float = 0.0


@dataclass(frozen=True, slots=True)
class TrainStats:
    steps: int
    loss: float  # mean over the last reporting window (the last `log_every` steps)
    policy_loss: float
    value_loss: float
    seconds: float
    history: tuple[TrainProgress, ...]
    decoder_loss: float = 0.0


@dataclass(frozen=True, slots=True)
class RecordMetrics:
    top1: float  # share of records (with tactics) whose policy argmax is the visits' argmax
    policy_loss: float
    value_loss: float
    decoder_loss: float = 0.0  # per token of the target tactics (each record's most visited tactic)


def lr_factor(step: int, config: TrainConfig) -> float:
    """Multiplier of `config.lr` at `step` (0-based): warmup, then cosine to `min_lr_ratio`."""
    if step < config.warmup_steps:
        return (step + 1) / config.warmup_steps
    span = max(config.steps - config.warmup_steps, 1)
    progress = min((step - config.warmup_steps) / span, 1.0)
    return config.min_lr_ratio + (1 - config.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def print_progress(p: TrainProgress) -> None:
    print(
        f"step {p.step}/{p.steps}  loss {p.loss:.4f}  policy {p.policy_loss:.4f}  value {p.value_loss:.4f}"
        f"  decoder {p.decoder_loss:.4f}  lr {p.lr:.2e}  {p.seconds:.1f}s",
        file=sys.stderr,
        flush=True,
    )


class Trainer:
    """A model with its optimizer and its place in the schedule: training that goes on chunk
    by chunk (self-play's learner) and can be checkpointed and resumed (`state_dict`)."""

    def __init__(self, model: PolicyValueNet, config: TrainConfig) -> None:
        self.model, self.config = model, config
        self.device = torch.device(config.device) if config.device else default_device()
        model.to(self.device).train()
        decay = [p for p in model.parameters() if p.dim() >= 2]
        no_decay = [p for p in model.parameters() if p.dim() < 2]
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=config.lr,
            betas=(0.9, 0.95),
        )
        self.step_count = 0  # optimizer steps taken so far
        self.rng = random.Random(config.seed)  # draws the decoder's target tactics

    def step(self, records: Sequence[Record]) -> Tensor:
        """One optimizer step on `records`; returns [loss, policy, value, decoder] (not synced)."""
        config, model = self.config, self.model
        model.train()
        lr = config.lr * lr_factor(self.step_count, config)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        with _autocast(self.device):
            _, policy_loss, value_loss, decoder_loss = losses(
                model, records, self.device, rng=self.rng, decoder=config.decoder_weight > 0
            )
            loss = policy_loss + config.value_weight * value_loss
            if config.decoder_weight > 0:
                loss = loss + config.decoder_weight * decoder_loss
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        self.optimizer.step()
        self.step_count += 1
        return torch.stack([loss, policy_loss, value_loss, decoder_loss]).detach()

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def state_dict(self) -> dict[str, object]:
        return {"optimizer": self.optimizer.state_dict(), "step": self.step_count}

    def load_state_dict(self, state: dict) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.step_count = int(state["step"])


def train(
    model: PolicyValueNet,
    records: Sequence[Record],
    config: TrainConfig,
    *,
    on_progress: Callable[[TrainProgress], None] | None = print_progress,
) -> TrainStats:
    """Train `model` in place for `config.steps` steps; progress every `log_every` steps."""
    if not records:
        raise ValueError("no training records")
    _check(records)
    torch.manual_seed(config.seed)  # dropout, if the config has any
    trainer = Trainer(model, config)
    order = _batches(len(records), min(config.batch_size, len(records)), config.seed)
    history: list[TrainProgress] = []
    window: list[Tensor] = []  # per step [loss, policy, value], read back only when reporting
    start = time.monotonic()
    for step in range(config.steps):
        window.append(trainer.step([records[i] for i in next(order)]))
        last = step + 1 == config.steps
        if last or (config.log_every and (step + 1) % config.log_every == 0):
            loss, policy, value, decoder = torch.stack(window).float().mean(0).tolist()
            history.append(TrainProgress(step + 1, config.steps, loss, policy, value, trainer.lr,
                                         time.monotonic() - start, decoder))
            window = []
            if on_progress is not None and (config.log_every or last):
                on_progress(history[-1])
    model.eval()
    end = history[-1]
    return TrainStats(config.steps, end.loss, end.policy_loss, end.value_loss, end.seconds, tuple(history),
                      end.decoder_loss)


def losses(
    model: PolicyValueNet, records: Sequence[Record], device: torch.device, *, rng: random.Random | None = None,
    decoder: bool = True,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Policy logits [B, K], and the batch means of the policy cross-entropy against the visit
    distributions, of the value BCE and of the decoder's cross-entropy per target tactic (0
    without a decoder or targets, or when `decoder` is False). The decoder's target per record is
    drawn from its visits by `rng`, or is its most visited tactic when `rng` is None."""
    batch = model.batch([r.goal for r in records], [r.tactics for r in records]).to(device)
    states, mask = model.encode(batch.goal_ids)
    logits, value_logits = model.heads(states, mask, model.tactic_vectors(batch.tactic_ids), batch.candidates)
    valid = batch.candidates >= 0
    targets = torch.zeros(valid.shape, dtype=torch.float32)
    for i, r in enumerate(records):
        targets[i, : len(r.visits)] = torch.tensor(r.visits, dtype=torch.float32)
    targets = targets.to(device)
    total = targets.sum(-1, keepdim=True)
    has_policy = total.squeeze(-1) > 0
    targets = targets / total.clamp(min=1e-12)
    log_probs = torch.log_softmax(logits.float().masked_fill(~valid, _PAD_LOGIT), dim=-1)
    per_record = -(targets * log_probs).sum(-1)
    policy_loss = (per_record * has_policy).sum() / has_policy.sum().clamp(min=1)
    value_targets = torch.tensor([float(r.value) for r in records], device=device)
    value_loss = F.binary_cross_entropy_with_logits(value_logits.float(), value_targets)
    decoder_loss = _decoder_loss(model, records, states, mask, rng) if decoder else value_loss.new_zeros(())
    return logits, policy_loss, value_loss, decoder_loss


def decoder_targets(
    model: PolicyValueNet, records: Sequence[Record], rng: random.Random | None
) -> list[tuple[int, tuple[int, ...]]]:
    """(record index, tactic tokens) of each record's target tactic: drawn from its visit
    distribution by `rng` (the most visited one when None); records without visits, and
    tactics the tokenizer cannot write or the decoder cannot hold, give none."""
    if model.decoder is None:
        return []
    limit = model.config.max_tactic_len - 1
    out = []
    for i, r in enumerate(records):
        if not r.tactics or sum(r.visits) <= 0:
            continue
        if rng is None:
            a = max(range(len(r.visits)), key=r.visits.__getitem__)
        else:
            a = rng.choices(range(len(r.visits)), weights=r.visits)[0]
        ids = model.tokenizer.encode_text(r.tactics[a])
        if ids and len(ids) <= limit:
            out.append((i, ids))
    return out


def _decoder_loss(
    model: PolicyValueNet, records: Sequence[Record], states: Tensor, mask: Tensor, rng: random.Random | None
) -> Tensor:
    targets = decoder_targets(model, records, rng)
    if not targets:
        return states.new_zeros(()).float()
    rows = torch.tensor([i for i, _ in targets], device=states.device)
    inputs, wanted = teacher_forcing([ids for _, ids in targets], model.config.max_tactic_len, states.device)
    logits = model.decoder_logits(inputs, states[rows], mask[rows]).float()
    # per token, so the decoder's term stays on the scale of the policy and value terms (summed
    # over a tactic's ~15 tokens it was ~20x larger and, through the shared encoder and gradient
    # clipping, slowed the ranking and value heads' learning)
    return F.cross_entropy(logits.transpose(1, 2), wanted, ignore_index=PAD)


@torch.no_grad()
def evaluate_records(model: PolicyValueNet, records: Sequence[Record], *, batch_size: int = 64) -> RecordMetrics:
    """Top-1 agreement with the visits' argmax and the mean losses, without training."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    hits = scored = decoded = 0
    policy_sum = value_sum = decoder_sum = 0.0
    for lo in range(0, len(records), batch_size):
        chunk = records[lo : lo + batch_size]
        with _autocast(device):
            logits, policy_loss, value_loss, decoder_loss = losses(model, chunk, device)
        n_tokens = sum(len(ids) + 1 for _, ids in decoder_targets(model, chunk, None))  # + CLS
        decoder_sum += decoder_loss.item() * n_tokens
        decoded += n_tokens
        n_policy = sum(1 for r in chunk if r.tactics and sum(r.visits) > 0)
        policy_sum += policy_loss.item() * n_policy
        value_sum += value_loss.item() * len(chunk)
        best = logits.argmax(-1).tolist()
        for r, b in zip(chunk, best, strict=True):
            if r.tactics and sum(r.visits) > 0:
                scored += 1
                hits += b == max(range(len(r.visits)), key=r.visits.__getitem__)
    model.train(was_training)
    return RecordMetrics(hits / max(scored, 1), policy_sum / max(scored, 1), value_sum / max(len(records), 1),
                         decoder_sum / max(decoded, 1))


def _check(records: Sequence[Record]) -> None:
    for r in records:
        if len(r.visits) != len(r.tactics):
            raise ValueError(f"record for {r.goal!r}: {len(r.visits)} visit shares for {len(r.tactics)} tactics")
        if not 0.0 <= r.value <= 1.0 or any(v < 0 for v in r.visits):
            raise ValueError(f"record for {r.goal!r}: value outside [0, 1] or a negative visit share")


def _batches(n: int, size: int, seed: int) -> Iterator[list[int]]:
    """Endless: index lists of `size`, reshuffled every epoch (a short tail is dropped)."""
    gen = torch.Generator().manual_seed(seed)
    while True:
        perm = torch.randperm(n, generator=gen).tolist()
        for lo in range(0, n - size + 1, size):
            yield perm[lo : lo + size]


def _autocast(device: torch.device) -> contextlib.AbstractContextManager[object]:
    return torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()
