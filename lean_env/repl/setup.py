"""Where the Lean toolchain, the Lean project and the REPL binary are, or why the backend cannot run.

Pure file-system checks, no Lean and no lean-interact: `open_env("repl")` calls `find_setup`
first so that a machine without Lean gets one clear error naming `leanzero setup-lean`.

Look-up order (first hit wins):
- project: the `project_dir` option, `$LEANZERO_LEAN_PROJECT`, the repository root (this
  checkout's `lakefile.lean` + `lean-toolchain`);
- REPL: the `repl_dir` option, `$LEANZERO_REPL_DIR`, `<project>/.lake/packages/REPL` (the REPL
  the project's lakefile requires, built by `lake build REPL`; also `.../repl`), then
  lean-interact's own cache for the project's toolchain; a REPL directory counts when it holds
  the built `.lake/build/bin/repl`;
- lake: the `lake` option, `$LEANZERO_LAKE`, `lake` on PATH, `~/.elan/bin/lake`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

SETUP_HINT = "run `leanzero setup-lean` to install Lean, Mathlib and the REPL"
REPO_ROOT = Path(__file__).resolve().parents[2]
REPL_BIN = Path(".lake") / "build" / "bin" / "repl"
LEAN_INTERACT_REPL = ("augustepoiroux", "repl", "v1.3.19")  # lean-interact 0.11.6's default REPL


@dataclass(frozen=True, slots=True)
class LeanSetup:
    """A Lean project (toolchain + Mathlib) and a built REPL that runs in it."""

    lake: str
    project_dir: Path
    repl_dir: Path

    @property
    def repl_bin(self) -> Path:
        return self.repl_dir / REPL_BIN

    @property
    def toolchain(self) -> str:
        return (self.project_dir / "lean-toolchain").read_text(encoding="utf-8").strip()


def not_set_up(why: str) -> ValueError:
    return ValueError(f"Lean is not set up for the repl backend: {why}; {SETUP_HINT}")


def find_setup(
    *, project_dir: str | os.PathLike[str] | None = None, repl_dir: str | os.PathLike[str] | None = None,
    lake: str | None = None,
) -> LeanSetup:
    """The setup to run, or a ValueError that says what is missing and names `leanzero setup-lean`."""
    lake_path = _find_lake(lake)
    if lake_path is None:
        raise not_set_up("`lake` (the Lean build tool, installed by elan) is not on PATH")
    project = Path(project_dir or os.environ.get("LEANZERO_LEAN_PROJECT") or REPO_ROOT).resolve()
    if not (project / "lean-toolchain").is_file() or not any(
        (project / name).is_file() for name in ("lakefile.lean", "lakefile.toml")
    ):
        raise not_set_up(f"{project} is not a Lean project (no lean-toolchain and lakefile)")
    candidates = [Path(p) for p in (repl_dir, os.environ.get("LEANZERO_REPL_DIR")) if p]
    if not candidates:
        packages = project / ".lake" / "packages"
        candidates = [packages / "REPL", packages / "repl", _lean_interact_repl(project)]
    for candidate in candidates:
        if (candidate / REPL_BIN).is_file():
            return LeanSetup(lake_path, project, candidate.resolve())
    tried = ", ".join(str(c / REPL_BIN) for c in candidates)
    raise not_set_up(f"no built Lean REPL (looked for {tried})")


def _find_lake(lake: str | None) -> str | None:
    for name in (lake, os.environ.get("LEANZERO_LAKE"), "lake", str(Path.home() / ".elan" / "bin" / "lake")):
        if name and (found := shutil.which(name)):
            return found
    return None


def _lean_interact_repl(project: Path) -> Path:
    """Where lean-interact builds its REPL for the project's toolchain (without importing it:
    importing lean-interact creates its cache directory)."""
    owner, name, rev = LEAN_INTERACT_REPL
    try:
        version = (project / "lean-toolchain").read_text(encoding="utf-8").strip().removeprefix("leanprover/lean4:")
    except OSError:
        return project / ".lake" / "packages" / "repl"

    spec = importlib.util.find_spec("lean_interact")
    if spec is None or not spec.submodule_search_locations:
        return project / ".lake" / "packages" / "repl"
    cache = Path(next(iter(spec.submodule_search_locations))) / "cache"
    return cache / owner / name / f"repl_{rev}_lean-toolchain-{version}"
