"""The network as the search's `Evaluator`: batched, bucketed, no gradients.

One call encodes the distinct candidate tactics of all its requests once (the closers recur
in every request), then the goals in length buckets: requests sorted by goal length and cut
into chunks of at most `max_batch` goals and `max_tokens` padded tokens, and also cut where
the goals grow past `bucket_ratio` times the chunk's shortest (once the chunk has `min_bucket`
goals), so each chunk pads to nearly its own length. Results go back in request order.

With `decoder` settings and a model with a tactic decoder, each goal also gets the decoder's
samples (`prover.net.decoder`, in the same batches as the goals' encoding). The prior is
then Sampled MuZero's for a policy made of two parts: the ranking head over the rule-based
candidates with weight 1 - `decoder_share`, and the decoder with weight `decoder_share`,
represented by its K samples' empirical distribution (count / K: Sampled MuZero's prior
(beta_hat / beta) * pi when the samples are drawn from pi itself, beta = pi). A sample equal to
a candidate (up to whitespace) adds its share to that candidate; the others become `extra`
tactics, after the safety filter (`lean_env.safety`) and a plausibility check (`plausible`:
brackets balanced, and every name one the decoder can know: a name in the goal, in the goal's
candidates, or a whole word of the tokenizer; a misspelt name could only spend an env call on
an error). Samples refused, or that do not end, lose their share to the rest. A goal with no
usable sample keeps the ranking head's prior.

Under `torch.inference_mode`, with bf16 autocast on CUDA only (CPU stays float32, which also
keeps CPU results reproducible bit for bit). Priors are a softmax over each request's own
candidates computed in float64, so they sum to 1 to double precision; the value is the
sigmoid of the value logit.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import torch

from lean_env.safety import is_safe
from lean_env.text.lexical import balanced, ident_char, squash
from prover.net.checkpoint import load_checkpoint
from prover.net.decoder import DecoderSettings
from prover.net.model import PolicyValueNet, default_device, goal_tensor, tactic_table, tactic_tensor
from search.evaluator import EvalRequest, EvalResult

DECODER_SHARE = 0.5  # of the prior, the decoder's part when it samples (see the module docstring)
_NAME_START = re.compile(r"[A-Za-z_]")  # a tokenizer word that is a name


def names(text: str) -> set[str]:
    """The identifiers of `text`: runs of identifier characters (`lean_env.text.lexical`), each
    dotted name cut at its dots (`Nat.succ_le` -> `Nat`, `succ_le`), leading ASCII digits
    dropped (`12` is a numeral, `2x` has the name `x`); subscripts and Greek letters kept
    (`h₀`, `αfoo`, `₆omega` are names)."""
    out, i, n = set(), 0, len(text)
    while i < n:
        if not ident_char(text[i]):
            i += 1
            continue
        j = i
        while j < n and ident_char(text[j]):
            j += 1
        name = text[i:j].lstrip("0123456789")
        if name:
            out.add(name)
        i = j
    return out


def plausible(tactic: str, known: set[str]) -> bool:
    """Brackets balanced and every name in `known`."""
    return balanced(tactic) and names(tactic) <= known


class NetworkEvaluator:
    """`Evaluator` over a `PolicyValueNet`; the model is put in eval mode on `device`."""

    def __init__(
        self,
        model: PolicyValueNet,
        device: torch.device | str | None = None,
        *,
        max_batch: int = 64,
        max_tokens: int = 16384,
        bucket_ratio: float = 1.5,
        min_bucket: int = 8,
        decoder: DecoderSettings | None = None,
        decoder_share: float = DECODER_SHARE,
        seed: int = 0,
    ) -> None:
        if max_batch < 1 or max_tokens < 1 or bucket_ratio < 1.0 or min_bucket < 1:
            raise ValueError("max_batch, max_tokens, min_bucket must be positive and bucket_ratio >= 1")
        if not 0.0 <= decoder_share <= 1.0:
            raise ValueError(f"decoder_share {decoder_share} outside [0, 1]")
        self.device = torch.device(device) if device is not None else default_device()
        self.model = model.to(self.device).eval()
        self.max_batch = max_batch
        self.max_tokens = max_tokens
        self.bucket_ratio = bucket_ratio
        self.min_bucket = min_bucket
        self.decoder_share = decoder_share
        self.use_decoder(decoder)
        self.seed = seed
        self.words = {t for t in model.tokenizer.tokens if len(t) > 1 and _NAME_START.match(t)}

    def __call__(self, requests: Sequence[EvalRequest]) -> list[EvalResult]:
        if not requests:
            return []
        model, tokenizer, max_len = self.model, self.model.tokenizer, self.model.config.max_len
        distinct, candidates = tactic_table([r.tactics for r in requests])
        results: list[EvalResult | None] = [None] * len(requests)
        with torch.inference_mode(), self._autocast():
            tactic_vecs = self._tactic_vectors(distinct)
            for chunk in self.chunks(requests):
                goal_ids = goal_tensor(tokenizer, max_len, [requests[i].goal for i in chunk]).to(self.device)
                k = max(len(requests[i].tactics) for i in chunk)
                states, mask = model.encode(goal_ids)
                logits, value_logits = model.heads(states, mask, tactic_vecs, candidates[chunk, :k].to(self.device))
                priors = torch.softmax(logits.double(), dim=-1).cpu().tolist()
                values = torch.sigmoid(value_logits.double()).cpu().tolist()
                samples = (
                    model.sample_tactics(states, mask, self.decoder, [self._goal_seed(requests[i].goal) for i in chunk])
                    if self.decoder else [[]] * len(chunk)
                )
                for i, row, value, drawn in zip(chunk, priors, values, samples, strict=True):
                    rule = row[: len(requests[i].tactics)]
                    results[i] = self._mixed(requests[i], rule, value, [t for t, _ in drawn])
        return results  # type: ignore[return-value]  # every slot is filled by exactly one chunk

    def use_decoder(self, decoder: DecoderSettings | None) -> None:
        """Sample with `decoder` settings from now on (None: rank only). Nothing is sampled
        without a decoder in the model, with 0 samples or with a 0 share of the prior."""
        usable = decoder is not None and decoder.samples and self.decoder_share > 0 and self.model.decoder is not None
        self.decoder = decoder if usable else None

    def _goal_seed(self, goal: str) -> int:
        """The seed of a goal's samples: a function of the evaluator's seed and the goal text
        only, so a goal gets the same tactics in any batch, any worker, any order."""
        return int.from_bytes(hashlib.sha256(f"{self.seed}\0{goal}".encode()).digest()[:8], "big")

    def _mixed(self, request: EvalRequest, rule: list[float], value: float, drawn: list[str]) -> EvalResult:
        """The prior of the module docstring: the ranking head's `rule` priors and the samples `drawn`."""
        where = {squash(t): a for a, t in enumerate(request.tactics)}
        known: set[str] | None = None
        counts: dict[str, int] = {}
        for text in drawn:
            key = squash(text)
            if key not in where:
                if known is None:
                    known = self.words | names(request.goal) | names(" ".join(request.tactics))
                if not (is_safe(key) and plausible(key, known)):
                    continue
            counts[key] = counts.get(key, 0) + 1
        total = sum(counts.values())
        if not total:
            return EvalResult(tuple(rule), value)
        share = self.decoder_share if rule else 1.0  # no candidate: the samples are the whole prior
        priors = [(1.0 - share) * p for p in rule]
        extra: list[str] = []
        for key, n in counts.items():
            if key in where:
                priors[where[key]] += share * n / total
            else:
                extra.append(key)
                priors.append(share * n / total)
        return EvalResult(tuple(priors), value, tuple(extra))

    def chunks(self, requests: Sequence[EvalRequest]) -> list[list[int]]:
        """Request indices grouped into length buckets (shortest goals first)."""
        limit = self.model.config.max_len
        lengths = [min(len(self.model.tokenizer.encode(r.goal)) + 1, limit) for r in requests]
        order = sorted(range(len(requests)), key=lambda i: (lengths[i], i))
        chunks: list[list[int]] = []
        for i in order:
            # sorted ascending, so the newest goal is the chunk's longest: padded size = n * len
            chunk = chunks[-1] if chunks else []
            fits = (
                0 < len(chunk) < self.max_batch
                and (len(chunk) + 1) * lengths[i] <= self.max_tokens
                and (len(chunk) < self.min_bucket or lengths[i] <= self.bucket_ratio * lengths[chunk[0]])
            )
            if fits:
                chunk.append(i)
            else:
                chunks.append([i])
        return chunks

    def _tactic_vectors(self, tactics: list[str]) -> torch.Tensor:
        """[T, d] for the distinct tactics, encoded in slices of at most `max_tokens` tokens."""
        ids = tactic_tensor(self.model.tokenizer, self.model.config.max_len, tactics)
        step = max(1, self.max_tokens // max(ids.shape[1], 1))
        parts = [self.model.tactic_vectors(ids[lo : lo + step].to(self.device)) for lo in range(0, len(tactics), step)]
        return torch.cat(parts) if parts else self.model.tactic_vectors(ids.to(self.device))

    def _autocast(self) -> contextlib.AbstractContextManager[object]:
        if self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()


def evaluator_from_checkpoint(
    path: str | Path, device: torch.device | str | None = None, *, decoder: DecoderSettings | None = None,
    decoder_share: float = DECODER_SHARE, seed: int = 0,
) -> NetworkEvaluator:
    """Load a checkpoint (raises `CheckpointError` on a bad one) and wrap its model; `decoder`
    settings make its tactic decoder (if it has one, and it was trained: step > 0) propose tactics."""

    dev = torch.device(device) if device is not None else default_device()
    checkpoint = load_checkpoint(path)
    if checkpoint.step == 0:  # never trained: its decoder's samples would be noise
        decoder = None
    return NetworkEvaluator(checkpoint.build_model(dev), dev, decoder=decoder, decoder_share=decoder_share, seed=seed)
