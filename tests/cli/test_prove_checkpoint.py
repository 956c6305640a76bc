"""`leanzero prove --checkpoint`: a trained network guides either searcher; a bad file is bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from prover.net.checkpoint import save_checkpoint
from tests.prover.net.test_model import tiny_model

STATEMENT = "theorem demo (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry"


@pytest.fixture
def checkpoint(tmp_path: Path) -> Path:
    path = tmp_path / "net.pt"
    save_checkpoint(path, tiny_model(seed=3), step=7)
    return path


@pytest.mark.parametrize("searcher", ["mcts", "bfs"])
def test_a_checkpoint_guides_the_search(
    searcher: str, checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["prove", "--searcher", searcher, "--checkpoint", str(checkpoint), STATEMENT])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("theorem demo") and ":= by\n" in out and "verified" in err


def test_a_corrupt_checkpoint_exits_2_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint at all")
    code = main(["prove", "--checkpoint", str(bad), STATEMENT])
    _, err = capsys.readouterr()
    assert code == 2 and str(bad) in err and err.startswith("error: ")


def test_a_missing_checkpoint_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["prove", "--checkpoint", str(tmp_path / "none.pt"), STATEMENT])
    _, err = capsys.readouterr()
    assert code == 2 and "none.pt" in err
