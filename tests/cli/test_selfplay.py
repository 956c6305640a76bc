"""`leanzero selfplay`: flags and their defaults, bad input (exit 2, before Ray starts), the help,
and one short real run on the session's Ray, then its resume."""

from __future__ import annotations

import dataclasses
import itertools
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.main import main
from cli.main import parser as _parser
from cli.selfplay import BACKENDS, backend_label, build_config, clock
from selfplay.config import SelfPlayConfig, SourceSpec
from tests.cli.test_prove import heavy_modules_probe

REPO = Path(__file__).resolve().parents[2]
GOOD = '{"name": "t1", "formal_statement": "theorem t1 (p : Prop) (hp : p) : p := by sorry"}\n'


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["selfplay", *argv])
    except SystemExit as e:  # argparse refuses a flag's value
        code = e.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_flags_cover_selfplay_config() -> None:
    import lean_env
    from cli.selfplay import _OPTIONS
    from selfplay.config import SelfPlayConfig

    fields = {f.name for f in dataclasses.fields(SelfPlayConfig)}
    flagged = {name for _, name, *_ in _OPTIONS} | {"backend", "address", "problems_file", "sources"}
    assert fields - flagged == {"run_dir", "pool_target"}, "a new field may want a flag"
    assert set(BACKENDS) <= set(lean_env.BACKENDS) and "dojo" not in BACKENDS and "mini" in BACKENDS
    args = _parser().parse_args(["selfplay", "--run-dir", "r"])
    assert dataclasses.asdict(build_config(args)) == dataclasses.asdict(SelfPlayConfig(run_dir="r"))


def test_help_lists_the_flags_and_imports_nothing_heavy() -> None:
    probe = heavy_modules_probe(["--help"], ["selfplay", "--help"])
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"
    assert "selfplay" in proc.stdout.split("usage: leanzero selfplay")[0], "listed by `leanzero --help`"
    for flag in ("--backend", "--workers", "--minutes", "--run-dir", "--resume", "--source", "--problems",
                 "--difficulty", "--model", "--inference", "--address", "--simulations", "--env-calls",
                 "--buffer-capacity", "--checkpoint-minutes", "--no-live"):
        assert flag in proc.stdout, flag
    assert "(default: 50000)" in proc.stdout and "not Lean" in proc.stdout
    assert time.monotonic() - t0 < 5.0


# ---------------------------------------------------------------- bad input: exit 2


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--workers", "0"), ("--workers", "two"), ("--minutes", "0"), ("--minutes", "-1"), ("--minutes", "nan"),
     ("--simulations", "0"), ("--env-calls", "-5"), ("--buffer-capacity", "0"), ("--checkpoint-minutes", "0"),
     ("--solved-share", "1.5"),
     ("--difficulty", "extreme"), ("--backend", "lean4"), ("--backend", "dojo"), ("--model", "huge")],
)
def test_bad_flag_values_exit_2(flag: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--run-dir", str(tmp_path / "r"), flag, value)
    assert code == 2 and out == ""
    assert f"argument {flag}" in err
    assert not (tmp_path / "r").exists()


def test_run_dir_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--minutes", "1")
    assert code == 2 and "--run-dir" in err


def test_problem_files_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = str(tmp_path / "r")
    missing = tmp_path / "missing.jsonl"
    code, _, err = run(capsys, "--run-dir", r, "--problems", str(missing))
    assert code == 2 and err.startswith(f"error: {missing}: cannot read")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(GOOD + "{not json\n")
    code, _, err = run(capsys, "--run-dir", r, "--problems", str(bad))
    assert code == 2 and err.startswith(f"error: {bad}:2: not JSON")
    unreadable = tmp_path / "unreadable.jsonl"
    unreadable.write_text('{"name": "u", "formal_statement": "theorem u (x : ℕ) x = x"}\n')
    code, _, err = run(capsys, "--run-dir", r, "--problems", str(unreadable))
    assert code == 2 and err.startswith(f"error: {unreadable}:1: statement 'u' cannot be read")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    code, _, err = run(capsys, "--run-dir", r, "--problems", str(empty))
    assert code == 2 and "no statements" in err
    assert not Path(r).exists()


def test_sources_become_the_config(tmp_path: Path) -> None:
    odd = tmp_path / "a:b.jsonl"  # a ':' in the path, then a weight
    odd.write_text(GOOD)
    args = _parser().parse_args(["selfplay", "--run-dir", str(tmp_path / "r"), "--source", "generator:2",
                                 "--source", f"{odd}:0.5"])
    config = build_config(args)
    assert config.sources == (SourceSpec(None, 2.0), SourceSpec(str(odd), 0.5)) and config.problems_file is None
    args = _parser().parse_args(["selfplay", "--run-dir", str(tmp_path / "r"), "--source", str(odd)])
    assert build_config(args).statement_sources() == (SourceSpec(str(odd), 1.0),)
    args = _parser().parse_args(["selfplay", "--run-dir", str(tmp_path / "r"), "--problems", str(odd)])
    config = build_config(args)
    assert config.problems_file == str(odd) and config.statement_sources() == (SourceSpec(str(odd)),)
    assert build_config(_parser().parse_args(["selfplay", "--run-dir", "r"])).statement_sources() == (SourceSpec(),)


def test_bad_sources_exit_2_saying_what_and_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = str(tmp_path / "r")
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD)
    for spec in ("generator:0", f"{good}:-1", f"{good}:nan"):
        code, out, err = run(capsys, "--run-dir", r, "--source", spec)
        assert code == 2 and out == "" and "argument --source" in err and "weight must be a positive number" in err
    missing = tmp_path / "missing.jsonl"
    code, _, err = run(capsys, "--run-dir", r, "--source", "generator", "--source", f"{missing}:2")
    assert code == 2 and err.startswith(f"error: {missing}: cannot read")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(GOOD + '{"name": "t2"}\n')
    code, _, err = run(capsys, "--run-dir", r, "--source", str(bad))
    assert code == 2 and err.startswith(f"error: {bad}:2: missing or non-string field 'formal_statement'")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    code, _, err = run(capsys, "--run-dir", r, "--source", "generator", "--source", str(empty))
    assert code == 2 and err.startswith(f"error: {empty}: no statements in the file")
    code, _, err = run(capsys, "--run-dir", r, "--source", str(good), "--source", f"{good}:3")
    assert code == 2 and f"statement source {good} given twice" in err
    code, _, err = run(capsys, "--run-dir", r, "--source", str(good), "--problems", str(good))
    assert code == 2 and "not allowed with argument" in err
    assert not Path(r).exists()


def test_statements_without_header_get_the_minif2f_header_on_a_lean_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.selfplay import _check_sources
    from lean_env.problem import MINIF2F_HEADER
    from selfplay.run import _source

    probs = tmp_path / "probs.jsonl"
    probs.write_text(GOOD + GOOD.replace("t1", "t2").replace('"formal', '"header": "open Nat", "formal'))
    sources = (SourceSpec(), SourceSpec(str(probs)))
    _check_sources(SelfPlayConfig(run_dir="r", backend="repl", sources=sources))
    shown = "(import Mathlib, set_option maxHeartbeats 0, open BigOperators Real Nat Topology Rat)"
    assert capsys.readouterr().err.splitlines() == [
        f"note: the generator's statements have no header; using the miniF2F default header {shown}",
        f"note: 1 row of {probs} has no header; using the miniF2F default header {shown}",
    ]
    # the driver's statements are the ones the notes speak of
    drawn = {p.name: p.header for p in itertools.islice(_source(SelfPlayConfig(run_dir="r", backend="repl",
                                                                              sources=sources), 0), 6)}
    assert drawn["t1"] == MINIF2F_HEADER and drawn["t2"] == "open Nat"
    assert all(h == MINIF2F_HEADER for n, h in drawn.items() if n.startswith("gen_"))
    _check_sources(SelfPlayConfig(run_dir="r", backend="mini", sources=sources))
    assert capsys.readouterr().err == ""  # mini: headers as they are
    drawn = {p.name: p.header for p in itertools.islice(_source(SelfPlayConfig(run_dir="r", sources=sources), 0), 6)}
    assert drawn["t1"] == "" and drawn["t2"] == "open Nat"


def test_resume_keeps_the_sources_and_reads_old_run_json(tmp_path: Path) -> None:
    from selfplay.store import RunDir

    good = tmp_path / "good.jsonl"
    good.write_text(GOOD)
    mixed = tmp_path / "mixed"
    stored = SelfPlayConfig(run_dir=str(mixed), sources=(SourceSpec(None, 3.0), SourceSpec(str(good), 1.0)))
    RunDir.create(mixed, stored.to_dict(), resume=False)
    resume = ["selfplay", "--run-dir", str(mixed), "--resume"]
    assert build_config(_parser().parse_args(resume)).sources == stored.sources
    assert build_config(_parser().parse_args([*resume, "--problems", str(good)])).statement_sources() == (
        SourceSpec(str(good)),), "a flag given now replaces the run's sources"
    old = tmp_path / "old"  # run.json from before --source: only problems_file
    old_config = {k: v for k, v in SelfPlayConfig(run_dir=str(old), problems_file=str(good)).to_dict().items()
                  if k != "sources"}
    RunDir.create(old, old_config, resume=False)
    config = build_config(_parser().parse_args(["selfplay", "--run-dir", str(old), "--resume"]))
    assert config.statement_sources() == (SourceSpec(str(good)),)
    config = build_config(_parser().parse_args(["selfplay", "--run-dir", str(old), "--resume", "--source=generator"]))
    assert config.statement_sources() == (SourceSpec(),) and config.problems_file is None


def test_run_directories_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    code, _, err = run(capsys, "--run-dir", str(used))
    assert code == 2 and "is not empty: pass --resume" in err
    afile = tmp_path / "afile"
    afile.write_text("")
    code, _, err = run(capsys, "--run-dir", str(afile))
    assert code == 2 and "a file of that name exists" in err
    code, _, err = run(capsys, "--run-dir", str(tmp_path / "nowhere"), "--resume")
    assert code == 2 and "no such directory" in err
    code, _, err = run(capsys, "--run-dir", str(used), "--resume")
    assert code == 2 and "not a run directory (no run.json)" in err


def test_a_backend_that_is_not_set_up_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    if shutil.which("lake"):
        pytest.skip("Lean is installed here")
    code, _, err = run(capsys, "--run-dir", str(tmp_path / "r"), "--backend", "repl", "--minutes", "0.01")
    assert code == 2 and "leanzero setup-lean" in err


def test_min_buffer_above_capacity_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--run-dir", str(tmp_path / "r"), "--buffer-capacity", "100", "--min-buffer", "101")
    assert code == 2 and "the learner would never start" in err


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_cluster_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    address = f"127.0.0.1:{closed_port()}"
    quick = ("--minutes", "0.01", "--workers", "1")  # were the address ignored, the run would be short
    code, _, err = run(capsys, "--run-dir", str(tmp_path / "a"), "--address", address, *quick)
    assert code == 2 and f"cannot reach the Ray cluster at {address}" in err
    monkeypatch.setenv("RAY_ADDRESS", address)
    code, _, err = run(capsys, "--run-dir", str(tmp_path / "b"), *quick)
    assert code == 2 and f"cannot reach the Ray cluster at {address}" in err


def test_resume_keeps_the_run_settings_unless_a_flag_changes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from selfplay.config import SelfPlayConfig
    from selfplay.store import RunDir

    run_dir = tmp_path / "r"
    stored = SelfPlayConfig(run_dir=str(run_dir), workers=1, simulations=7, difficulty="easy", address="10.0.0.1:6379")
    RunDir.create(run_dir, stored.to_dict(), resume=False)
    args = _parser().parse_args(["selfplay", "--run-dir", str(run_dir), "--resume", "--simulations", "9"])
    config = build_config(args)
    assert (config.workers, config.simulations, config.difficulty) == (1, 9, "easy")
    assert config.address is None, "the cluster address belongs to a session, not to the run"
    code, _, err = run(capsys, "--run-dir", str(run_dir), "--resume", "--model", "gpu")
    assert code == 2 and "a resumed run keeps its model" in err


def test_views_and_summary_text() -> None:
    from selfplay.config import Progress, SelfPlayConfig

    assert [clock(s) for s in (0, 59.6, 61, 3600 + 62)] == ["0:00", "1:00", "1:01", "1:01:02"]
    assert "not Lean" in backend_label("mini") and backend_label("repl") == "repl (Lean)"
    from cli.selfplay import summary

    final = Progress(75.0, 10, 4, 2, 0.6, 123, 40, 3, 1.5, 0, 0,
                     sources={"generator": 100, "file:valid.jsonl": 20, "variant": 3})
    config = SelfPlayConfig(run_dir="runs/x", sources=(SourceSpec(None, 2.0), SourceSpec("/d/valid.jsonl")))
    text = summary(config, final, interrupted=True)
    assert "stopped by Ctrl-C" in text and "4 proofs, 2 disproofs" in text and "not by Lean" in text
    assert "statement sources: generator ×2, valid.jsonl ×1" in text
    assert "buffer records by source: generator 100, file:valid.jsonl 20, variant 3" in text
    for path in ("runs/x/proofs.jsonl", "runs/x/checkpoints/latest.pt", "runs/x/curve.png"):
        assert str(Path(path)) in text


# ---------------------------------------------------------------- a real run, then its resume


def test_a_short_run_then_resume(ray_session, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Seconds of searching; most of the time goes to starting the actors (each imports torch).
    run_dir = tmp_path / "run"
    real = tmp_path / "real.jsonl"
    real.write_text(GOOD)
    small = ["--source", "generator:3", "--source", f"{real}:1",
             "--workers", "1", "--metrics-seconds", "2", "--min-buffer", "16", "--train-steps", "5",
             "--batch-size", "8", "--simulations", "16", "--env-calls", "32", "--problems-per-task", "1",
             "--search-seconds", "3", "--stop-grace-seconds", "30", "--seed", "3", "--no-live"]
    code, out, err = run(capsys, "--run-dir", str(run_dir), "--minutes", "0.08", *small)
    assert code == 0, err
    assert "tried" in out, "plain progress lines when stdout is not a terminal"
    assert "leanzero selfplay finished" in out and "not by Lean" in out
    assert "statement sources: generator ×3, real.jsonl ×1" in out
    held = {e["problem"]["source"] for e in json.loads((run_dir / "state.json").read_text())["curriculum"]["entries"]}
    assert "file:real.jsonl" in held and any(s.startswith("generator:") for s in held), held
    for path in ("proofs.jsonl", "checkpoints/latest.pt", "curve.png"):
        assert (run_dir / path).is_file(), path
        assert str(run_dir / path) in out
    first = json.loads((run_dir / "state.json").read_text())["counters"]
    assert first["attempts"] > 0

    code, out, err = run(capsys, "--run-dir", str(run_dir), "--minutes", "0.1", *small)
    assert code == 2 and "pass --resume" in err, "a used directory needs --resume"

    code, out, err = run(capsys, "--run-dir", str(run_dir), "--resume", "--minutes", "0.02", "--no-live")
    assert code == 0, err
    assert "(resumed)" in out and "leanzero selfplay finished" in out
    second = json.loads((run_dir / "state.json").read_text())["counters"]
    assert second["attempts"] > first["attempts"] and second["elapsed"] > first["elapsed"]
    resumes = json.loads((run_dir / "run.json").read_text())["resumes"]
    assert resumes[-1]["config"]["simulations"] == 16, "the resumed session kept the run's settings"
    assert resumes[-1]["config"]["sources"] == ["generator:3", f"{real}:1"], "and its sources"
