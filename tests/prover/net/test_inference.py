"""The network as the search's Evaluator: one result per request in order, priors summing to 1,
0 or 1 tactics, determinism, and bucketed batches agreeing with one-at-a-time calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from prover.net.checkpoint import CheckpointError, save_checkpoint
from prover.net.inference import NetworkEvaluator, evaluator_from_checkpoint
from search.evaluator import EvalRequest

from .test_model import mini_goals, one_thread, tiny_model  # noqa: F401 (autouse fixture)


def requests(n: int = 40) -> list[EvalRequest]:
    goals = mini_goals()
    out = [EvalRequest(g, t) for g, t in goals[:n]]
    out[3] = EvalRequest(out[3].goal, ())  # no tactic at all
    out[5] = EvalRequest(out[5].goal, out[5].tactics[:1])  # a single tactic
    return out


@pytest.fixture(scope="module")
def evaluator() -> NetworkEvaluator:
    return NetworkEvaluator(tiny_model(seed=2), "cpu", max_batch=8, max_tokens=400)


def test_one_result_per_request_priors_sum_to_one(evaluator: NetworkEvaluator) -> None:
    reqs = requests()
    results = evaluator(reqs)
    assert len(results) == len(reqs)
    for req, res in zip(reqs, results, strict=True):
        assert len(res.priors) == len(req.tactics)
        assert 0.0 <= res.value <= 1.0
        assert all(p >= 0.0 for p in res.priors)
        if req.tactics:
            assert sum(res.priors) == pytest.approx(1.0, abs=1e-9)
    assert results[3].priors == ()
    assert results[5].priors == (pytest.approx(1.0),)
    assert evaluator([]) == []


def test_deterministic(evaluator: NetworkEvaluator) -> None:
    reqs = requests()
    assert evaluator(reqs) == evaluator(reqs)


def test_buckets_agree_with_one_at_a_time(evaluator: NetworkEvaluator) -> None:
    reqs = requests()
    chunks = evaluator.chunks(reqs)
    assert len(chunks) > 2 and all(len(c) <= 8 for c in chunks)  # the bucketing really split the batch
    assert sorted(i for c in chunks for i in c) == list(range(len(reqs)))
    batched = evaluator(reqs)
    for req, res in zip(reqs, batched, strict=True):
        (alone,) = evaluator([req])
        assert res.value == pytest.approx(alone.value, abs=1e-5)
        assert res.priors == pytest.approx(alone.priors, abs=1e-5)
    big = NetworkEvaluator(evaluator.model, "cpu", max_batch=64)
    for a, b in zip(big(reqs), batched, strict=True):  # one chunk versus many
        assert a.priors == pytest.approx(b.priors, abs=1e-5)


def test_chunks_sort_by_length_within_the_token_budget(evaluator: NetworkEvaluator) -> None:
    reqs = requests()
    tok = evaluator.model.tokenizer
    length = [len(tok.encode(r.goal)) + 1 for r in reqs]
    chunks = evaluator.chunks(reqs)
    flat = [i for c in chunks for i in c]
    assert [length[i] for i in flat] == sorted(length)
    assert all(len(c) * max(length[i] for i in c) <= 400 or len(c) == 1 for c in chunks)


def test_priors_follow_their_tactics(evaluator: NetworkEvaluator) -> None:
    goal, tactics = mini_goals()[0]
    (fwd,) = evaluator([EvalRequest(goal, tactics)])
    (rev,) = evaluator([EvalRequest(goal, tactics[::-1])])
    assert fwd.priors == pytest.approx(rev.priors[::-1], abs=1e-6)
    assert fwd.value == pytest.approx(rev.value, abs=1e-6)


def test_evaluator_from_checkpoint(tmp_path: Path) -> None:
    model = tiny_model(seed=2)
    path = tmp_path / "net.pt"
    save_checkpoint(path, model, step=7)
    loaded = evaluator_from_checkpoint(path, device="cpu")
    reqs = requests(10)
    assert loaded(reqs) == NetworkEvaluator(model, "cpu")(reqs)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match=str(path)):
        evaluator_from_checkpoint(path, device="cpu")


@pytest.mark.gpu
def test_cuda_bf16_close_to_cpu() -> None:
    model = tiny_model(seed=2)
    reqs = requests(16)
    cpu = NetworkEvaluator(model, "cpu")(reqs)
    gpu = NetworkEvaluator(tiny_model(seed=2), "cuda")(reqs)
    for a, b in zip(cpu, gpu, strict=True):
        assert sum(b.priors) == pytest.approx(1.0) if b.priors else b.priors == ()
        assert a.value == pytest.approx(b.value, abs=0.05)
