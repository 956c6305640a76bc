"""Recording at the process boundary (`ProcessSpec.record`) and the smoke set (`lean_env.repl.smoke`),
end to end on the stand-in REPL (issue 16).

The stand-in is scripted to answer the smoke set as the backend expects Lean to (goal texts in
Lean's forms, `?w`/`?b` assigned by the sibling that fixes them, `#print axioms` naming
`sorryAx` and `Lean.ofReduceBool`, a heartbeat error). A recording must hold exactly what
crossed the pipe, read back through the transcript machinery of test_transcripts.py, and a
second run of the smoke set against a stand-in that only replays the recording must send the
same requests (the replay refuses any other) and judge the same.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("lean_interact")

from lean_interact.interface import Command, CommandResponse, LeanError, ProofStep, ProofStepResponse

import cli.main
import lean_env.workspace as workspace
from lean_env.problem import Problem
from lean_env.repl import smoke
from lean_env.repl.backend import ReplEnv
from lean_env.repl.protocol import declaration
from lean_env.repl.server import ReplServer
from lean_env.safety import refusal

from .fakes import chunks, fake_spec, logged, replay, transcript, transcript_names
from .test_transcripts import check_mapping, check_one_session, kind

T81 = Problem("t81", "theorem t81 : 71 % 3 = 2", "import Mathlib")
LT = "a b c : ℕ\nh₁ : a ≤ b\nh₂ : b ≤ c\n"
HEAVY = "x y z : ℝ\nh : 0 < x ∧ 0 < y ∧ 0 < z\n⊢ 3 * x * y * z ≤ x ^ 3 + y ^ 3 + z ^ 3"
HEARTBEATS = (
    "(deterministic) timeout at `whnf`, maximum number of heartbeats (200) has been reached\n"
    "Use `set_option maxHeartbeats <num>` to set the limit."
)


def message(severity: str, data: str) -> dict:
    return {"severity": severity, "pos": {"line": 1, "column": 0}, "endPos": {"line": 1, "column": 1}, "data": data}


def smoke_script(tmp_path: Path) -> dict:
    """The stand-in's answers to `smoke.smoke_set([T81])`."""
    items = {s.name: s for s in smoke.smoke_set([T81])}
    roots = {
        T81.statement: "⊢ 71 % 3 = 2",
        "theorem smoke_exists : ∃ n : ℕ, n + 2 = 5": "⊢ ∃ n, n + 2 = 5",
        "theorem smoke_le_trans (a b c : ℕ) (h₁ : a ≤ b) (h₂ : b ≤ c) : a ≤ c": LT + "⊢ a ≤ c",
        items["heartbeats"].theorems[0].statement: HEAVY,
    }
    commands: dict[str, object] = {"import Mathlib": {}, items["axioms"].header: {}}
    commands |= {declaration(st).start_command(): {"sorries": [{"goal": goal}]} for st, goal in roots.items()}
    for proof, axioms in zip(items["axioms"].proofs, ("propext", "sorryAx", "propext, Lean.ofReduceBool")):
        decl = declaration(proof.statement)
        commands[decl.proof_command(proof.script)] = {}
        commands[decl.start_command()] = {"sorries": [{"goal": "⊢ " + proof.statement.split(" : ", 1)[-1]}]}
        said = message("info", f"'{decl.name}' depends on axioms: [{axioms}]")
        commands[decl.axioms_command()] = {"messages": [said]}
    heavy_tactic = items["heartbeats"].theorems[0].steps[0].tactic
    return {
        "log": str(tmp_path / "log"),
        "commands": commands,
        "goals": {
            "⊢ 71 % 3 = 2": {"norm_num": []},
            "⊢ ∃ n, n + 2 = 5": {
                "constructor": ["case h\n⊢ ?w + 2 = 5", "case w\n⊢ ℕ"],
                "refine ⟨?_, ?_⟩": ["case w\n⊢ ℕ", "case h\n⊢ ?w + 2 = 5"],
            },
            "⊢ ?w + 2 = 5": {"exact (rfl : 3 + 2 = 5)": ["?w := 3"]},
            "⊢ ℕ": {"exact 3": ["?w := 3"]},
            "⊢ 3 + 2 = 5": {"rfl": []},
            LT + "⊢ a ≤ c": {
                "apply le_trans": [f"case a\n{LT}⊢ a ≤ ?b", f"case a\n{LT}⊢ ?b ≤ c", f"case b\n{LT}⊢ ℕ"],
            },
            LT + "⊢ a ≤ ?b": {"exact h₁": ["?b := b"]},
            LT + "⊢ b ≤ c": {"exact h₂": []},
            HEAVY: {
                heavy_tactic: {"messages": [message("error", HEARTBEATS)]},
                "obtain ⟨hx, hy, hz⟩ := h": ["x y z : ℝ\nhx : 0 < x\nhy : 0 < y\nhz : 0 < z\n⊢ 3 * x * y * z ≤ x ^ 3"],
            },
        },
    }


def recording_opener(asked: list[dict]):
    """Opens a `ReplEnv` with the item's options (noted in `asked`); the stand-in takes the
    budget tactic's wrapper off, so its rules are the tactics as the search wrote them."""

    def open_env(spec, options):
        asked.append(dict(options))
        return ReplEnv(spec, **options)  # type: ignore[arg-type]

    return open_env


def test_every_smoke_tactic_passes_the_safety_filter() -> None:
    for item in smoke.smoke_set(smoke.minif2f_problems()):
        for theorem in item.theorems:
            assert [refusal(s.tactic) for s in theorem.steps] == [None] * len(theorem.steps), item.name


def test_the_server_records_what_crossed_the_pipe(tmp_path: Path) -> None:
    script = smoke_script(tmp_path)
    script["commands"]["slow"] = "sleep"
    stem = tmp_path / "rec" / "t"
    stem.parent.mkdir()
    server = ReplServer(replace(fake_spec(tmp_path, script), record=stem))
    try:
        root = server.run(Command(cmd=declaration(T81.statement).start_command()), timeout=10)
        assert isinstance(root, CommandResponse)
        answers = [root, server.run(ProofStep(proof_state=0, tactic="norm_num"), timeout=10)]
        answers.append(server.run(ProofStep(proof_state=0, tactic="simp"), timeout=10))  # a Lean error
        with pytest.raises(TimeoutError):
            server.run(Command(cmd="slow"), timeout=0.5)  # unanswered: not written
        server.start()
        answers.append(server.run(Command(cmd="import Mathlib"), timeout=10))
    finally:
        server.kill()
    assert isinstance(answers[2], LeanError) and isinstance(answers[1], ProofStepResponse)
    assert transcript_names(stem.parent) == ["t", "t.restart1"]
    sent = logged(tmp_path)
    first, second = transcript("t", stem.parent), transcript("t.restart1", stem.parent)
    assert [request for request, _ in first] == sent[:3] and [request for request, _ in second] == sent[4:]
    assert sent[3] == {"cmd": "slow"}
    for (_, text), answer in zip(first + second, answers):
        assert type(answer).model_validate(json.loads(text)) == answer
    raw = (stem.parent / "t.in").read_text(encoding="utf-8")
    assert raw == "".join(json.dumps(r, ensure_ascii=False) + "\n\n" for r in sent[:3])  # byte for byte as sent


def test_smoke_run_is_recorded_and_replays_identically(tmp_path: Path) -> None:
    items = smoke.smoke_set([T81])
    asked: list[dict] = []
    first = tmp_path / "first"
    runs = list(smoke.record(items, first, fake_spec(tmp_path, smoke_script(tmp_path)), recording_opener(asked)))
    assert [o.get("heartbeats") for o in asked] == [None, None, None, None, smoke.HEAVY_BUDGET]
    assert {o["default_header"] for o in asked} == {"import Mathlib", items[3].header}
    for run in runs:
        assert run.ok, [f for f in run.findings if not f.ok]
    judged = [f.what for r in runs for f in r.findings]
    assert "smoke_le_trans #2: exact h₁ (state 1) on goal 0 with [1, 2]" in judged
    assert "verify smoke_through_native: exact smoke_compiled" in judged
    assert sum(len(r.step_seconds) for r in runs) == sum(len(t.steps) for s in items for t in s.theorems)

    names = [s.name for s in items]
    assert transcript_names(first) == sorted(names)  # one session per item, no restart
    recorded = [request for name in names for request, _ in transcript(name, first)]
    assert recorded == logged(tmp_path)  # every request, as the process got it

    # the replay machinery reads each back: a stand-in that answers only the recorded requests
    (tmp_path / "all").mkdir()
    server = ReplServer(fake_spec(tmp_path / "all", {"replays": {n: transcript(n, first) for n in names}}))
    try:
        for name in names:
            results = replay(server, name, transcript(name, first))
            check_mapping(results)
            check_one_session(results)
            if name == "exists":
                # the header, the budget tactic's definition, then the theorem and its steps
                assert [kind(r) for _, _, r in results] == ["env", "env", "root", "goals:2", "goals:0", "goals:2",
                                                            "goals:1", "goals:0"]
    finally:
        server.kill()

    # the same smoke run against the recording alone: same requests, same judgement, same files
    def replaying(spec, options):
        assert spec.record is not None
        name = spec.record.name
        folder = tmp_path / "again" / name
        folder.mkdir(parents=True)
        script = {"replays": {name: transcript(name, first)}, "replay": name}
        return recording_opener([])(replace(fake_spec(folder, script), record=spec.record), options)

    second = tmp_path / "second"
    again = list(smoke.record(items, second, fake_spec(tmp_path, {}), replaying))
    assert [r.findings for r in again] == [r.findings for r in runs]
    for name in names:
        for suffix in (".in", ".expected.out"):
            assert (second / f"{name}{suffix}").read_bytes() == (first / f"{name}{suffix}").read_bytes()
    assert chunks((first / "axioms.expected.out").read_text(encoding="utf-8"))[-1].count("ofReduceBool") == 1


def test_a_new_recording_replaces_an_items_old_transcripts(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    folder.mkdir()
    for stale in ("exists.in", "exists.expected.out", "exists.restart1.in", "exists.restart1.expected.out"):
        (folder / stale).write_text("{}\n\n")
    (folder / "exists_other.in").write_text("{}\n\n")
    item = next(s for s in smoke.smoke_set([T81]) if s.name == "exists")
    (run,) = smoke.record([item], folder, fake_spec(tmp_path, smoke_script(tmp_path)), recording_opener([]))
    assert run.ok
    assert sorted(p.name for p in folder.iterdir()) == ["exists.expected.out", "exists.in", "exists_other.in"]


def test_a_step_lean_answers_otherwise_is_a_finding(tmp_path: Path) -> None:
    script = smoke_script(tmp_path)
    script["goals"]["⊢ ∃ n, n + 2 = 5"]["constructor"] = ["case w\n⊢ ℕ", "case h\n⊢ ?w + 2 = 5"]  # other order
    item = next(s for s in smoke.smoke_set([T81]) if s.name == "exists")
    (run,) = smoke.record([item], tmp_path / "rec", fake_spec(tmp_path, script), recording_opener([]))
    bad = [f for f in run.findings if not f.ok]
    assert [f.what for f in bad] == ["smoke_exists #2: exact (rfl : 3 + 2 = 5) (state 1) on goal 0 with [1]"]
    assert bad[0].detail.startswith("failed: fake: no rule") and bad[0].detail.endswith("; expected 0 goal(s)")


def test_doctor_records_where_lean_is_ready(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "lean-toolchain").write_text("leanprover/lean4:v4.24.0\n")
    (folder / "lakefile.lean").write_text('require mathlib from git\n  "https://x/mathlib4" @ "v4.24.0"\n')
    status = workspace.LeanStatus(
        workspace=folder.resolve(), toolchain="leanprover/lean4:v4.24.0",
        elan=workspace.Tool("elan", Path("/x/elan"), "elan 4.1.2"),
        lake=workspace.Tool("lake", Path("/x/lake"), "Lake version 5.0.0 (Lean version 4.24.0)"),
        lean=workspace.Tool("lean", Path("/x/lean"), "Lean (version 4.24.0, linux, Release)"),
        toolchain_installed=True, lean_version="4.24.0", mathlib_rev="v4.24.0", mathlib_fetched=True,
        mathlib_built=True, repl_binary=Path("/x/repl"),
    )
    monkeypatch.setattr(workspace, "inspect_workspace", lambda _: status)
    monkeypatch.setattr(workspace, "python_packages", lambda: {"lean-interact": "0.11.6"})
    monkeypatch.setattr(smoke, "machine_spec", lambda _: fake_spec(tmp_path, smoke_script(tmp_path)))
    monkeypatch.setattr(smoke, "minif2f_problems", lambda: [T81])
    monkeypatch.setattr(smoke, "open_repl", recording_opener([]))
    out_dir = tmp_path / "out"
    assert cli.main.main(["doctor", "--workspace", str(folder), "--record", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert "ready for the repl backend" in out and "every smoke check as expected" in out
    assert "\nle_trans: transcript le_trans (kills 0, restarts 0, requests " in out
    assert "\n  ok       start smoke_le_trans: 1 goal(s)" in out
    assert f"set {smoke.RECORDINGS_ENV}={out_dir}" in out
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lean_version"] == "4.24.0" and manifest["lean_interact"] == "0.11.6"
    assert all(f["ok"] for fs in manifest["runs"].values() for f in fs) and len(manifest["runs"]) == 5
    assert transcript_names(out_dir) == sorted(s.name for s in smoke.smoke_set([T81]))

    # an item Lean answers otherwise: exit 1, the transcripts written all the same
    script = smoke_script(tmp_path)
    del script["commands"][declaration(T81.statement).start_command()]
    monkeypatch.setattr(smoke, "machine_spec", lambda _: fake_spec(tmp_path, script))
    assert cli.main.main(["doctor", "--workspace", str(folder), "--record", str(out_dir)]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS  start t81: fake: no rule for" in out and "in minif2f (DIFFERS above)" in out
    assert (out_dir / "minif2f.in").is_file()


def test_lean_smoke_bench_on_the_stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    from lean_env.repl.setup import not_set_up

    module = importlib.util.spec_from_file_location("lean_smoke", Path(__file__).parents[3] / "bench" / "lean_smoke.py")
    assert module is not None and module.loader is not None
    bench = importlib.util.module_from_spec(module)
    module.loader.exec_module(bench)
    monkeypatch.setattr("sys.argv", ["lean_smoke.py", "--steps", "25", "--every", "10"])

    def missing(**_: object):
        raise not_set_up("`lake` is not on PATH")

    monkeypatch.setattr(smoke, "machine_spec", missing)
    assert bench.main() == 0
    assert capsys.readouterr().out.startswith("skipped: Lean is not set up for the repl backend: `lake`")

    monkeypatch.setattr(smoke, "machine_spec", lambda **_: fake_spec(tmp_path, smoke_script(tmp_path)))
    monkeypatch.setattr(smoke, "MINIF2F", tmp_path / "absent.jsonl")
    monkeypatch.setattr(smoke, "BUILTIN_MINIF2F", (T81,))
    monkeypatch.setattr(smoke, "minif2f_problems", lambda: [T81])
    monkeypatch.setattr(smoke, "open_repl", recording_opener([]))
    assert bench.main() == 0
    out = capsys.readouterr().out
    smoke_steps = sum(len(t.steps) for s in smoke.smoke_set([T81]) for t in s.theorems)
    assert f"smoke set: {smoke_steps} steps, " in out and ", 0 differ" in out
    assert "25 steps on 1 miniF2F roots" in out and "TacticError 22, TacticSuccess 3" in out  # norm_num closes it
    rows = [line.split() for line in out.splitlines() if line.strip() and line.split()[0] in ("0", "10", "20")]
    assert [r[0] for r in rows] == ["0", "10", "20"] and all(float(r[1]) > 0 and float(r[2]) > 0 for r in rows)
    assert "counters: kills 0, restarts 0, requests " in out
