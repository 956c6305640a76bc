"""The tactic decoder: a small autoregressive transformer that writes tactics for a goal.

    [SEP] t1 t2 ... tm            (tactic text, lossless tokens: `Tokenizer.encode_text`)
      -> causal self-attention, cross-attention to the encoded goal (`PolicyValueNet.encode`)
      -> next-token logits over the vocabulary (output tied to the token embedding)
    ... until [CLS], which ends a tactic (CLS never occurs inside tactic text)

It is the generative half of the policy (the ranking head scores the action space's rule-based
candidates): Lean's moves are unbounded, so the policy has to be able to write moves no rule
proposes. It learns only from self-play (the tactics of verified proofs and the search's visit
distributions, `prover.net.train.decoder_loss`), never from text a person wrote.

Sampling is batched over goals x samples and incremental (the goal's keys/values once per
layer, a key/value cache for the tactic so far): recomputing the whole prefix and the goal's
projections at every step made sampling ~160x the cost of encoding the goals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from prover.net.tokenizer import CLS, NEWLINE, PAD, SEP, UNK


@dataclass(frozen=True, slots=True)
class DecoderSettings:
    """How tactics are sampled: `samples` per goal from the decoder's own distribution at
    `temperature` (Sampled MuZero samples from the policy itself, T = 1), at most `max_tokens`
    tokens each (longer samples are dropped)."""

    samples: int = 8
    temperature: float = 1.0
    max_tokens: int = 63  # the tiny and gpu presets' decoders hold 63 tokens after SEP

    def __post_init__(self) -> None:
        if self.samples < 0 or self.temperature <= 0 or self.max_tokens < 1:
            raise ValueError(f"bad decoder settings: {self}")


class _SelfAttention(nn.Module):
    def __init__(self, d: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)

    def forward(self, x: Tensor, mask: Tensor | None, cache: list[Tensor] | None = None) -> Tensor:
        """Over all of `x` with `mask` [N, T, T]; or, with `cache` ([] at the first step), over
        one new position attending to the cached keys/values, which it extends."""
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        if cache is not None:
            if cache:
                k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
            cache[:] = [k, v]
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=None if mask is None else mask[:, None])
        return self.out(y.transpose(1, 2).reshape(b, t, d))


class _CrossAttention(nn.Module):
    def __init__(self, d: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(d, 2 * d)
        self.out = nn.Linear(d, d)

    def keys(self, goal: Tensor) -> tuple[Tensor, Tensor]:
        """The goal's keys and values [N, h, L, d/h]: computed once per goal, not per token."""
        b, n, d = goal.shape
        k, v = self.kv(goal).view(b, n, 2, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        return k, v

    def forward(self, x: Tensor, kv: tuple[Tensor, Tensor], kv_mask: Tensor) -> Tensor:
        b, t, d = x.shape
        q = self.q(x).view(b, t, self.n_heads, d // self.n_heads).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, kv[0], kv[1], attn_mask=kv_mask[:, None, None, :])
        return self.out(y.transpose(1, 2).reshape(b, t, d))


class _Block(nn.Module):
    """Pre-norm: causal self-attention, cross-attention to the goal, MLP."""

    def __init__(self, d: int, n_heads: int, d_ff: int) -> None:
        super().__init__()
        self.ln1, self.ln2, self.ln3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = _SelfAttention(d, n_heads)
        self.cross = _CrossAttention(d, n_heads)
        self.mlp = nn.Sequential(nn.Linear(d, d_ff), nn.GELU(), nn.Linear(d_ff, d))

    def forward(
        self, x: Tensor, self_mask: Tensor | None, goal_kv: tuple[Tensor, Tensor], goal_mask: Tensor,
        cache: list[Tensor] | None = None,
    ) -> Tensor:
        x = x + self.attn(self.ln1(x), self_mask, cache)
        x = x + self.cross(self.ln2(x), goal_kv, goal_mask)
        return x + self.mlp(self.ln3(x))


class TacticDecoder(nn.Module):
    """`forward(embed, ids, goal, goal_mask) -> logits [N, T, V]`; `sample(...)` writes tactics.
    `embed` is the encoder's token embedding, passed in (shared with the encoder and tied to
    the output layer, so it is not a parameter of this module)."""

    def __init__(self, d: int, *, n_layers: int, n_heads: int, d_ff: int, max_len: int) -> None:
        super().__init__()
        self.max_len = max_len
        self.position = nn.Embedding(max_len, d)
        self.blocks = nn.ModuleList(_Block(d, n_heads, d_ff) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d)

    def layers(self) -> list[_Block]:
        return cast(list[_Block], list(self.blocks))

    def forward(self, embed: nn.Embedding, ids: Tensor, goal: Tensor, goal_mask: Tensor) -> Tensor:
        """Next-token logits at every position of `ids` ([N, T], SEP-led, PAD after the end);
        `goal`/`goal_mask` are the encoder's states [N, L, d] and real-token mask [N, L]."""
        t = ids.shape[1]
        x = embed(ids) + self.position(torch.arange(t, device=ids.device))
        causal = torch.ones(t, t, dtype=torch.bool, device=ids.device).tril()
        self_mask = causal[None] & (ids != PAD)[:, None, :]
        for block in self.layers():
            x = block(x, self_mask, block.cross.keys(goal), goal_mask)
        return self.ln_f(x) @ embed.weight.T

    @torch.no_grad()
    def sample(
        self,
        embed: nn.Embedding,
        goal: Tensor,
        goal_mask: Tensor,
        settings: DecoderSettings,
        seeds: Sequence[int],
    ) -> list[list[tuple[tuple[int, ...], float]]]:
        """`settings.samples` token sequences per goal (CLS and SEP stripped), each with its
        log-probability under the decoder at temperature 1; unfinished ones are left out.

        Goal `i`'s samples are drawn with uniforms from its own generator seeded by `seeds[i]`
        (inverse-CDF sampling), so they depend on the goal and its seed only, not on which
        goals share the batch: evaluations are reproducible however requests are batched.
        Special tokens other than the closing CLS are never drawn (their text is nothing).

        Incremental: the goal's keys/values are computed once per layer (for the N goals, then
        shared by their K samples) and each layer caches its self-attention keys/values, so a
        step costs one position, not the whole prefix (`forward` gives the same logits)."""
        n, k = goal.shape[0], settings.samples
        if len(seeds) != n:
            raise ValueError(f"{len(seeds)} seeds for {n} goals")
        if n == 0 or k == 0:
            return [[] for _ in range(n)]
        steps = min(settings.max_tokens + 1, self.max_len)
        uniforms = torch.stack([torch.rand(k, steps, generator=torch.Generator().manual_seed(s)) for s in seeds])
        uniforms = uniforms.view(n * k, steps).to(goal.device)
        goal_mask = goal_mask.repeat_interleave(k, 0)
        layers = self.layers()
        goal_kv = [(kk.repeat_interleave(k, 0), vv.repeat_interleave(k, 0))
                   for kk, vv in (block.cross.keys(goal) for block in layers)]
        caches: list[list[Tensor]] = [[] for _ in layers]
        never = torch.tensor([PAD, SEP, UNK, NEWLINE], device=goal.device)
        token = torch.full((n * k,), SEP, dtype=torch.long, device=goal.device)
        rows: list[Tensor] = []
        logp = torch.zeros(n * k, dtype=torch.float64, device=goal.device)
        ended = torch.zeros(n * k, dtype=torch.bool, device=goal.device)
        for pos in range(steps):
            x = (embed(token) + self.position.weight[pos])[:, None, :]
            for block, kv, cache in zip(layers, goal_kv, caches, strict=True):
                x = block(x, None, kv, goal_mask, cache)
            logits = (self.ln_f(x[:, 0]) @ embed.weight.T).float()
            drawable = logits.index_fill(1, never, float("-inf")) / settings.temperature
            cdf = torch.softmax(drawable, dim=-1).cumsum(-1)
            token = torch.searchsorted(cdf, uniforms[:, pos : pos + 1] * cdf[:, -1:]).squeeze(-1)
            token = token.clamp(max=logits.shape[1] - 1)
            step_logp = torch.log_softmax(logits, dim=-1).gather(1, token[:, None]).squeeze(-1).double()
            token = token.masked_fill(ended, PAD)
            logp += step_logp.masked_fill(ended, 0.0)
            rows.append(token)
            ended |= token == CLS
            if bool(ended.all()):
                break
        drawn, finished, total = torch.stack(rows, 1).tolist(), ended.tolist(), logp.tolist()
        out: list[list[tuple[tuple[int, ...], float]]] = [[] for _ in range(n)]
        for j, (row, done, lp) in enumerate(zip(drawn, finished, total, strict=True)):
            if done:
                out[j // k].append((tuple(row[: row.index(CLS)]), lp))
        return out


def teacher_forcing(ids: list[tuple[int, ...]], max_len: int, device: torch.device) -> tuple[Tensor, Tensor]:
    """Inputs [N, T] (`SEP t1 .. tm`, PAD-padded) and targets [N, T] (`t1 .. tm CLS`, PAD where
    no loss is taken) for sequences that fit `max_len` positions."""
    width = max(len(s) for s in ids) + 1
    inputs = torch.full((len(ids), width), PAD, dtype=torch.long)
    targets = torch.full((len(ids), width), PAD, dtype=torch.long)
    for i, seq in enumerate(ids):
        if len(seq) + 1 > max_len:
            raise ValueError(f"a tactic of {len(seq)} tokens does not fit {max_len} positions")
        inputs[i, : len(seq) + 1] = torch.tensor((SEP, *seq))
        targets[i, : len(seq) + 1] = torch.tensor((*seq, CLS))
    return inputs.to(device), targets.to(device)
