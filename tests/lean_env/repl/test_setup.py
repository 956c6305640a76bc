"""Opening the `repl` backend: a clear error naming `leanzero setup-lean` where Lean is missing,
and, on a stand-in setup (a `lake` script, a Lean project, a "built" REPL that is the stand-in
process), the REPL started as a direct child with the environment `lake env` gives it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from lean_env import open_env
from lean_env.repl.setup import find_setup

FAKE_REPL = Path(__file__).with_name("fake_repl.py")


@pytest.fixture
def no_lean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A PATH and HOME without Lean."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("LEANZERO_LAKE", "LEANZERO_LEAN_PROJECT", "LEANZERO_REPL_DIR"):
        monkeypatch.delenv(name, raising=False)
    return empty


def test_without_lean_the_error_names_setup_lean(no_lean: Path) -> None:
    with pytest.raises(ValueError, match="leanzero setup-lean") as e:
        open_env("repl")
    assert "lake" in str(e.value)


def test_the_cli_exits_2_naming_setup_lean(no_lean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    assert main(["prove", "--backend", "repl", "theorem t (p : Prop) (hp : p) : p := by sorry"]) == 2
    assert "leanzero setup-lean" in capsys.readouterr().err


def fake_setup(tmp_path: Path, bin_dir: Path) -> tuple[Path, Path]:
    """A `lake` that runs `env CMD...` with LEAN_PATH set, a project, and a REPL binary that is
    the stand-in REPL process."""
    lake = bin_dir / "lake"
    lake.write_text('#!/bin/sh\n[ "$1" = env ] || exit 1\nshift\nLEAN_PATH=/fake/lean/path exec "$@"\n')
    lake.chmod(0o755)
    project = tmp_path / "project"
    project.mkdir()
    (project / "lean-toolchain").write_text("leanprover/lean4:v4.24.0\n")
    (project / "lakefile.lean").write_text("import Lake\n")
    script = tmp_path / "script.json"
    goal = "p : Prop\nhp : p\n⊢ p"
    script.write_text(json.dumps({
        "commands": {"theorem t (p : Prop) (hp : p) : p := by sorry": {"sorries": [{"goal": goal}]}},
        "goals": {goal: {"exact hp": []}},
    }))
    repl = project / ".lake" / "packages" / "REPL" / ".lake" / "build" / "bin" / "repl"
    repl.parent.mkdir(parents=True)
    repl.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "{FAKE_REPL}" "{script}"\n')
    repl.chmod(0o755)
    return project, repl


def test_no_built_repl_is_a_setup_error(no_lean: Path, tmp_path: Path) -> None:
    project, repl = fake_setup(tmp_path, no_lean)
    repl.unlink()
    with pytest.raises(ValueError, match="no built Lean REPL.*leanzero setup-lean"):
        open_env("repl", project_dir=str(project))
    with pytest.raises(ValueError, match="not a Lean project"):
        find_setup(project_dir=tmp_path)


@pytest.mark.parametrize("direct", [True, False])
def test_open_env_runs_the_setup_repl(no_lean: Path, tmp_path: Path, direct: bool) -> None:
    pytest.importorskip("lean_interact")
    import psutil

    from lean_env.contract import TacticSuccess

    project, repl = fake_setup(tmp_path, no_lean)
    setup = find_setup(project_dir=project)
    assert setup.repl_bin == repl.resolve() and setup.lake == str(no_lean / "lake")
    env = open_env("repl", project_dir=str(project), direct=direct, memory_mb=2048)
    try:
        root = env.start("theorem t (p : Prop) (hp : p) : p := by sorry")
        done = env.apply(root, "exact hp")
        assert isinstance(done, TacticSuccess) and done.state.solved
        process = psutil.Process(env.pid)
        assert process.ppid() == os.getpid()  # no lake in between when direct (`exec` here either way)
        if direct:
            assert process.environ()["LEAN_PATH"] == "/fake/lean/path"
        assert os.getpgid(env.pid) == env.pid  # its own session and process group
    finally:
        env.close()
