"""The tactic decoder: lossless tactic text, learning to write the tactics of its records,
the Sampled MuZero prior of the evaluator (rule candidates + samples), the safety filter on
samples, novel tactics in MCTS proofs, and old checkpoints (no decoder) still loading."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch

import lean_env
from prover.actions import ActionSpace
from prover.net.checkpoint import load_checkpoint, save_checkpoint
from prover.net.decoder import DecoderSettings
from prover.net.inference import NetworkEvaluator, names, plausible
from prover.net.model import ModelConfig, PolicyValueNet
from prover.net.tokenizer import Tokenizer
from prover.net.train import TrainConfig, decoder_targets, evaluate_records, train
from search.driver import run_searches
from search.evaluator import EvalRequest, EvalResult
from search.mcts import MCTSConfig, MCTSSearch
from search.targets import TrainingRecord

from .test_model import mini_goals, one_thread, texts, tokenizer  # noqa: F401 (autouse fixture)

TACTICS = [
    "nlinarith [sq_nonneg (a - b), sq_nonneg (a + b), mul_pos ha hb]",
    "rw [Nat.add_comm] at h₀ ⊢",
    "use 12",
    "norm_num [Finset.sum_range_succ]",
    "exact ⟨h.1, by omega⟩",
    "simp only [pow_two] at *",
    "have h₂ : x ≤ 10 := by nlinarith",
    "field_simp",
    "x⁻¹ * 3 ^ 2",
]


@pytest.mark.parametrize("tactic", TACTICS)
def test_tactic_text_round_trips_up_to_whitespace(tactic: str) -> None:
    tok = tokenizer()
    ids = tok.encode_text(tactic)
    assert ids is not None
    assert tok.text_of(ids) == " ".join(tactic.split())
    assert tok.text_of(tok.encode_text("  intro   x  ") or ()) == "intro x"


def test_text_that_cannot_be_written_is_refused() -> None:
    tok = tokenizer()
    assert tok.encode_text("have h : x = 1 := by\n  omega") is None  # indentation-sensitive
    assert tok.encode_text("exact ☃") is None  # a character outside the vocabulary
    no_space = Tokenizer([t for t in tok.tokens if t != " "])
    assert no_space.encode_text("omega") is None


def _records() -> list[TrainingRecord]:
    """Goals whose best tactic depends on the goal: `use <2n>` for the n-th."""
    out = []
    for n in range(6):
        goal = f"x : ℕ\nh : x = {n}\n⊢ ∃ y, y = x + {n}"
        out.append(TrainingRecord(goal, ("omega", f"use {2 * n}", "simp"), (0.1, 0.8, 0.1), 1.0, "proved"))
    return out


@pytest.fixture(scope="module")
def trained() -> PolicyValueNet:
    recs = _records()
    tok = Tokenizer.train([r.goal for r in recs] + [t for r in recs for t in r.tactics])
    model = PolicyValueNet(ModelConfig.tiny(tok.vocab_size), tok, seed=0)
    train(model, recs, TrainConfig(steps=300, batch_size=6, lr=3e-3, log_every=0), on_progress=None)
    return model.eval()


def test_the_decoder_learns_to_write_its_records_tactics(trained: PolicyValueNet) -> None:
    recs = _records()
    before = evaluate_records(PolicyValueNet(trained.config, trained.tokenizer, seed=0), recs).decoder_loss
    assert evaluate_records(trained, recs).decoder_loss < before / 4
    ev = NetworkEvaluator(trained, "cpu", decoder=DecoderSettings(samples=16), seed=1)
    results = ev([EvalRequest(r.goal, ("omega", "simp")) for r in recs])
    hits = sum(f"use {2 * n}" in res.extra for n, res in enumerate(results))
    assert hits >= 5, [res.extra for res in results]


def test_sampled_prior_mixes_rules_and_samples(trained: PolicyValueNet) -> None:
    recs = _records()
    share = 0.3
    ev = NetworkEvaluator(trained, "cpu", decoder=DecoderSettings(samples=8), decoder_share=share, seed=3)
    plain = NetworkEvaluator(trained, "cpu")
    reqs = [EvalRequest(r.goal, ("omega", "simp", "use 0")) for r in recs]
    for req, mixed, ranked in zip(reqs, ev(reqs), plain(reqs), strict=True):
        assert len(mixed.priors) == len(req.tactics) + len(mixed.extra)
        assert sum(mixed.priors) == pytest.approx(1.0, abs=1e-9)
        assert not set(mixed.extra) & set(req.tactics) and len(set(mixed.extra)) == len(mixed.extra)
        # each rule candidate keeps (1 - share) of its ranking prior, plus the samples equal to it
        for a in range(len(req.tactics)):
            assert mixed.priors[a] >= (1 - share) * ranked.priors[a] - 1e-12
        # the samples' part is share x (count / K): multiples of share / usable samples
        assert sum(mixed.priors[len(req.tactics):]) <= share + 1e-9
    no_decoder = NetworkEvaluator(trained, "cpu", decoder=DecoderSettings(samples=0))
    assert all(not r.extra for r in no_decoder(reqs))


def test_unsafe_samples_never_reach_the_search(trained: PolicyValueNet, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = ["sorry", "exact (sorryAx _)", "admit", "omega", "use 3", "use  3", "native_decide", "simp; rfl",
             "use (3", "exact hx", "simp [foo_bar]"]

    def fake(states, mask, settings, generator=None):
        return [[(t, -1.0) for t in drawn] for _ in range(states.shape[0])]

    monkeypatch.setattr(trained, "sample_tactics", fake)
    ev = NetworkEvaluator(trained, "cpu", decoder=DecoderSettings(samples=len(drawn)), decoder_share=0.5)
    (res,) = ev([EvalRequest(_records()[0].goal, ("omega",))])
    # "use  3" is the same tactic; the others are refused (unsafe, unbalanced, or a name neither
    # the goal, its candidates nor the vocabulary has: `hx`, `foo_bar`) or are candidates
    assert set(res.extra) == {"use 3"}
    # usable samples: omega once, "use 3" twice -> omega 0.5 * 1 + 0.5 / 3, use 3 gets 0.5 * 2 / 3
    assert res.priors[1] == pytest.approx(0.5 * 2 / 3)
    assert res.priors[0] == pytest.approx(0.5 + 0.5 / 3)


def test_names_and_plausibility() -> None:
    assert names("nlinarith [sq_nonneg (a - b), h₀.1, Nat.succ_le] at h₁ ⊢") == {
        "nlinarith", "sq_nonneg", "a", "b", "h₀", "Nat", "succ_le", "at", "h₁"}
    assert names("use 12, x2") == {"use", "x2"}
    assert names("exact αfoo_bar ₆omega 2x") == {"exact", "αfoo_bar", "₆omega", "x"}  # no name escapes
    known = {"rw", "h₀", "at", "h₁", "use"}
    assert plausible("rw [h₀] at h₁", known)
    assert not plausible("rw [h₀ at h₁", known)  # unbalanced
    assert not plausible("rw [h₂] at h₁", known)  # a name it cannot know
    assert plausible("use 10", known)


def test_decoder_targets_follow_the_visits() -> None:
    recs = _records()
    tok = Tokenizer.train([r.goal for r in recs] + [t for r in recs for t in r.tactics])
    model = PolicyValueNet(ModelConfig.tiny(tok.vocab_size), tok, seed=0)
    top = decoder_targets(model, recs, None)
    assert [tok.text_of(ids) for _, ids in top] == [f"use {2 * n}" for n in range(6)]
    rng = random.Random(0)
    drawn = [tok.text_of(ids) for _ in range(200) for _, ids in decoder_targets(model, recs[:1], rng)]
    assert 0.7 < drawn.count("use 0") / len(drawn) < 0.9  # visits 0.8
    no_decoder = PolicyValueNet(ModelConfig(tok.vocab_size, d_model=32, n_layers=1, d_ff=64, decoder_layers=0), tok)
    assert decoder_targets(no_decoder, recs, None) == []


def test_an_old_checkpoint_without_a_decoder_loads(tmp_path: Path) -> None:
    tok = tokenizer()
    model = PolicyValueNet(ModelConfig(tok.vocab_size, d_model=32, n_layers=1, d_ff=64, decoder_layers=0), tok)
    path = tmp_path / "old.pt"
    save_checkpoint(path, model)
    data = torch.load(path, weights_only=True)
    del data["model_config"]["decoder_layers"], data["model_config"]["max_tactic_len"]  # as written before
    torch.save(data, path)
    ckpt = load_checkpoint(path)
    assert ckpt.config.decoder_layers == 0 and ckpt.build_model().decoder is None


def test_mcts_proves_with_a_generated_tactic_and_calls_it_novel() -> None:
    """The rules here propose nothing that closes the goal; the evaluator's extra tactic does."""
    env = lean_env.open_env("mini")
    statement = "theorem t : ∃ n : ℕ, n * n = 49"

    def candidates(goal):
        return ["norm_num", "simp"]

    def evaluator(requests):
        return [EvalResult((0.25, 0.25, 0.5), 0.5, ("use 7",)) for _ in requests]

    search = MCTSSearch(env, statement, candidates, config=MCTSConfig(max_env_calls=20, num_simulations=50))
    search.start()
    run_searches([search], evaluator)
    result = search.result()
    assert result.proved and "use 7" in (result.proof or "")
    assert ("⊢ ∃ n, n * n = 49", "use 7") in result.novel or any(t == "use 7" for _, t in result.novel)
    plain = MCTSSearch(env, statement, candidates, config=MCTSConfig(max_env_calls=20, num_simulations=50))
    plain.start()
    run_searches([plain], lambda reqs: [EvalResult((0.5, 0.5), 0.5) for _ in reqs])
    assert not plain.result().proved and plain.result().novel == ()


def test_evaluator_extra_must_be_new() -> None:
    env = lean_env.open_env("mini")
    search = MCTSSearch(env, "theorem t : 1 + 1 = 2", lambda g: ["simp"], config=MCTSConfig(max_env_calls=5))
    search.start()
    requests = search.select()
    with pytest.raises(ValueError, match="repeat"):
        search.expand([EvalResult((0.5, 0.5), 0.5, ("simp",)) for _ in requests])


def test_real_goals_get_samples_in_one_batch() -> None:
    """On real mini goals an untrained decoder still returns well-formed results (priors sum to
    1, extras pass the filter) for a batch mixing goal lengths."""
    model = PolicyValueNet(ModelConfig.tiny(tokenizer().vocab_size), tokenizer(), seed=4)
    goals = mini_goals()[:12]
    ev = NetworkEvaluator(model, "cpu", decoder=DecoderSettings(samples=4, max_tokens=16), max_batch=5)
    for (_goal, tactics), res in zip(goals, ev([EvalRequest(g, t) for g, t in goals]), strict=True):
        assert sum(res.priors) == pytest.approx(1.0, abs=1e-9)
        assert len(res.priors) == len(tactics) + len(res.extra)
    assert ActionSpace() and texts()  # the shared fixtures the other tests use


def test_incremental_sampling_agrees_with_the_full_forward(trained: PolicyValueNet) -> None:
    """`sample` (cached keys/values, one position per step) scores each sample as `forward`
    (the whole sequence at once) does: the returned log-probability is the teacher-forced one."""
    from prover.net.decoder import teacher_forcing
    from prover.net.model import goal_tensor

    model = trained
    goals = [r.goal for r in _records()]
    ids = goal_tensor(model.tokenizer, model.config.max_len, goals)
    with torch.no_grad():
        states, mask = model.encode(ids)
        assert model.decoder is not None
        drawn = model.decoder.sample(model.embed, states, mask, DecoderSettings(samples=4, temperature=1.5),
                                     list(range(len(goals))))
        for g, row in enumerate(drawn):
            for seq, logp in row:
                inputs, wanted = teacher_forcing([seq], model.config.max_tactic_len, torch.device("cpu"))
                logits = model.decoder_logits(inputs, states[g : g + 1], mask[g : g + 1])
                full = torch.log_softmax(logits.float(), -1).gather(2, wanted[..., None]).sum().item()
                assert logp == pytest.approx(full, abs=1e-3)


@pytest.mark.gpu
def test_decoder_samples_on_cuda_under_bf16(trained: PolicyValueNet) -> None:
    """On a GPU the evaluator samples under bf16 autocast, batched with the goals: it still
    writes the records' tactics, and priors still sum to 1."""
    import copy

    model = copy.deepcopy(trained)
    ev = NetworkEvaluator(model, "cuda", decoder=DecoderSettings(samples=16), seed=1)
    recs = _records()
    results = ev([EvalRequest(r.goal, ("omega", "simp")) for r in recs])
    assert all(sum(res.priors) == pytest.approx(1.0, abs=1e-6) for res in results)
    assert sum(f"use {2 * n}" in res.extra for n, res in enumerate(results)) >= 5


def test_samples_do_not_depend_on_the_batch(trained: PolicyValueNet) -> None:
    """A goal's samples are a function of the evaluator's seed and the goal: alone, batched
    with others, asked twice, or by a fresh evaluator, the same; another seed may differ."""
    recs = _records()
    reqs = [EvalRequest(r.goal, ("omega", "simp")) for r in recs]

    def evaluator(seed: int = 7) -> NetworkEvaluator:
        return NetworkEvaluator(trained, "cpu", decoder=DecoderSettings(samples=8, temperature=2.0), seed=seed)

    batched = evaluator()(reqs)
    again = evaluator()(reqs)
    alone = [evaluator()([req])[0] for req in reqs]
    assert batched == again
    for a, b in zip(batched, alone, strict=True):
        assert a.extra == b.extra and a.priors == pytest.approx(b.priors)
    one = evaluator()
    assert one(reqs[:2]) == one(reqs[:2])  # the same evaluator asked twice
    assert any(x.extra != y.extra for x, y in zip(batched, evaluator(8)(reqs), strict=True))


def test_a_goal_without_candidates_gets_the_samples_whole_prior(trained: PolicyValueNet) -> None:
    ev = NetworkEvaluator(trained, "cpu", decoder=DecoderSettings(samples=8), decoder_share=0.3)
    (res,) = ev([EvalRequest(_records()[2].goal, ())])
    assert res.extra and sum(res.priors) == pytest.approx(1.0)
    off = NetworkEvaluator(trained, "cpu", decoder=DecoderSettings(samples=8), decoder_share=0.0)
    assert off.decoder is None and off([EvalRequest(_records()[2].goal, ("simp",))])[0].extra == ()
