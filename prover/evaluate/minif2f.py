"""Problem sets for `leanzero evaluate`: miniF2F located (or downloaded) and statement files read.

Where the miniF2F rows come from, first match wins:

1. `--data PATH`, else `$LEANZERO_MINIF2F`: a JSONL file, a folder holding `valid.jsonl` and
   `test.jsonl` (as in `../shared/minif2f`), or a clone of the miniF2F-lean4 repository;
2. the cache: a clone of the pinned repository in `$XDG_CACHE_HOME/leanzero/minif2f` (default
   `~/.cache/leanzero/minif2f`), made with `git clone` on first use (network needed; offline,
   `DataError` says what to pass instead).

The repository stores one `.lean` file per problem (`MiniF2F/Valid/NAME.lean`, `MiniF2F/Test/...`);
`rows_from_tree` turns them into the rows of the JSONL files with `lean_env.text.files`,
the reader of `leanzero prove --file`: what comes before the theorem becomes the header.

Rows are `name, formal_statement[, header]` objects. A row that is not such an object is bad
input (`DataError` naming `file:line`); a statement that does not read as `theorem NAME BINDERS
: PROP` is kept with its `error` set, so the run reports it as `error` and goes on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from lean_env.problem import Problem, ProblemFileError, problems_from_rows
from lean_env.problem import read_problems as read_jsonl
from lean_env.text.files import LeanFileError, theorem_in_file

REPO_URL = "https://github.com/yangky11/miniF2F-lean4"
COMMIT = "5746b7d6c47855ce1294bed87329618ff7f1bc31"  # Lean and Mathlib v4.24.0, as lean-toolchain
SPLITS = ("valid", "test")
DATA_ENV = "LEANZERO_MINIF2F"  # a path, as --data
URL_ENV = "LEANZERO_MINIF2F_URL"  # clone from here instead (a mirror)
CLONE_SECONDS = 900.0

__all__ = [
    "COMMIT", "DATA_ENV", "REPO_URL", "SPLITS", "URL_ENV", "DataError", "cache_dir", "clone", "dojo_target",
    "load_minif2f", "read_problems", "rows_from_tree", "tasks_from_rows",
]


class DataError(Exception):
    """Problems we cannot load; the message says where and what to do (the CLI exits 2)."""


def tasks_from_rows(rows: Iterable[tuple[str, object]]) -> list[Problem]:
    """Problems from `(where, row)` pairs, `where` being `file:line` (for messages); a statement
    that does not read is kept with its `error` set (the run reports it and goes on)."""
    try:
        return problems_from_rows(rows, keep_unreadable=True)
    except ProblemFileError as e:
        raise DataError(str(e)) from None


def read_problems(path: str | Path) -> list[Problem]:
    """Problems from a `name, formal_statement[, header]` JSONL file (`lean_env.problem`)."""
    try:
        return read_jsonl(path, keep_unreadable=True)
    except ProblemFileError as e:
        raise DataError(str(e)) from None


def rows_from_tree(root: str | Path, split: str) -> list[dict[str, str]]:
    """The rows of one split of a miniF2F-lean4 checkout, in file-name order: one per
    `MiniF2F/<Split>/*.lean`, its theorem as `formal_statement` (`:= by sorry` appended) and its
    what the file says before it (imports, options, opens) as `header`
    (`lean_env.text.files.theorem_in_file`, as `leanzero prove --file`)."""

    folder = Path(root) / "MiniF2F" / split.capitalize()
    if not folder.is_dir():
        raise DataError(f"{root}: not a miniF2F-lean4 checkout (no {folder.relative_to(root)}/)")
    rows = []
    for file in sorted(folder.glob("*.lean")):
        try:
            thm = theorem_in_file(str(file), None)
        except LeanFileError:  # more than one declaration: the one named like the file
            try:
                thm = theorem_in_file(str(file), file.stem)
            except LeanFileError as e:
                raise DataError(str(e)) from None
        rows.append({"name": thm.name, "split": split, "header": thm.header,
                     "formal_statement": f"{thm.statement} := by sorry"})
    if not rows:
        raise DataError(f"{folder}: no .lean files")
    return rows


# ------------------------------------------------------------------ miniF2F


def dojo_target(split: str, environ: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """The `dojo` backend's options for miniF2F: the pinned repository (LeanDojo traces it on
    first use) with one file per problem, `MiniF2F/<Split>/{name}.lean`. What the user set in
    $LEANZERO_DOJO_REPO / _COMMIT / _FILE (say, a local traced checkout) is kept instead."""
    from lean_env.dojo.backend import COMMIT_VAR, FILE_VAR, REPO_VAR

    environ = os.environ if environ is None else environ
    defaults = (("repo", REPO_VAR, REPO_URL), ("commit", COMMIT_VAR, COMMIT),
                ("file", FILE_VAR, f"MiniF2F/{split.capitalize()}/{{name}}.lean"))
    return tuple((key, value) for key, var, value in defaults if not environ.get(var))


def cache_dir() -> Path:
    """Where the downloaded miniF2F lives: `$XDG_CACHE_HOME/leanzero/minif2f`."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "leanzero" / "minif2f"


def _hint(split: str) -> str:
    return (f"pass --data PATH (a {split}.jsonl file, a folder holding valid.jsonl and test.jsonl, or a "
            f"clone of {REPO_URL} at {COMMIT[:7]}) or set {DATA_ENV}=PATH")


def clone(dest: Path, url: str | None = None, commit: str = COMMIT, *, split: str = "valid") -> Path:
    """Clone the repository at `commit` into `dest` (through a temp folder beside it, so an
    interrupted clone leaves nothing half-made). `DataError` when git fails, e.g. offline."""
    url = url or os.environ.get(URL_ENV) or REPO_URL
    git = shutil.which("git")
    if git is None:
        raise DataError(f"cannot download miniF2F: git is not installed; {_hint(split)}")
    if dest.exists():
        raise DataError(f"{dest} exists but is not a miniF2F-lean4 checkout: remove it and run again")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # never wait for a password
    steps = ((f"git clone {url}", [git, "clone", "--quiet", "--no-checkout", url, str(tmp)]),
             (f"git checkout {commit}", [git, "-C", str(tmp), "checkout", "--quiet", commit]))
    for shown, step in steps:
        try:
            subprocess.run(step, check=True, capture_output=True, text=True, env=env, timeout=CLONE_SECONDS)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            shutil.rmtree(tmp, ignore_errors=True)
            output = e.stderr if isinstance(e, subprocess.CalledProcessError) else "timed out"
            why = next((line.strip() for line in reversed(str(output or "").splitlines()) if line.strip()), "failed")
            raise DataError(f"cannot download miniF2F: `{shown}` failed ({why}); no network? {_hint(split)}") from None
    os.replace(tmp, dest)
    return dest


def _from_path(path: Path, split: str) -> tuple[list[Problem], str]:
    if path.is_file():
        return read_problems(path), str(path)
    if path.is_dir():
        if (path / f"{split}.jsonl").is_file():
            return read_problems(path / f"{split}.jsonl"), str(path / f"{split}.jsonl")
        if (path / "MiniF2F").is_dir():
            return (
                tasks_from_rows(_numbered(path, rows_from_tree(path, split))),
                f"{path} (MiniF2F/{split.capitalize()})",
            )
        raise DataError(f"{path}: holds neither {split}.jsonl nor a miniF2F-lean4 checkout (MiniF2F/)")
    raise DataError(f"{path}: no such file or folder")


def _numbered(root: Path, rows: list[dict[str, str]]) -> list[tuple[str, object]]:
    folder = Path("MiniF2F")
    return [(str(root / folder / row["split"].capitalize() / f"{row['name']}.lean"), row) for row in rows]


def load_minif2f(split: str, data: str | Path | None = None) -> tuple[list[Problem], str]:
    """The tasks of one split and a description of where they came from (see the module doc)."""
    if split not in SPLITS:
        raise DataError(f"unknown split '{split}'; choose one of {', '.join(SPLITS)}")
    given = data if data not in (None, "") else os.environ.get(DATA_ENV) or None
    if given is not None:
        return _from_path(Path(given).expanduser(), split)
    repo = cache_dir() / "miniF2F-lean4"
    if not (repo / "MiniF2F").is_dir():
        clone(repo, split=split)
    return _from_path(repo, split)
