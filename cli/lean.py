"""`leanzero setup-lean` and `leanzero doctor`: install the Lean workspace and report what is present.

`add_commands` registers both on the `leanzero` parser; each sets `handler` (args -> exit code).
They read `lean_env.workspace` (stdlib only), so `leanzero --help` stays instant with neither
Lean nor LeanDojo installed.

`doctor --record DIR` goes on, where the repl backend is ready, to run the smoke set
(`lean_env.repl.smoke`) through it and write every request and answer as transcripts in DIR
(docs/lean.md says where to put them so that the test suite replays them).

Exit codes: setup-lean 0 done (or dry run), 1 a step failed or the machine is offline;
doctor 0 ready for the chosen backend (with --record: and every smoke check as expected), 1
something it needs is missing (with --record: nothing is written), or a smoke check found Lean
answering otherwise than the backend expects (the transcripts are written: they show what Lean
said); both 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cli.common import BadInput
from lean_env import workspace as ws  # module-qualified: tests replace its functions

if TYPE_CHECKING:
    from lean_env.repl.smoke import SmokeRun

EXIT_OK, EXIT_MISSING, EXIT_BAD_INPUT = 0, 1, 2


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `setup-lean` and `doctor` on the subcommand table of the `leanzero` parser."""
    setup = commands.add_parser(
        "setup-lean",
        help="install Lean, Mathlib and the Lean REPL (needs internet)",
        description="Install what the Lean backends need, step by step: elan (the Lean toolchain "
        "manager), the toolchain pinned by lean-toolchain, Mathlib's prebuilt cache, the Lean REPL; "
        "then check that Lean loads Mathlib and the REPL answers. Steps already done are skipped. "
        "Offline, it says which commands to run later. "
        "Exit codes: 0 done, 1 a step failed or no internet, 2 bad input.",
    )
    setup.add_argument(
        "--workspace", metavar="DIR", type=Path,
        help="the Lake workspace (default: $LEANZERO_LEAN_PROJECT, else this checkout's root)",
    )
    setup.add_argument("--dry-run", action="store_true", help="print the steps and commands, run nothing")
    setup.add_argument(
        "--skip-elan", action="store_true", help="do not install elan (it is installed some other way)"
    )
    setup.set_defaults(handler=setup_lean_command)

    doctor = commands.add_parser(
        "doctor",
        help="report which parts of Lean, Mathlib, the REPL and the Python packages are installed",
        description="Report the Python packages, elan, lake and lean with their versions, whether lean "
        "matches lean-toolchain, Mathlib, the REPL binary and the data. Runs nothing that downloads. "
        "With --record DIR, where the repl backend is ready, it then runs the smoke set through it and "
        "writes every request and answer as transcripts in DIR. "
        "Exit codes: 0 ready for --backend (with --record: every smoke check as expected), 1 something it "
        "needs is missing (nothing recorded) or a smoke check differed, 2 bad input.",
    )
    doctor.add_argument(
        "--workspace", metavar="DIR", type=Path,
        help="the Lake workspace (default: $LEANZERO_LEAN_PROJECT, else this checkout's root)",
    )
    doctor.add_argument(
        "--backend",
        choices=("repl", "dojo"),
        default="repl",
        help="the backend whose needs decide the exit code (default: repl)",
    )
    doctor.add_argument(
        "--record", metavar="DIR", type=Path,
        help="then run the smoke set (miniF2F statements, multi-goal states, #print axioms, a heartbeat "
        "overrun) through the repl backend and write every request and answer as transcripts "
        "DIR/NAME.in and DIR/NAME.expected.out (needs Lean; takes minutes)",
    )
    doctor.set_defaults(handler=doctor_command)


def _workspace(args: argparse.Namespace) -> Path:
    """--workspace, else $LEANZERO_LEAN_PROJECT (the project the repl backend uses), else this checkout."""

    folder = args.workspace or os.environ.get("LEANZERO_LEAN_PROJECT") or ws.REPO_ROOT
    try:
        return ws.check_workspace(Path(folder))
    except ws.WorkspaceError as e:
        raise BadInput(str(e)) from None


# ------------------------------------------------------------------ setup-lean


def setup_lean_command(args: argparse.Namespace) -> int:

    workspace = _workspace(args)
    if args.dry_run:
        steps = ws.plan_setup(workspace)
        print(f"leanzero setup-lean would run, in order (workspace {workspace}):")
        for i, step in enumerate(steps, 1):
            why = ws.skip_reason(step, skip_elan=args.skip_elan)
            note = f"  [skipped: {why}]" if why else ("  [downloads]" if step.network else "")
            print(f"\n{i}. {step.title}{note}")
            if step.cwd is not None:
                print(f"   in {step.cwd}")
            first, *more = step.command.splitlines()
            print(f"   $ {first}")
            for line in more:
                print(f"     {line}")
        return EXIT_OK

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        report = ws.setup_lean(workspace, skip_elan=args.skip_elan, emit=progress)
    except KeyboardInterrupt:
        print("\nsetup-lean: interrupted; run it again to go on (finished steps are skipped or quick)", file=sys.stderr)
        return 130
    print(_summary(report))
    return EXIT_OK if report.ok else EXIT_MISSING


def _summary(report: ws.SetupReport) -> str:
    lines = ["", "setup-lean:"]
    width = max(len(str(r.status)) for r in report.results)
    for r in report.results:
        note = f" ({r.message})" if r.status == "skipped" else ""
        lines.append(f"  {str(r.status):<{width}}  {r.step.title}{note}")
    failure = report.failure
    if failure is None:
        lines.append("Lean is ready: `leanzero doctor` shows the details.")
    else:
        lines.append("")
        if failure.status == "failed" and failure.output:
            lines.append("last lines of its output:")
            lines.extend("    " + line for line in failure.output[-10:])
        lines.append(failure.message)
    return "\n".join(lines)


# ------------------------------------------------------------------ doctor


def doctor_command(args: argparse.Namespace) -> int:

    record: Path | None = args.record
    if record is not None and args.backend != "repl":
        raise BadInput("--record runs the repl backend; it does not go with --backend dojo")
    if record is not None and record.exists() and not record.is_dir():
        raise BadInput(f"--record {record}: exists and is not a folder")
    workspace = _workspace(args)
    status = ws.inspect_workspace(workspace)
    checks = ws.doctor_checks(status, ws.python_packages(), data_dir=workspace.parent / "shared")
    print(f"leanzero doctor: workspace {workspace}, lean-toolchain {status.toolchain}")
    print(_table(checks))
    missing = ws.missing_for(checks, args.backend)
    if not missing:
        print(f"\nready for the {args.backend} backend")
        return EXIT_OK if record is None else _record(record, workspace, status)
    print(f"\nnot ready for the {args.backend} backend: missing {', '.join(c.name for c in missing)}")
    if any(not c.name.startswith("python ") and c.name != "dojo target" for c in missing):
        print("to fix: `leanzero setup-lean` (with internet) installs the Lean part; or one by one:")
    else:
        print("to fix:")
    for check in missing:
        print(f"  {check.name}: {check.fix}")
    if record is not None:
        print(f"\nnothing recorded in {record}: --record needs a machine where the repl backend is ready")
    return EXIT_MISSING


def _record(folder: Path, workspace: Path, status: ws.LeanStatus) -> int:
    """`--record`: the smoke set through the repl backend, each item's exchanges a transcript in `folder`."""
    from lean_env.repl import smoke  # heavy: lean-interact

    try:
        spec = smoke.machine_spec(workspace)
    except ValueError as e:
        print(f"\nnothing recorded in {folder}: {e}")
        return EXIT_MISSING
    items = smoke.smoke_set(smoke.minif2f_problems())
    print(f"\nrecording {len(items)} smoke runs in {folder}, one REPL process each (each imports its header)")
    runs: list[SmokeRun] = []
    try:
        for run in smoke.record(items, folder, spec, smoke.open_repl):
            runs.append(run)
            names = ", ".join(p.name.removesuffix(".in") for p in smoke.transcripts(folder, run.name))
            counts = smoke.counts_text(run.counters)
            print(f"\n{run.name}: transcript {names or '(none)'} ({counts})", flush=True)
            for f in run.findings:
                print(f"  {'ok' if f.ok else 'DIFFERS':<7}  {f.what}: {f.detail}", flush=True)
    except OSError as e:  # the REPL does not start
        print(f"\nrecording stopped: {e}")
        return EXIT_MISSING
    _write_manifest(folder / "manifest.json", status, " ".join(spec.argv), runs)
    differ = [r.name for r in runs if not r.ok]
    print(f"\nrecorded in {folder}: " + ("every smoke check as expected" if not differ else
          f"Lean answered otherwise than the backend expects in {', '.join(differ)} (DIFFERS above)"))
    print(f"for the test suite to replay them: copy {folder}'s files into {smoke.SHARED_RECORDINGS} "
          f"(or a folder under it), or set {smoke.RECORDINGS_ENV}={folder}")
    return EXIT_OK if not differ else EXIT_MISSING


def _write_manifest(path: Path, status: ws.LeanStatus, repl: str, runs: Sequence[SmokeRun]) -> None:
    """Which Lean answered, when, and what the smoke checks found: for whoever reads the files later."""
    about = {
        "recorded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "lean_toolchain": status.toolchain, "lean_version": status.lean_version, "mathlib": status.mathlib_rev,
        "repl": repl, "lean_interact": ws.python_packages().get("lean-interact"),
        "runs": {r.name: [{"what": f.what, "ok": f.ok, "detail": f.detail} for f in r.findings] for r in runs},
    }
    path.write_text(json.dumps(about, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _mark(check: ws.Check) -> str:
    if check.ok:
        return "ok"
    return "MISSING" if check.needed_by else "absent"


def _table(checks: tuple[ws.Check, ...]) -> str:
    rows = [("", "what", "detail", "needed by")]
    rows += [(_mark(c), c.name, c.detail, ", ".join(c.needed_by) or "-") for c in checks]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}".rstrip() for a, b, c, d in rows
    )
