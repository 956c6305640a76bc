"""The policy/value network: one transformer encoder shared by goals and tactics.

    goal    [CLS] g1 g2 ... gn   --encoder-->  goal states G (n x d), goal vector g = G[0]
    tactic  [SEP] t1 ... tm      --encoder-->  tactic vector t (its position 0)
    context c = attention(query t, keys/values G)   (lets `exact h₀` look for h₀ in the goal)
    policy logit(goal, tactic) = MLP([g, t, c, g*t, c*t])
    value logit(goal)          = MLP(g),   P(provable) = sigmoid(value logit)
    tactic decoder             = writes tactics token by token, attending to G (`decoder`)

The policy head only RANKS tactics somebody proposed; the decoder PROPOSES them (see
`prover.net.decoder`), so the network can reach tactics no rule of the action space writes.

Tactics are encoded once per batch however many goals list them (the closers recur
everywhere), and a `[goals, K]` index into that table says which tactics each goal ranks;
`-1` pads goals with fewer than K candidates and is masked out of the policy.

Pre-norm blocks (LayerNorm before attention and MLP), learned positions, GELU, no bias
tricks: the shape of GPT-2 made bidirectional. Goals longer than `max_len` keep their END
(the `⊢` target) and lose leading hypotheses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from prover.net.decoder import DecoderSettings, TacticDecoder
from prover.net.tokenizer import CLS, PAD, SEP, Tokenizer


@dataclass(frozen=True, slots=True)
class ModelConfig:
    vocab_size: int
    d_model: int = 128
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 512
    max_len: int = 256  # positions, counting the leading CLS/SEP
    dropout: float = 0.0
    decoder_layers: int = 1  # of the tactic decoder (`prover.net.decoder`); 0: no decoder
    max_tactic_len: int = 64  # decoder positions: a tactic's tokens plus SEP

    def __post_init__(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} is not a multiple of n_heads {self.n_heads}")
        if min(self.vocab_size, self.d_model, self.n_layers, self.n_heads, self.d_ff) < 1 or self.max_len < 2:
            raise ValueError(f"model sizes must be positive: {self}")
        if self.decoder_layers < 0 or self.max_tactic_len < 2:
            raise ValueError(f"decoder sizes must be non-negative (layers) and at least 2 (positions): {self}")

    @classmethod
    def tiny(cls, vocab_size: int = 512) -> ModelConfig:
        """Fast on 2 CPU cores: tests, CPU self-play, smoke runs."""
        return cls(vocab_size, d_model=64, n_layers=2, n_heads=4, d_ff=256, max_len=256, decoder_layers=1)

    @classmethod
    def gpu(cls, vocab_size: int = 512) -> ModelConfig:
        """Tens of millions of parameters, for a real training run on a GPU."""
        return cls(vocab_size, d_model=512, n_layers=8, n_heads=8, d_ff=2048, max_len=1024, decoder_layers=4)


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Attention(nn.Module):
    """Multi-head attention of queries `x` over keys/values `kv`; `kv_mask` is True on real tokens."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.n_heads = cfg.n_heads
        self.q = nn.Linear(cfg.d_model, cfg.d_model)
        self.kv = nn.Linear(cfg.d_model, 2 * cfg.d_model)
        self.out = nn.Linear(cfg.d_model, cfg.d_model)
        self.dropout = cfg.dropout

    def forward(self, x: Tensor, kv: Tensor, kv_mask: Tensor) -> Tensor:
        b, lq, d = x.shape
        h = self.n_heads
        q = self.q(x).view(b, lq, h, d // h).transpose(1, 2)
        k, v = self.kv(kv).view(b, kv.shape[1], 2, h, d // h).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(
            q, k, v, attn_mask=kv_mask[:, None, None, :], dropout_p=self.dropout if self.training else 0.0
        )
        return self.out(y.transpose(1, 2).reshape(b, lq, d))


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.d_model, cfg.d_ff), nn.GELU(), nn.Linear(cfg.d_ff, cfg.d_model), nn.Dropout(cfg.dropout)
        )

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        h = self.ln1(x)
        x = x + self.attn(h, h, mask)
        return x + self.mlp(self.ln2(x))


@dataclass(frozen=True, slots=True)
class Batch:
    """Token tensors for a batch of goals with their candidates (see the module docstring)."""

    goal_ids: Tensor  # [B, L] long, PAD-padded, CLS first
    tactic_ids: Tensor  # [T, Lt] long, the batch's distinct tactics, SEP first
    candidates: Tensor  # [B, K] long, row of `tactic_ids` or -1

    def to(self, device: torch.device | str) -> Batch:
        return Batch(*(t.to(device, non_blocking=True) for t in (self.goal_ids, self.tactic_ids, self.candidates)))


def _pad(rows: Sequence[Sequence[int]], fill: int) -> Tensor:
    width = max((len(r) for r in rows), default=0)
    return torch.tensor([[*r, *(fill,) * (width - len(r))] for r in rows], dtype=torch.long).view(len(rows), width)


def goal_tensor(tokenizer: Tokenizer, max_len: int, goals: Sequence[str]) -> Tensor:
    """[B, L] CLS-led rows; a goal too long keeps its end (the target)."""
    return _pad([(CLS, *tokenizer.encode(g)[-(max_len - 1) :]) for g in goals], PAD)


def tactic_table(tactics: Sequence[Sequence[str]]) -> tuple[list[str], Tensor]:
    """The distinct tactics (first-seen order) and, per goal, its candidates' rows in them."""
    table: dict[str, int] = {}
    for ts in tactics:
        for t in ts:
            table.setdefault(t, len(table))
    return list(table), _pad([[table[t] for t in ts] for ts in tactics], -1)


def tactic_tensor(tokenizer: Tokenizer, max_len: int, tactics: Sequence[str]) -> Tensor:
    """[T, Lt] SEP-led rows, truncated to `max_len`."""
    return _pad([(SEP, *tokenizer.encode(t)[: max_len - 1]) for t in tactics], PAD)


def make_batch(
    tokenizer: Tokenizer, max_len: int, goals: Sequence[str], tactics: Sequence[Sequence[str]]
) -> Batch:
    """Tokenize, truncate, de-duplicate tactics and pad."""
    if len(goals) != len(tactics):
        raise ValueError(f"{len(goals)} goals but {len(tactics)} candidate lists")
    distinct, candidates = tactic_table(tactics)
    return Batch(goal_tensor(tokenizer, max_len, goals), tactic_tensor(tokenizer, max_len, distinct), candidates)


class PolicyValueNet(nn.Module):
    """`forward(batch) -> (policy logits [B, K] with -inf on padding, value logits [B])`.

    Carries its tokenizer (not a parameter) so one object is all a caller needs. `seed=None`
    skips the seeded initialization, for a model about to receive loaded weights."""

    def __init__(self, config: ModelConfig, tokenizer: Tokenizer, *, seed: int | None = 0) -> None:
        super().__init__()
        if tokenizer.vocab_size != config.vocab_size:
            raise ValueError(f"tokenizer has {tokenizer.vocab_size} tokens, config says {config.vocab_size}")
        self.config = config
        self.tokenizer = tokenizer
        d = config.d_model
        self.embed = nn.Embedding(config.vocab_size, d)
        self.position = nn.Embedding(config.max_len, d)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.ln_f = nn.LayerNorm(d)
        self.cross = Attention(config)
        self.ln_ctx = nn.LayerNorm(d)
        self.policy = nn.Sequential(nn.Linear(5 * d, d), nn.GELU(), nn.Linear(d, 1))
        self.value = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, 1))
        self.decoder = (
            TacticDecoder(d, n_layers=config.decoder_layers, n_heads=config.n_heads, d_ff=config.d_ff,
                          max_len=config.max_tactic_len)
            if config.decoder_layers else None
        )
        if seed is not None:
            self._init_weights(seed)

    def _init_weights(self, seed: int) -> None:
        """GPT-2 style: N(0, 0.02), residual projections scaled down by depth; seeded."""
        gen = torch.Generator().manual_seed(seed)
        residual_std = 0.02 / math.sqrt(2 * self.config.n_layers)
        for name, p in self.named_parameters():
            if p.dim() < 2:
                continue
            std = residual_std if name.endswith(("attn.out.weight", "mlp.2.weight")) else 0.02
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=gen) * std)
        for module in self.modules():
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

    def batch(self, goals: Sequence[str], tactics: Sequence[Sequence[str]]) -> Batch:
        return make_batch(self.tokenizer, self.config.max_len, goals, tactics)

    def encode(self, ids: Tensor) -> tuple[Tensor, Tensor]:
        """States [N, L, d] (final-normed) and the real-token mask [N, L] of token rows."""
        mask = ids != PAD
        x = self.embed(ids) + self.position(torch.arange(ids.shape[1], device=ids.device))
        for block in self.blocks:
            x = block(x, mask)
        return self.ln_f(x), mask

    def tactic_vectors(self, tactic_ids: Tensor) -> Tensor:
        """[T, d]: each tactic row's vector (its SEP position)."""
        if tactic_ids.shape[0] == 0:
            return self.embed.weight.new_zeros((0, self.config.d_model))
        return self.encode(tactic_ids)[0][:, 0]

    def heads(self, states: Tensor, mask: Tensor, tactic_vecs: Tensor, candidates: Tensor) -> tuple[Tensor, Tensor]:
        """Policy logits [B, K] (-inf where `candidates` is -1) and value logits [B] from encoded
        goals and a table of tactic vectors that `candidates` indexes."""
        g = states[:, 0]
        value = self.value(g).squeeze(-1)
        if candidates.shape[1] == 0:
            return states.new_zeros(candidates.shape), value
        valid = candidates >= 0
        t = tactic_vecs[candidates.clamp(min=0)]  # [B, K, d]
        c = self.ln_ctx(self.cross(t, states, mask))
        g = g[:, None, :].expand_as(t)
        logits = self.policy(torch.cat([g, t, c, g * t, c * t], dim=-1)).squeeze(-1)
        return logits.masked_fill(~valid, float("-inf")), value

    def forward(self, batch: Batch) -> tuple[Tensor, Tensor]:
        states, mask = self.encode(batch.goal_ids)
        return self.heads(states, mask, self.tactic_vectors(batch.tactic_ids), batch.candidates)

    def decoder_logits(self, ids: Tensor, states: Tensor, mask: Tensor) -> Tensor:
        """The decoder's next-token logits [N, T, V] for tactic rows `ids` (SEP-led) given
        encoded goals `states`/`mask` (one per row)."""
        if self.decoder is None:
            raise ValueError("this model has no tactic decoder (decoder_layers = 0)")
        return self.decoder(self.embed, ids, states, mask)

    def sample_tactics(
        self, states: Tensor, mask: Tensor, settings: DecoderSettings, seeds: Sequence[int]
    ) -> list[list[tuple[str, float]]]:
        """Per encoded goal, the decoder's samples as text with their log-probabilities; samples
        whose tokens are not text (`Tokenizer.text_of` of nothing) are dropped; `seeds`, one per
        goal, fix its samples (`TacticDecoder.sample`). No decoder, no samples."""
        if self.decoder is None or settings.samples == 0:
            return [[] for _ in range(states.shape[0])]
        rows = self.decoder.sample(self.embed, states, mask, settings, seeds)
        text = self.tokenizer.text_of
        return [[(t, lp) for ids, lp in row if (t := text(ids).strip())] for row in rows]


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
