"""The Lean workspace: what is installed (`leanzero doctor`) and how to install it (`leanzero setup-lean`).

The workspace is the repository root: `lean-toolchain` pins Lean, `lakefile.lean` pins Mathlib
and the Lean REPL. Inspection runs only `--version` probes, and never one that could make elan
download a toolchain behind the user's back. Setup runs its steps through a runner callable, so
tests can check what would run, in which folder and order, and how each failure is reported,
without running anything. Stdlib only: importing this module starts nothing.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ELAN_INIT_URL = "https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh"
# Non-interactive, and no default toolchain: `lean-toolchain` chooses the one this workspace uses.
ELAN_INSTALL = f"curl {ELAN_INIT_URL} -sSf | sh -s -- -y --default-toolchain none"
PYTHON_PACKAGES = ("lean-interact", "lean-dojo", "ray", "torch")
CHECK_LEAN = "import Mathlib\n\nexample : (2 : ℕ) + 2 = 4 := by norm_num\n"
CHECK_REPL = '{"cmd": "example : (2 : Nat) + 2 = 4 := by decide"}\n\n'

Env = Mapping[str, str]
Probe = Callable[[Sequence[str], Path | None, Env], str | None]
Emit = Callable[[str], None]
Runner = Callable[["Step", Env, Emit], int]


class WorkspaceError(ValueError):
    """The folder is not a Lean workspace (no `lean-toolchain` or `lakefile.lean`)."""


# ------------------------------------------------------------------ finding the tools


def elan_home(env: Env | None = None) -> Path:
    """Where elan keeps its binaries and toolchains: `$ELAN_HOME`, else `~/.elan`."""
    env = os.environ if env is None else env
    if env.get("ELAN_HOME"):
        return Path(env["ELAN_HOME"])
    return Path(env.get("HOME") or Path.home()) / ".elan"


def tool_path(env: Env | None = None) -> str:
    """PATH with elan's bin folder first: a freshly installed elan works before the shell
    is restarted, and elan's proxies pick the toolchain that `lean-toolchain` pins."""
    env = os.environ if env is None else env
    return os.pathsep.join([str(elan_home(env) / "bin"), env.get("PATH", os.defpath)])


def step_env(env: Env | None = None) -> dict[str, str]:
    env = dict(os.environ if env is None else env)
    env["PATH"] = tool_path(env)
    return env


def find_tool(name: str, env: Env | None = None) -> Path | None:
    found = shutil.which(name, path=tool_path(env))
    return Path(found) if found else None


def pinned_toolchain(workspace: Path) -> str:
    """The toolchain `lean-toolchain` pins (`leanprover/lean4:v4.24.0`), or "" without one."""
    try:
        return (workspace / "lean-toolchain").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def toolchain_version(toolchain: str) -> str:
    """`leanprover/lean4:v4.24.0` -> `4.24.0` (what `lean --version` reports)."""
    m = re.search(r"v?(\d+\.\d+\.\d+(?:-[\w.]+)?)$", toolchain)
    return m.group(1) if m else toolchain


def toolchain_dir(toolchain: str, env: Env | None = None) -> Path:
    """elan's folder for a toolchain: `/` becomes `--` and `:` becomes `---`."""
    return elan_home(env) / "toolchains" / toolchain.replace("/", "--").replace(":", "---")


def lean_version_of(line: str | None) -> str | None:
    """`Lean (version 4.24.0, x86_64-unknown-linux-gnu, commit ..., Release)` -> `4.24.0`."""
    m = re.search(r"version (\d+\.\d+\.\d+(?:-[\w.]+)?)", line or "")
    return m.group(1) if m else None


def run_version(argv: Sequence[str], cwd: Path | None, env: Env) -> str | None:
    """The first line a `--version` call prints, or None when it cannot run or fails."""
    try:
        done = subprocess.run(
            list(argv), cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=30,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = (done.stdout or done.stderr or "").strip()
    if done.returncode != 0 or not text:
        return None
    return text.splitlines()[0].strip()


# ------------------------------------------------------------------ what is installed


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    path: Path | None = None
    version: str | None = None  # first line of `NAME --version`

    @property
    def found(self) -> bool:
        return self.path is not None


@dataclass(frozen=True, slots=True)
class LeanStatus:
    """What a workspace has, as found on disk and by `--version` probes."""

    workspace: Path
    toolchain: str  # pinned by `lean-toolchain`; "" when the file is missing
    elan: Tool
    lake: Tool
    lean: Tool
    toolchain_installed: bool  # elan holds the pinned toolchain
    lean_version: str | None  # reported by `lean --version` run in the workspace
    mathlib_rev: str | None  # from lake-manifest.json (`v4.24.0`); None before the first fetch
    mathlib_fetched: bool  # .lake/packages/mathlib exists
    mathlib_built: bool  # Mathlib.olean exists (cache fetched or built)
    repl_binary: Path | None

    @property
    def toolchain_ok(self) -> bool:
        return bool(self.toolchain) and self.lean_version == toolchain_version(self.toolchain)


def _manifest_rev(workspace: Path, package: str) -> str | None:
    try:
        manifest = json.loads((workspace / "lake-manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for entry in manifest.get("packages", []) if isinstance(manifest, dict) else []:
        if isinstance(entry, dict) and entry.get("name") == package:
            return entry.get("inputRev") or (entry.get("rev") or "")[:12] or None
    return None


def packages_dir(workspace: Path) -> Path:
    return workspace / ".lake" / "packages"


def mathlib_olean(workspace: Path) -> Path | None:
    """Mathlib.olean where Lake puts it (`lib/lean/` since Lean 4.12, `lib/` before)."""
    build = packages_dir(workspace) / "mathlib" / ".lake" / "build" / "lib"
    return next((p for p in (build / "lean" / "Mathlib.olean", build / "Mathlib.olean") if p.is_file()), None)


def repl_binary(workspace: Path) -> Path | None:
    """The REPL executable `lake build repl` leaves in the package's own build folder."""
    for folder in ("REPL", "repl"):  # Lake names the folder after the `require`
        path = packages_dir(workspace) / folder / ".lake" / "build" / "bin" / "repl"
        if path.is_file():
            return path
    return None


def inspect_workspace(workspace: Path = REPO_ROOT, *, env: Env | None = None, probe: Probe = run_version) -> LeanStatus:
    """What is installed for `workspace`. `lean`/`lake` are asked their version only when
    running them cannot start a toolchain download (elan installs missing toolchains on use)."""
    env = dict(os.environ if env is None else env)
    workspace = workspace.resolve()
    run_env = step_env(env)
    toolchain = pinned_toolchain(workspace)
    elan_path = find_tool("elan", env)
    elan = Tool("elan", elan_path, probe([str(elan_path), "--version"], None, run_env) if elan_path else None)
    installed = bool(toolchain) and toolchain_dir(toolchain, env).is_dir()
    safe = installed or elan_path is None
    tools = {}
    for name in ("lake", "lean"):
        path = find_tool(name, env)
        version = probe([str(path), "--version"], workspace, run_env) if path and safe else None
        tools[name] = Tool(name, path, version)
    return LeanStatus(
        workspace=workspace,
        toolchain=toolchain,
        elan=elan,
        lake=tools["lake"],
        lean=tools["lean"],
        toolchain_installed=installed,
        lean_version=lean_version_of(tools["lean"].version),
        mathlib_rev=_manifest_rev(workspace, "mathlib"),
        mathlib_fetched=(packages_dir(workspace) / "mathlib").is_dir(),
        mathlib_built=mathlib_olean(workspace) is not None,
        repl_binary=repl_binary(workspace),
    )


def python_packages(
    names: Sequence[str] = PYTHON_PACKAGES, version: Callable[[str], str] = importlib.metadata.version
) -> dict[str, str | None]:
    """Installed version of each distribution, None when absent; nothing is imported."""
    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


@dataclass(frozen=True, slots=True)
class Check:
    """One line of `leanzero doctor`; `needed_by` names the backends that cannot run without it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    needed_by: tuple[str, ...] = ()


_PACKAGE_USE = {  # backends that need it, what it is for, how to install it
    "lean-interact": (("repl",), "drives the Lean REPL for the `repl` backend", "pip install -e '.[lean]'"),
    "lean-dojo": (("dojo",), "the `dojo` backend", "pip install lean-dojo"),
    "ray": ((), "parallel self-play workers (optional)", "pip install ray"),
    "torch": ((), "the policy/value network", "make venv"),
}


def doctor_checks(
    status: LeanStatus,
    packages: Mapping[str, str | None],
    *,
    data_dir: Path | None = None,
    env: Env | None = None,
) -> tuple[Check, ...]:
    """Everything `leanzero doctor` reports, with a fix for whatever is missing."""
    env = os.environ if env is None else env
    ws = status.workspace
    pin = status.toolchain or "(no lean-toolchain file)"
    want = toolchain_version(status.toolchain) if status.toolchain else "?"
    checks: list[Check] = []
    for name, version in packages.items():
        needed, use, fix = _PACKAGE_USE.get(name, ((), "", f"pip install {name}"))
        checks.append(Check(f"python {name}", version is not None, f"{version or 'not installed'}: {use}", fix, needed))
    checks.append(Check(
        "elan", status.elan.found,
        f"{status.elan.version or 'version unknown'} at {status.elan.path}" if status.elan.found else "not found",
        f"leanzero setup-lean, or: {ELAN_INSTALL}", ("dojo",),
    ))
    if status.toolchain_installed:
        toolchain_detail = f"{pin} installed"
    elif status.elan.found:
        toolchain_detail = f"{pin} not installed (lean and lake were not run: elan would download it)"
    else:
        toolchain_detail = f"{pin} pinned; elan not found"
    checks.append(Check(
        "toolchain", status.toolchain_installed or status.toolchain_ok, toolchain_detail,
        f"elan toolchain install {status.toolchain or '<toolchain>'}", ("repl",),
    ))
    checks.append(Check(
        "lake", status.lake.version is not None,
        status.lake.version or ("found, version not checked" if status.lake.found else "not found"),
        "leanzero setup-lean (installs elan, whose `lake` follows lean-toolchain)", ("repl", "dojo"),
    ))
    if status.lean_version is None:
        lean_detail = "found, version not checked" if status.lean.found else "not found"
    elif status.toolchain_ok:
        lean_detail = f"{status.lean_version} (matches lean-toolchain)"
    else:
        lean_detail = f"{status.lean_version}, but lean-toolchain pins {want}"
    checks.append(Check(
        "lean", status.toolchain_ok, lean_detail,
        f"elan toolchain install {status.toolchain or '<toolchain>'} (elan then runs the pinned lean here)",
        ("repl",),
    ))
    rev = status.mathlib_rev or "revision unknown"
    if status.mathlib_built:
        mathlib_detail = f"{rev}, built (prebuilt cache present)"
    elif status.mathlib_fetched:
        mathlib_detail = f"{rev}, fetched but not built"
    else:
        mathlib_detail = "not fetched"
    checks.append(Check("Mathlib", status.mathlib_built, mathlib_detail, f"cd {ws} && lake exe cache get", ("repl",)))
    checks.append(Check(
        "REPL binary", status.repl_binary is not None,
        str(status.repl_binary) if status.repl_binary else "not built",
        f"cd {ws} && lake build repl", ("repl",),
    ))
    dojo_vars = [v for v in ("LEANZERO_DOJO_REPO", "LEANZERO_DOJO_COMMIT") if not env.get(v)]
    checks.append(Check(
        "dojo target", not dojo_vars,
        f"{env.get('LEANZERO_DOJO_REPO')} @ {env.get('LEANZERO_DOJO_COMMIT')}" if not dojo_vars
        else f"{' and '.join(dojo_vars)} not set",
        "export LEANZERO_DOJO_REPO=<git url or path of a traced repo> LEANZERO_DOJO_COMMIT=<commit> "
        "(docs/dojo.md)", ("dojo",),
    ))
    if data_dir is not None:
        minif2f = data_dir / "minif2f"
        present = [f for f in ("valid.jsonl", "test.jsonl") if (minif2f / f).is_file()]
        checks.append(Check(
            "miniF2F data", len(present) == 2,
            f"{minif2f}: {', '.join(present)}" if present else f"{minif2f}: absent",
            f"put miniF2F's valid.jsonl and test.jsonl in {minif2f}",
        ))
    return tuple(checks)


def missing_for(checks: Sequence[Check], backend: str) -> tuple[Check, ...]:
    return tuple(c for c in checks if backend in c.needed_by and not c.ok)


# ------------------------------------------------------------------ setting it up


class StepStatus(StrEnum):
    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"
    OFFLINE = "offline"
    NOT_RUN = "not run"


@dataclass(frozen=True, slots=True)
class Step:
    """One setup command: what it is for, where it runs, and what to do when it fails."""

    key: str
    title: str
    argv: tuple[str, ...]
    cwd: Path | None
    network: bool  # downloads something (fails offline)
    fix: str
    stdin: str | None = None

    @property
    def command(self) -> str:
        """The command as a person would type it in `cwd`."""
        text = self.argv[2] if self.argv[:2] == ("sh", "-c") else shlex.join(self.argv)
        if self.stdin is not None:
            text = f"{text} <<'EOF'\n{self.stdin.rstrip()}\nEOF"
        return text


@dataclass(frozen=True, slots=True)
class StepResult:
    step: Step
    status: StepStatus
    returncode: int | None = None
    message: str = ""  # why it was skipped, or what failed and what to do
    output: tuple[str, ...] = ()  # the last lines the command printed


@dataclass(frozen=True, slots=True)
class SetupReport:
    results: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return all(r.status in (StepStatus.OK, StepStatus.SKIPPED) for r in self.results)

    @property
    def offline(self) -> bool:
        return any(r.status is StepStatus.OFFLINE for r in self.results)

    @property
    def failure(self) -> StepResult | None:
        return next((r for r in self.results if r.status in (StepStatus.FAILED, StepStatus.OFFLINE)), None)


def check_workspace(workspace: Path) -> Path:
    """The workspace folder, resolved; WorkspaceError when it is not one."""
    if not workspace.is_dir():
        raise WorkspaceError(f"{workspace}: no such folder")
    for name in ("lean-toolchain", "lakefile.lean"):
        if not (workspace / name).is_file():
            raise WorkspaceError(f"{workspace}: not a Lean workspace (no {name})")
    if not pinned_toolchain(workspace):
        raise WorkspaceError(f"{workspace / 'lean-toolchain'}: empty")
    return workspace.resolve()


def plan_setup(workspace: Path = REPO_ROOT) -> tuple[Step, ...]:
    """The setup steps, in order; each needs the ones before it."""
    ws = check_workspace(workspace)
    toolchain = pinned_toolchain(ws)
    mathlib = _lakefile_rev(ws, "mathlib") or "(lakefile.lean's tag)"
    return (
        Step(
            "elan", "install elan, the Lean toolchain manager", ("sh", "-c", ELAN_INSTALL), None, True,
            "Check that curl is installed and https://raw.githubusercontent.com is reachable, then run "
            f"`{ELAN_INSTALL}` by hand (see https://github.com/leanprover/elan), or install elan with "
            "your package manager and rerun with --skip-elan.",
        ),
        Step(
            "toolchain", f"install the Lean toolchain {toolchain}", ("elan", "toolchain", "install", toolchain), ws,
            True,
            f"Run `elan toolchain install {toolchain}` by hand; if elan is missing, install it first "
            "(run setup-lean without --skip-elan).",
        ),
        Step(
            "mathlib", f"fetch Mathlib {mathlib} and its prebuilt cache (several GB)", ("lake", "exe", "cache", "get"),
            ws, True,
            f"Run `lake exe cache get` in {ws}. If the download was cut off, run it again; if a "
            "`.lake/packages/mathlib` folder from another Mathlib version is in the way, delete "
            f"{ws / '.lake'} and rerun. Check the free disk space (Mathlib needs several GB).",
        ),
        Step(
            # `repl` is the REPL's executable; a bare `REPL` would name its library
            "repl", "build the Lean REPL", ("lake", "build", "repl"), ws, True,
            f"Run `lake build repl` in {ws} and read its first error. A REPL tag that does not match "
            "lean-toolchain fails to compile: both must name the same Lean version.",
        ),
        Step(
            "check-lean", "check that Lean loads Mathlib", ("lake", "env", "lean", "--stdin"), ws, False,
            f"Mathlib did not load: rerun `lake exe cache get` in {ws} (a partial cache makes Lean "
            "rebuild or fail), then `leanzero doctor`.",
            stdin=CHECK_LEAN,
        ),
        Step(
            "check-repl", "check that the REPL answers", ("lake", "exe", "repl"), ws, False,
            f"Rebuild it with `lake build repl` in {ws}, then `leanzero doctor`.",
            stdin=CHECK_REPL,
        ),
    )


def _lakefile_rev(workspace: Path, package: str) -> str | None:
    try:
        text = (workspace / "lakefile.lean").read_text(encoding="utf-8")
    except OSError:
        return None
    m = re.search(rf'require\s+«?{package}»?\s+from\s+git\s+"[^"]*"\s*@\s*"([^"]+)"', text)
    return m.group(1) if m else None


def skip_reason(step: Step, env: Env | None = None, *, skip_elan: bool = False) -> str | None:
    """Why `step` need not run, or None."""
    if step.key == "elan":
        if skip_elan:
            return "--skip-elan"
        found = find_tool("elan", env)
        return f"elan is already installed at {found}" if found else None
    if step.key == "toolchain":
        folder = toolchain_dir(step.argv[-1], env)
        return f"already installed in {folder}" if folder.is_dir() else None
    return None


def can_reach(env: Env | None = None, host: str = "github.com", port: int = 443, timeout: float = 5.0) -> bool:
    """Whether GitHub answers. Behind a proxy a direct connection says nothing, so say yes
    and let the step's own output tell."""
    env = os.environ if env is None else env
    if any(env.get(k) for k in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")):
        return True
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


_OFFLINE = re.compile(
    r"could not resolve|temporary failure in name resolution|name or service not known|"
    r"network is unreachable|no route to host|failed to connect|couldn't connect|connection timed out|"
    r"unable to access|curl: \((?:6|7|28)\)|getaddrinfo|nodename nor servname|could not download",
    re.IGNORECASE,
)


def looks_offline(lines: Sequence[str]) -> bool:
    """Whether a failed command's output reads like a network failure."""
    return any(_OFFLINE.search(line) for line in lines)


def offline_advice(steps: Sequence[Step], first: int) -> str:
    """What to do about steps[first:] without internet."""
    todo = steps[first:]
    lines = [
        f"No internet: '{steps[first].title}' downloads from GitHub, which cannot be reached from here. "
        "Nothing after it was run.",
        "On a machine with internet, run `leanzero setup-lean` again, or these commands:",
    ]
    cwd: Path | None = None
    for step in todo:
        if step.cwd is not None and step.cwd != cwd:
            cwd = step.cwd
            lines.append(f"    cd {shlex.quote(str(cwd))}")
        lines.extend("    " + line for line in step.command.splitlines())
    lines.append(
        "An offline machine can instead take a copy of a set-up machine's ~/.elan and of this "
        "workspace's .lake folder (same paths, same Lean version)."
    )
    return "\n".join(lines)


def run_step(step: Step, env: Env, emit: Emit) -> int:
    """Run one step, streaming its merged output line by line; 127 when the program is missing."""
    try:
        proc = subprocess.Popen(
            list(step.argv),
            cwd=step.cwd,
            env=dict(env),
            stdin=subprocess.PIPE if step.stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
    except FileNotFoundError:
        emit(f"{step.argv[0]}: command not found")
        return 127
    except OSError as e:
        emit(f"{step.argv[0]}: {e.strerror or e}")
        return 126
    if step.stdin is not None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(step.stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    assert proc.stdout is not None
    for line in proc.stdout:
        emit(line.rstrip("\n"))
    return proc.wait()


def setup_lean(
    workspace: Path = REPO_ROOT,
    *,
    skip_elan: bool = False,
    env: Env | None = None,
    runner: Runner = run_step,
    online: Callable[[Env], bool] = can_reach,
    emit: Emit = lambda line: None,
) -> SetupReport:
    """Run the setup steps in order, stopping at the first failure. Network steps first check
    that GitHub is reachable (once); offline, the report says what to run later instead."""
    env = dict(os.environ if env is None else env)
    steps = plan_setup(workspace)
    run_env = step_env(env)
    results: list[StepResult] = []
    reachable: bool | None = None
    for i, step in enumerate(steps):
        if results and results[-1].status in (StepStatus.FAILED, StepStatus.OFFLINE, StepStatus.NOT_RUN):
            results.append(StepResult(step, StepStatus.NOT_RUN))
            continue
        head = f"[{i + 1}/{len(steps)}] {step.title}"
        why = skip_reason(step, env, skip_elan=skip_elan)
        if why is not None:
            emit(f"{head}: skipped ({why})")
            results.append(StepResult(step, StepStatus.SKIPPED, message=why))
            continue
        if step.network and reachable is None:
            reachable = online(env)
        if step.network and not reachable:
            emit(f"{head}: offline")
            results.append(StepResult(step, StepStatus.OFFLINE, message=offline_advice(steps, i)))
            continue
        emit(head)
        emit(f"  in {step.cwd or Path.cwd()}: {step.command.splitlines()[0]}")
        tail: deque[str] = deque(maxlen=40)

        def line(text: str, tail: deque[str] = tail) -> None:
            tail.append(text)
            emit("    " + text)

        code = runner(step, run_env, line)
        output = tuple(tail)
        if code == 0:
            results.append(StepResult(step, StepStatus.OK, 0, output=output))
        elif step.network and looks_offline(output):
            results.append(StepResult(step, StepStatus.OFFLINE, code, offline_advice(steps, i), output))
        else:
            missing = f" ({step.argv[0]} not found)" if code == 127 else ""
            message = f"'{step.title}' failed: `{step.command.splitlines()[0]}` exited with {code}{missing}. {step.fix}"
            results.append(StepResult(step, StepStatus.FAILED, code, message, output))
    return SetupReport(tuple(results))
