"""The Lean workspace: the pins, what `leanzero doctor` finds, and what `leanzero setup-lean`
would run, in which order and folder, and how it reports failures and a missing network.
Nothing here runs Lean, elan or the network: the runner, the version probe and the
connectivity check are fakes, and HOME/PATH point into a temporary folder.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from lean_env.workspace import (
    ELAN_INSTALL,
    REPO_ROOT,
    Step,
    StepStatus,
    WorkspaceError,
    check_workspace,
    doctor_checks,
    find_tool,
    inspect_workspace,
    lean_version_of,
    looks_offline,
    missing_for,
    plan_setup,
    python_packages,
    run_step,
    setup_lean,
    toolchain_dir,
    toolchain_version,
)

PIN = "leanprover/lean4:v4.24.0"


def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "lean-toolchain").write_text(PIN + "\n")
    (ws / "lakefile.lean").write_text(
        'require mathlib from git\n  "https://github.com/leanprover-community/mathlib4" @ "v4.24.0"\n'
    )
    return ws


def fake_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "bin").mkdir(exist_ok=True)
    return {"HOME": str(tmp_path / "home"), "PATH": str(tmp_path / "bin")}


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


class Recorder:
    """A runner that runs nothing: records each step and answers from `codes` (default 0)."""

    def __init__(self, codes: dict[str, int] | None = None, output: dict[str, list[str]] | None = None) -> None:
        self.codes, self.output = codes or {}, output or {}
        self.calls: list[tuple[str, tuple[str, ...], Path | None, str]] = []

    def __call__(self, step: Step, env, emit) -> int:
        self.calls.append((step.key, step.argv, step.cwd, env["PATH"]))
        for line in self.output.get(step.key, []):
            emit(line)
        return self.codes.get(step.key, 0)


# ------------------------------------------------------------------ the pins


def test_repository_pins_lean_mathlib_and_repl_to_one_version() -> None:
    assert (REPO_ROOT / "lean-toolchain").read_text().strip() == PIN
    lakefile = (REPO_ROOT / "lakefile.lean").read_text()
    requires = dict(re.findall(r'require\s+(\w+)\s+from\s+git\s+"[^"]+"\s*@\s*"([^"]+)"', lakefile))
    assert requires == {"mathlib": "v4.24.0", "REPL": "v4.24.0"}
    assert "leanprover-community/repl" in lakefile and "leanprover-community/mathlib4" in lakefile


def test_toolchain_names() -> None:
    assert toolchain_version(PIN) == "4.24.0"
    assert toolchain_version("leanprover/lean4:v4.25.0-rc1") == "4.25.0-rc1"
    env = {"HOME": "/h"}
    assert toolchain_dir(PIN, env) == Path("/h/.elan/toolchains/leanprover--lean4---v4.24.0")
    assert toolchain_dir(PIN, {"ELAN_HOME": "/e"}) == Path("/e/toolchains/leanprover--lean4---v4.24.0")
    assert lean_version_of("Lean (version 4.24.0, x86_64-unknown-linux-gnu, commit 1a2b, Release)") == "4.24.0"
    assert lean_version_of(None) is None


# ------------------------------------------------------------------ the plan


def test_plan_order_folders_and_commands(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    steps = plan_setup(ws)
    assert [s.key for s in steps] == ["elan", "toolchain", "mathlib", "repl", "check-lean", "check-repl"]
    assert steps[0].argv == ("sh", "-c", ELAN_INSTALL) and steps[0].cwd is None
    assert ELAN_INSTALL == (
        "curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf"
        " | sh -s -- -y --default-toolchain none"
    )
    assert [s.argv for s in steps[1:4]] == [
        ("elan", "toolchain", "install", PIN), ("lake", "exe", "cache", "get"), ("lake", "build", "repl"),
    ]
    assert all(s.cwd == ws.resolve() for s in steps[1:])
    assert [s.network for s in steps] == [True, True, True, True, False, False]
    assert "v4.24.0" in steps[2].title
    assert "import Mathlib" in steps[4].stdin and steps[5].argv == ("lake", "exe", "repl")
    assert steps[4].command.startswith("lake env lean --stdin <<'EOF'\nimport Mathlib")


@pytest.mark.parametrize("missing", ["lean-toolchain", "lakefile.lean"])
def test_not_a_workspace(tmp_path: Path, missing: str) -> None:
    ws = workspace(tmp_path)
    (ws / missing).unlink()
    with pytest.raises(WorkspaceError, match=f"no {missing}"):
        check_workspace(ws)
    with pytest.raises(WorkspaceError, match="no such folder"):
        check_workspace(tmp_path / "nowhere")


# ------------------------------------------------------------------ running it


def test_all_steps_run_in_order_with_elan_on_path(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    runner, lines, probes = Recorder(output={"mathlib": ["Decompressing 5000 file(s)"]}), [], []
    report = setup_lean(ws, env=env, runner=runner, online=lambda e: probes.append(1) or True, emit=lines.append)
    assert report.ok and not report.offline and report.failure is None
    assert [c[0] for c in runner.calls] == ["elan", "toolchain", "mathlib", "repl", "check-lean", "check-repl"]
    elan_bin = str(tmp_path / "home" / ".elan" / "bin")
    assert all(c[3].split(os.pathsep)[0] == elan_bin for c in runner.calls)  # a fresh elan is found
    assert probes == [1]  # GitHub is asked once
    assert "[3/6] fetch Mathlib v4.24.0 and its prebuilt cache (several GB)" in lines
    assert "    Decompressing 5000 file(s)" in lines
    assert all(r.status is StepStatus.OK for r in report.results)


def test_done_steps_are_skipped(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    elan = executable(tmp_path / "home" / ".elan" / "bin" / "elan")
    toolchain_dir(PIN, env).mkdir(parents=True)
    runner = Recorder()
    report = setup_lean(ws, env=env, runner=runner, online=lambda e: True)
    assert [r.status for r in report.results[:2]] == [StepStatus.SKIPPED, StepStatus.SKIPPED]
    assert str(elan) in report.results[0].message
    assert [c[0] for c in runner.calls] == ["mathlib", "repl", "check-lean", "check-repl"]
    assert find_tool("elan", env) == elan


def test_skip_elan(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    runner = Recorder({"toolchain": 127}, {"toolchain": ["elan: command not found"]})
    report = setup_lean(ws, env=env, runner=runner, skip_elan=True, online=lambda e: True)
    assert report.results[0].status is StepStatus.SKIPPED and report.results[0].message == "--skip-elan"
    failure = report.failure
    assert failure is not None and failure.step.key == "toolchain" and failure.status is StepStatus.FAILED
    assert "exited with 127 (elan not found)" in failure.message
    assert "without --skip-elan" in failure.message


def test_offline_before_a_download(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    runner = Recorder()
    report = setup_lean(ws, env=env, runner=runner, online=lambda e: False)
    assert runner.calls == [] and report.offline and not report.ok
    statuses = [r.status for r in report.results]
    assert statuses == [StepStatus.OFFLINE] + [StepStatus.NOT_RUN] * 5
    advice = report.failure.message
    assert advice.startswith("No internet: 'install elan, the Lean toolchain manager' downloads from GitHub")
    assert "leanzero setup-lean" in advice
    # the commands to run later, in order, with the folder they run in
    body = advice.splitlines()
    assert (
        body.index("    " + ELAN_INSTALL) < body.index(f"    cd {ws.resolve()}") < body.index("    lake exe cache get")
    )
    assert "    lake build repl" in body and "~/.elan" in advice


def test_network_failure_in_output_reads_as_offline(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    runner = Recorder(
        {"mathlib": 1}, {"mathlib": ["curl: (6) Could not resolve host: lakecache.blob.core.windows.net"]}
    )
    report = setup_lean(ws, env=env, runner=runner, online=lambda e: True)
    failure = report.failure
    assert failure.step.key == "mathlib" and failure.status is StepStatus.OFFLINE
    assert "lake exe cache get" in failure.message and "elan-init.sh" not in failure.message
    assert [r.status for r in report.results[3:]] == [StepStatus.NOT_RUN] * 3


def test_other_failures_say_what_to_do(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    runner = Recorder({"repl": 1}, {"repl": ["error: REPL/Main.lean:12:3: unknown constant"]})
    report = setup_lean(ws, env=env, runner=runner, online=lambda e: True)
    failure = report.failure
    assert failure.step.key == "repl" and failure.status is StepStatus.FAILED and failure.returncode == 1
    assert failure.message.startswith("'build the Lean REPL' failed: `lake build repl` exited with 1.")
    assert f"Run `lake build repl` in {ws.resolve()}" in failure.message
    assert failure.output == ("error: REPL/Main.lean:12:3: unknown constant",)
    assert [c[0] for c in runner.calls][-1] == "repl"


def test_offline_patterns() -> None:
    assert looks_offline(["fatal: unable to access 'https://github.com/x/': Could not resolve host: github.com"])
    assert looks_offline(["curl: (7) Failed to connect to raw.githubusercontent.com port 443"])
    assert looks_offline(["error: Temporary failure in name resolution"])
    assert not looks_offline(["error: unknown identifier 'foo'", "build failed"])


def test_run_step_streams_output(tmp_path: Path) -> None:
    code = "import sys; print('got', sys.stdin.read().strip()); print('bye', file=sys.stderr); sys.exit(3)"
    step = Step("t", "test", (sys.executable, "-c", code), tmp_path, False, "", stdin="hello\n")
    lines: list[str] = []
    assert run_step(step, dict(os.environ), lines.append) == 3
    assert lines == ["got hello", "bye"]
    missing = Step("m", "missing", ("no-such-program-leanzero",), None, False, "")
    lines.clear()
    assert run_step(missing, dict(os.environ), lines.append) == 127
    assert lines == ["no-such-program-leanzero: command not found"]


# ------------------------------------------------------------------ doctor


def test_inspect_a_set_up_workspace(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    bin_dir = tmp_path / "home" / ".elan" / "bin"
    for tool in ("elan", "lake", "lean"):
        executable(bin_dir / tool)
    toolchain_dir(PIN, env).mkdir(parents=True)
    (ws / "lake-manifest.json").write_text(
        '{"version": 7, "packages": [{"name": "mathlib", "inputRev": "v4.24.0", "rev": "0123456789abcdef"}]}'
    )
    olean = ws / ".lake/packages/mathlib/.lake/build/lib/lean/Mathlib.olean"
    olean.parent.mkdir(parents=True)
    olean.write_text("")
    repl = executable(ws / ".lake/packages/REPL/.lake/build/bin/repl")
    versions = {
        "elan": "elan 4.1.2 (58e8d545e 2025-05-26)",
        "lake": "Lake version 5.0.0-src+0000000 (Lean version 4.24.0)",
        "lean": "Lean (version 4.24.0, x86_64-unknown-linux-gnu, commit 0000000, Release)",
    }
    asked: list[tuple[str, Path | None]] = []

    def probe(argv, cwd, run_env):
        asked.append((Path(argv[0]).name, cwd))
        return versions[Path(argv[0]).name]

    status = inspect_workspace(ws, env=env, probe=probe)
    assert status.toolchain_ok and status.toolchain_installed and status.mathlib_built
    assert status.mathlib_rev == "v4.24.0" and status.repl_binary == repl
    assert asked == [("elan", None), ("lake", ws.resolve()), ("lean", ws.resolve())]
    checks = doctor_checks(status, {"lean-interact": "0.11.6", "lean-dojo": None}, env={})
    assert missing_for(checks, "repl") == ()
    assert [c.name for c in missing_for(checks, "dojo")] == ["python lean-dojo", "dojo target"]


def test_lean_is_not_run_when_elan_would_download(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    for tool in ("elan", "lake", "lean"):
        executable(tmp_path / "home" / ".elan" / "bin" / tool)
    asked: list[str] = []
    status = inspect_workspace(ws, env=env, probe=lambda argv, cwd, e: asked.append(Path(argv[0]).name) or "elan 4")
    assert asked == ["elan"] and not status.toolchain_installed
    checks = {c.name: c for c in doctor_checks(status, {}, env={})}
    assert "not installed (lean and lake were not run" in checks["toolchain"].detail
    assert checks["toolchain"].fix == f"elan toolchain install {PIN}"


def test_doctor_on_an_empty_machine(tmp_path: Path) -> None:
    ws, env = workspace(tmp_path), fake_env(tmp_path)
    status = inspect_workspace(ws, env=env, probe=lambda *a: pytest.fail("nothing to probe"))
    data = tmp_path / "shared"
    (data / "minif2f").mkdir(parents=True)
    (data / "minif2f" / "test.jsonl").write_text("")
    checks = doctor_checks(status, {"lean-interact": None, "ray": None}, data_dir=data, env={})
    missing = [c.name for c in missing_for(checks, "repl")]
    assert missing == ["python lean-interact", "toolchain", "lake", "lean", "Mathlib", "REPL binary"]
    by_name = {c.name: c for c in checks}
    assert by_name["Mathlib"].fix == f"cd {ws.resolve()} && lake exe cache get"
    assert by_name["REPL binary"].fix == f"cd {ws.resolve()} && lake build repl"
    assert ELAN_INSTALL in by_name["elan"].fix
    assert not by_name["python ray"].needed_by and not by_name["miniF2F data"].ok


def test_python_packages_are_looked_up_not_imported() -> None:
    import importlib.metadata

    def version(name: str) -> str:
        if name == "lean-dojo":
            raise importlib.metadata.PackageNotFoundError(name)
        return "1.0"

    assert python_packages(("lean-interact", "lean-dojo"), version) == {"lean-interact": "1.0", "lean-dojo": None}
