"""Tokenizer and network shapes: Lean symbols as single tokens, JSON round trip, masking of
variable candidate counts, padding invariance, preset sizes.

Also the shared data of the network tests (imported relatively by the other test_* files):
real `mini` goals from generated statements with their basic candidate lists.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from functools import lru_cache

import pytest
import torch

import lean_env
from prover.actions import ActionSpace
from prover.net.model import ModelConfig, PolicyValueNet, parameter_count
from prover.net.tokenizer import CLS, NEWLINE, PAD, SEP, UNK, Tokenizer, pieces
from search.targets import TrainingRecord
from selfplay.generator import MEDIUM, generate


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """One intra-op thread for these tiny models: as fast as two on an idle 2-core machine, and
    no spin-wait collapse when the other core is busy (two threads ran ~10x slower then)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@lru_cache(maxsize=1)
def mini_goals() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(canonical goal text, basic candidates) for the root goals of 60 generated statements."""
    env = lean_env.open_env("mini")
    out = []
    for statement in generate(11, 60, MEDIUM):
        for goal in env.start(statement.statement).goals:
            out.append((goal.canonical, tuple(ActionSpace()(goal))))
    return tuple(out)


def peaked_records(n: int, seed: int = 0) -> list[TrainingRecord]:
    """`n` goals whose visits peak (0.8) at a seeded random candidate, with 0/1 values."""
    rng = random.Random(seed)
    records = []
    for goal, tactics in mini_goals()[:n]:
        best = rng.randrange(len(tactics))
        noise = [rng.random() for _ in tactics]
        noise[best] = 0.0
        scale = 0.2 / sum(noise) if sum(noise) else 0.0
        visits = tuple(0.8 + 0.2 * (len(tactics) == 1) if i == best else x * scale for i, x in enumerate(noise))
        records.append(TrainingRecord(goal, tactics, visits, float(rng.random() < 0.5), "open"))
    return records


def texts() -> list[str]:
    return [g for g, _ in mini_goals()] + [t for _, ts in mini_goals() for t in ts]


@lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    return Tokenizer.train(texts())


def tiny_model(seed: int = 0) -> PolicyValueNet:
    tok = tokenizer()
    return PolicyValueNet(ModelConfig.tiny(tok.vocab_size), tok, seed=seed).eval()


# --- tokenizer ---------------------------------------------------------------------------------


def test_lean_symbols_are_single_tokens_even_unseen() -> None:
    tok = Tokenizer.train(["x : ℕ\n⊢ x + 0 = x"])
    for symbol in "ℕℤ⊢∀∃→↔∧∨¬≤≥≠∣↑⟨⟩₀₁✝":
        ids = tok.encode(symbol)
        assert len(ids) == 1 and ids[0] != UNK, symbol
    assert tok.encode("\n") == (NEWLINE,)
    assert tok.encode("☃") == (UNK,)  # never seen, not in the alphabet


def test_specials_and_pieces() -> None:
    assert (PAD, CLS, SEP, UNK) == (0, 1, 2, 3)
    assert pieces("h₀ : x ≤ 12\n⊢ nlinarith") == ["h", "₀", ":", "x", "≤", "1", "2", "\n", "⊢", "nlinarith"]


def test_frequent_words_are_one_token_rare_ones_are_spelled() -> None:
    tok = Tokenizer.train(["nlinarith nlinarith omega omega", "zebra"], min_count=2)
    assert len(tok.encode("nlinarith")) == 1
    assert len(tok.encode("omega")) == 1
    assert [tok.tokens[i] for i in tok.encode("zebra")] == list("zebra")
    assert tok.encode("omegas") == (tok.encode("omega")[0], tok.encode("s")[0])  # longest prefix first
    assert [tok.tokens[i] for i in tok.encode("600")] == ["6", "0", "0"]  # numbers digit by digit


def test_tokenizer_is_deterministic_and_round_trips_through_json() -> None:
    a, b = Tokenizer.train(texts()), Tokenizer.train(texts())
    assert a == b and a.tokens == b.tokens
    back = Tokenizer.from_dict(json.loads(json.dumps(a.to_dict())))
    assert back == a
    goal = mini_goals()[0][0]
    assert back.encode(goal) == a.encode(goal)
    assert all(i != UNK for i in a.encode(goal))


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"format": "bpe", "version": 1, "tokens": []},
        {"format": "leanzero-wordpiece", "version": 99, "tokens": []},
        {"format": "leanzero-wordpiece", "version": 1, "tokens": ["a", "b"]},
        {"format": "leanzero-wordpiece", "version": 1},
    ],
)
def test_tokenizer_from_dict_refuses_bad_data(data: object) -> None:
    with pytest.raises(ValueError):
        Tokenizer.from_dict(data)


# --- model -------------------------------------------------------------------------------------


def test_forward_masks_variable_candidate_counts() -> None:
    model = tiny_model()
    (g0, t0), (g1, t1) = mini_goals()[:2]
    batch = model.batch([g0, g1, g0], [t0, t1[:1], ()])
    with torch.inference_mode():
        logits, value = model(batch)
    assert logits.shape == (3, len(t0)) and value.shape == (3,)
    assert torch.isfinite(logits[0]).all()
    assert torch.isfinite(logits[1, :1]).all() and torch.isinf(logits[1, 1:]).all()
    assert torch.isinf(logits[2]).all()
    # the same tactic appears once in the tactic table however many goals list it
    assert batch.tactic_ids.shape[0] == len(set(t0) | set(t1[:1]))


def test_no_candidates_at_all() -> None:
    model = tiny_model()
    with torch.inference_mode():
        logits, value = model(model.batch([mini_goals()[0][0]], [()]))
    assert logits.shape == (1, 0) and value.shape == (1,)


def test_outputs_do_not_depend_on_padding_or_batch_mates() -> None:
    model = tiny_model()
    (g0, t0), (g1, t1) = sorted(mini_goals()[:8], key=lambda gt: len(gt[0]))[::7]  # short and long
    with torch.inference_mode():
        alone, v_alone = model(model.batch([g0], [t0]))
        mixed, v_mixed = model(model.batch([g1, g0], [t1, t0]))
    torch.testing.assert_close(mixed[1, : len(t0)], alone[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(v_mixed[1], v_alone[0], atol=1e-5, rtol=1e-5)


def test_long_goals_keep_their_end() -> None:
    model = tiny_model()
    long_goal = "h : " + " ∧ ".join(f"p{i}" for i in range(400)) + "\n⊢ q"
    batch = model.batch([long_goal], [("exact h",)])
    assert batch.goal_ids.shape[1] == model.config.max_len
    assert batch.goal_ids[0, 0] == CLS
    assert model.tokenizer.decode(batch.goal_ids[0, -2:].tolist()) == "⊢ q"


def test_same_seed_same_weights() -> None:
    a, b, c = tiny_model(0), tiny_model(0), tiny_model(1)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))
    assert not torch.equal(a.embed.weight, c.embed.weight)


def test_presets() -> None:
    tok = tokenizer()
    tiny = parameter_count(PolicyValueNet(ModelConfig.tiny(tok.vocab_size), tok))
    big = parameter_count(PolicyValueNet(ModelConfig.gpu(tok.vocab_size), tok, seed=None))
    assert tiny < 1_000_000
    assert 10_000_000 <= big <= 100_000_000
    with pytest.raises(ValueError):
        ModelConfig(100, d_model=65, n_heads=4)
    with pytest.raises(ValueError, match="tokenizer has"):
        PolicyValueNet(ModelConfig.tiny(tok.vocab_size + 1), tok)


@pytest.mark.gpu
def test_forward_on_cuda_matches_cpu() -> None:
    model = tiny_model()
    goal, tactics = mini_goals()[0]
    batch = model.batch([goal], [tactics])
    with torch.inference_mode():
        cpu_logits, _ = model(batch)
        gpu_logits, _ = model.to("cuda")(batch.to("cuda"))
    torch.testing.assert_close(gpu_logits.cpu(), cpu_logits, atol=1e-3, rtol=1e-3)


def test_the_tokenizer_memo_is_bounded_and_keeps_texts_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Tokenizer, "CACHE_SIZE", 4)  # two generations of 2 texts
    tok = Tokenizer.train(["x + y = y + x", "h : a ≤ b"])
    fresh = Tokenizer(tok.tokens)
    texts = [f"x + {i} = y" for i in range(10)]
    for text in texts:
        assert tok.encode("x + y") == fresh.encode("x + y")  # used all along: kept
        assert tok.encode(text) == fresh.encode(text)
        assert len(tok._cache) + len(tok._old) <= 4
    assert "x + y" in tok._cache or "x + y" in tok._old
    assert texts[0] not in tok._cache and texts[0] not in tok._old
