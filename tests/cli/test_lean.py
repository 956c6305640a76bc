"""`leanzero setup-lean` and `leanzero doctor`: argument handling, output and exit codes.
Nothing is installed or run: the workspace functions are replaced by fakes where they would act.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import cli.main
import lean_env.workspace as workspace
from cli.common import BadInput
from cli.lean import add_commands

PIN = "leanprover/lean4:v4.24.0"


def run(argv: Sequence[str]) -> int:
    """What `leanzero` does once the lead wires `add_commands` in: dispatch, BadInput -> 2."""
    parser = argparse.ArgumentParser(prog="leanzero")
    add_commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "lean-toolchain").write_text(PIN + "\n")
    (folder / "lakefile.lean").write_text('require mathlib from git\n  "https://x/mathlib4" @ "v4.24.0"\n')
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.delenv("ELAN_HOME", raising=False)
    monkeypatch.delenv("LEANZERO_LEAN_PROJECT", raising=False)
    return folder


def test_importing_the_commands_loads_nothing_heavy() -> None:
    # lean_env.workspace (stdlib only) loads with the commands; no backend and no heavy library does
    code = (
        "import sys, cli.lean; "
        "print([m for m in sys.modules if m.split('.')[0] in ('torch', 'lean_dojo', 'lean_interact', 'ray')"
        " or m.startswith(('lean_env.repl', 'lean_env.dojo', 'lean_env.mini'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_dry_run_prints_the_steps(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["setup-lean", "--dry-run", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert f"workspace {ws.resolve()}" in out
    assert f"$ {workspace.ELAN_INSTALL}" in out
    for command in (f"elan toolchain install {PIN}", "lake exe cache get", "lake build repl", "lake exe repl"):
        assert f"$ {command}" in out
    assert out.index("cache get") < out.index("build repl")
    assert "1. install elan, the Lean toolchain manager  [downloads]" in out


def test_workspace_defaults_to_the_repl_project(
    ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEANZERO_LEAN_PROJECT", str(ws))
    assert run(["setup-lean", "--dry-run"]) == 0
    assert f"workspace {ws.resolve()}" in capsys.readouterr().out


def test_dry_run_marks_skipped_steps(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["setup-lean", "--dry-run", "--skip-elan", "--workspace", str(ws)]) == 0
    assert "1. install elan, the Lean toolchain manager  [skipped: --skip-elan]" in capsys.readouterr().out


def test_bad_workspace_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["setup-lean", "--workspace", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path}: not a Lean workspace (no lean-toolchain)\n"
    assert run(["doctor", "--workspace", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_offline_setup_says_what_to_run_later(
    ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = workspace.setup_lean

    def offline(*args, **kwargs):
        return real(*args, **kwargs, runner=lambda *a: pytest.fail("ran a step offline"), online=lambda env: False)

    monkeypatch.setattr(workspace, "setup_lean", offline)
    assert run(["setup-lean", "--workspace", str(ws)]) == 1
    captured = capsys.readouterr()
    assert "[1/6] install elan, the Lean toolchain manager: offline" in captured.err
    assert "  offline  install elan, the Lean toolchain manager" in captured.out
    assert "  not run  build the Lean REPL" in captured.out
    assert "No internet" in captured.out and "    lake exe cache get" in captured.out


def test_failed_step_shows_its_output_and_the_fix(
    ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = workspace.setup_lean

    def runner(step, env, emit):
        if step.key == "mathlib":
            emit("error: no space left on device")
            return 1
        return 0

    monkeypatch.setattr(workspace, "setup_lean", lambda *a, **k: real(*a, **k, runner=runner, online=lambda e: True))
    assert run(["setup-lean", "--workspace", str(ws)]) == 1
    captured = capsys.readouterr()
    assert "    error: no space left on device" in captured.err  # streamed as it ran
    out = captured.out
    assert "  ok       install elan, the Lean toolchain manager" in out
    assert "  failed   fetch Mathlib v4.24.0 and its prebuilt cache (several GB)" in out
    assert "last lines of its output:\n    error: no space left on device" in out
    assert "`lake exe cache get` exited with 1" in out and "free disk space" in out


def test_successful_setup(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = workspace.setup_lean
    monkeypatch.setattr(
        workspace, "setup_lean", lambda *a, **k: real(*a, **k, runner=lambda *r: 0, online=lambda e: True)
    )
    assert run(["setup-lean", "--workspace", str(ws)]) == 0
    assert "Lean is ready" in capsys.readouterr().out


def _status(ws: Path, ready: bool) -> workspace.LeanStatus:
    tool = workspace.Tool("lean", Path("/x/lean"), "Lean (version 4.24.0, linux, Release)")
    return workspace.LeanStatus(
        workspace=ws.resolve(), toolchain=PIN, elan=workspace.Tool("elan", Path("/x/elan"), "elan 4.1.2"),
        lake=workspace.Tool("lake", Path("/x/lake"), "Lake version 5.0.0 (Lean version 4.24.0)"),
        lean=tool, toolchain_installed=True, lean_version="4.24.0" if ready else "4.9.0",
        mathlib_rev="v4.24.0", mathlib_fetched=True, mathlib_built=ready,
        repl_binary=Path("/x/repl") if ready else None,
    )


def test_doctor_ready(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(workspace, "inspect_workspace", lambda folder: _status(folder, True))
    monkeypatch.setattr(workspace, "python_packages", lambda: {"lean-interact": "0.11.6", "lean-dojo": None})
    assert run(["doctor", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert f"lean-toolchain {PIN}" in out
    assert "4.24.0 (matches lean-toolchain)" in out and "v4.24.0, built" in out
    assert out.rstrip().endswith("ready for the repl backend")


def test_doctor_missing(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(workspace, "inspect_workspace", lambda folder: _status(folder, False))
    monkeypatch.setattr(workspace, "python_packages", lambda: {"lean-interact": None, "ray": None})
    assert run(["doctor", "--workspace", str(ws)]) == 1
    out = capsys.readouterr().out
    assert "MISSING  lean" in out and "4.9.0, but lean-toolchain pins 4.24.0" in out
    assert "absent   python ray" in out  # optional: not MISSING
    assert "not ready for the repl backend: missing python lean-interact, lean, Mathlib, REPL binary" in out
    assert "  REPL binary: cd " in out and "leanzero setup-lean" in out
    assert run(["doctor", "--backend", "dojo", "--workspace", str(ws)]) == 1
    assert "not ready for the dojo backend" in capsys.readouterr().out


def test_wired_into_leanzero(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.main.parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "setup-lean" not in commands.choices:
        pytest.skip("cli/main.py does not register the Lean commands yet")
    assert cli.main.main(["setup-lean", "--dry-run", "--workspace", str(ws)]) == 0
    assert cli.main.main(["doctor", "--workspace", str(ws / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_doctor_record_without_lean_writes_nothing(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "recordings"
    monkeypatch.setattr(workspace, "inspect_workspace", lambda f: _status(f, False))
    monkeypatch.setattr(workspace, "python_packages", lambda: {"lean-interact": "0.11.6"})
    assert run(["doctor", "--workspace", str(ws), "--record", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "not ready for the repl backend" in out
    last = out.rstrip().splitlines()[-1]
    assert last == f"nothing recorded in {folder}: --record needs a machine where the repl backend is ready"
    assert not folder.exists()


def test_doctor_record_where_the_repl_does_not_start_writes_nothing(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("lean_interact")
    # the workspace looks ready, but there is no `lake` on PATH to start the REPL with
    folder = tmp_path / "recordings"
    monkeypatch.setattr(workspace, "inspect_workspace", lambda f: _status(f, True))
    monkeypatch.setattr(workspace, "python_packages", lambda: {"lean-interact": "0.11.6"})
    monkeypatch.delenv("LEANZERO_LAKE", raising=False)
    assert run(["doctor", "--workspace", str(ws), "--record", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "ready for the repl backend" in out
    assert f"nothing recorded in {folder}: Lean is not set up for the repl backend: `lake`" in out
    assert "leanzero setup-lean" in out and not folder.exists()


def test_doctor_record_bad_input(ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert run(["doctor", "--workspace", str(ws), "--record", str(a_file)]) == 2
    assert capsys.readouterr().err == f"error: --record {a_file}: exists and is not a folder\n"
    assert run(["doctor", "--backend", "dojo", "--workspace", str(ws), "--record", str(tmp_path / "r")]) == 2
    assert "--record runs the repl backend" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
