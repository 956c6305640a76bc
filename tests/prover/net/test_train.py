"""Training: the tiny model memorizes a small set of real goals with peaked, seeded-random
visit targets; the schedule and the seeding behave; malformed records are refused."""

from __future__ import annotations

import itertools

import pytest
import torch

from prover.net.train import TrainConfig, TrainProgress, evaluate_records, lr_factor, train
from search.targets import TrainingRecord

from .test_model import one_thread, peaked_records, tiny_model  # noqa: F401 (autouse fixture)


def test_overfits_a_small_fixed_set() -> None:
    records = peaked_records(24)
    # the targets are not "the first candidate" (nor any one fixed position)
    best = [max(range(len(r.visits)), key=r.visits.__getitem__) for r in records]
    assert len(set(best)) > 3 and sum(b == 0 for b in best) < len(records) / 3
    model = tiny_model()
    before = evaluate_records(model, records)
    seen: list[TrainProgress] = []
    stats = train(
        model,
        records,
        TrainConfig(steps=150, batch_size=24, lr=1e-2, warmup_steps=10, weight_decay=0.0, log_every=50, device="cpu"),
        on_progress=seen.append,
    )
    after = evaluate_records(model, records)
    assert after.top1 >= 0.95, (before, after)
    assert after.policy_loss < before.policy_loss and after.value_loss < 0.1
    assert [p.step for p in seen] == [50, 100, 150] and stats.steps == 150
    assert stats.loss == seen[-1].loss and stats.history == tuple(seen)


def test_same_seed_same_run() -> None:
    records = peaked_records(8)
    config = TrainConfig(steps=4, batch_size=4, seed=3, log_every=0, device="cpu")
    a, b = tiny_model(), tiny_model()
    sa, sb = train(a, records, config, on_progress=None), train(b, records, config, on_progress=None)
    assert sa.loss == sb.loss
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_records_without_tactics_train_the_value_only() -> None:
    records = [TrainingRecord("⊢ True", (), (), 1.0, "proved"), *peaked_records(3)]
    stats = train(tiny_model(), records, TrainConfig(steps=2, batch_size=4, log_every=0, device="cpu"))
    assert all(map(torch.isfinite, map(torch.tensor, (stats.loss, stats.policy_loss, stats.value_loss))))


def test_warmup_then_cosine() -> None:
    config = TrainConfig(steps=100, warmup_steps=10, min_lr_ratio=0.1)
    factors = [lr_factor(s, config) for s in range(100)]
    assert factors[0] == pytest.approx(0.1) and factors[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in itertools.pairwise(factors[9:]))
    assert factors[-1] == pytest.approx(0.1, abs=1e-3)


@pytest.mark.parametrize(
    "record",
    [
        TrainingRecord("⊢ True", ("trivial", "simp"), (1.0,), 1.0, "proved"),
        TrainingRecord("⊢ True", ("trivial",), (1.0,), 1.5, "proved"),
        TrainingRecord("⊢ True", ("trivial",), (-1.0,), 1.0, "proved"),
    ],
)
def test_malformed_records_are_refused(record: TrainingRecord) -> None:
    with pytest.raises(ValueError, match="record for"):
        train(tiny_model(), [record], TrainConfig(steps=1, log_every=0, device="cpu"))


def test_progress_is_printed_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    train(tiny_model(), peaked_records(4), TrainConfig(steps=2, batch_size=4, log_every=1, device="cpu"))
    err = capsys.readouterr().err
    assert "step 1/2" in err and "step 2/2" in err and "loss" in err


@pytest.mark.gpu
def test_trains_on_cuda() -> None:
    model = tiny_model()
    stats = train(model, peaked_records(8), TrainConfig(steps=5, batch_size=8, log_every=0, device="cuda"))
    assert stats.steps == 5 and next(model.parameters()).is_cuda
