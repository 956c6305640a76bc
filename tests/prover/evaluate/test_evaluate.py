"""`leanzero evaluate`: miniF2F on `mini` end to end, kill and resume, statuses, inputs, pass@k.

miniF2F is read from ../shared/minif2f (skipped when absent). The runs are small: a subset
(`--limit`) and small budgets.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.evaluate import main
from lean_env.contract import (
    Capabilities,
    EnvCounters,
    GoalView,
    ProofState,
    StatementError,
    TacticError,
    TacticResult,
    Verification,
)
from lean_env.mini import MiniEnv
from lean_env.problem import MINIF2F_HEADER, Problem
from prover.evaluate import MINI_LABEL, STATUSES, Prover, Settings, evaluate, shuffled
from prover.evaluate.minif2f import read_problems

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / ".." / "shared" / "minif2f"
needs_data = pytest.mark.skipif(not (DATA / "valid.jsonl").is_file(), reason="../shared/minif2f absent")
# in mini's fragment and not proved at small budgets: each spends its whole budget (about a second)
SLOW = ("aimeII_2001_p3", "aime_1991_p1", "amc12a_2008_p15", "mathd_numbertheory_126", "imo_1977_p5")


def rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines() if line]


def write_problems(path: Path, entries: list[dict | str]) -> Path:
    path.write_text("".join((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n"
                            for e in entries), encoding="utf-8")
    return path


def shared_rows(split: str = "valid") -> dict[str, dict]:
    lines = (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["name"]: row for row in map(json.loads, lines)}


def check_counts(out: Path, total: int) -> dict:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["total"] == total and summary["complete"]
    assert sum(summary["counts"].values()) == total and set(summary["counts"]) == set(STATUSES)
    found = rows(out)
    assert len(found) == len({r["name"] for r in found}) == total
    for status in STATUSES:
        assert summary["counts"][status] == sum(r["status"] == status for r in found)
    return summary


# ------------------------------------------------------------------ miniF2F on mini, end to end


@needs_data
def test_minif2f_valid_subset_on_mini_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = main(["minif2f", "--split", "valid", "--backend", "mini", "--data", str(DATA / "valid.jsonl"),
                 "--out", str(out), "--limit", "40", "--budget", "40", "--no-ray"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    summary = check_counts(out, 40)
    counts = summary["counts"]
    assert counts["proved"] >= 1 and counts["outside-fragment"] >= 20 and counts["error"] == 0
    assert summary["in_fragment"] == 40 - counts["outside-fragment"]
    assert summary["label"] == MINI_LABEL and MINI_LABEL in stdout and "outside-fragment" in stdout
    assert MINI_LABEL.lower() in (out / "report.md").read_text(encoding="utf-8").lower()
    assert (out / "budget.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert err.count("leanzero evaluate: [") == 40
    env = MiniEnv()
    for row in rows(out):  # proofs are the verified ones only: check them again, from scratch
        assert (row["proof"] is not None) == (row["status"] == "proved")
        if row["proof"] is not None:
            assert env.verify(row["statement"], row["proof"]).ok, row["name"]
            assert 0 < row["env_calls"] <= 40
        if row["status"] == "outside-fragment":
            assert row["env_calls"] == 0 and row["message"]


@needs_data
def test_ray_workers_give_the_same_statuses(ray_session, tmp_path: Path) -> None:
    tasks = read_problems(DATA / "valid.jsonl")[:16]
    settings = Settings(budget=30, time_limit=60)
    here = evaluate(tasks, settings, tmp_path / "here", workers=0, emit=None)
    there = evaluate(tasks, settings, tmp_path / "ray", workers=2, emit=None)
    assert ray_session.is_initialized()  # the session's Ray is left running
    assert there.done == here.done == 16 and there.counts == here.counts
    assert {r["name"]: r["status"] for r in there.rows} == {r["name"]: r["status"] for r in here.rows}
    check_counts(tmp_path / "ray", 16)


class FlakyProver(Prover):
    """A worker whose process dies on `die` and that never answers on `hang`."""

    def run(self, task: Problem) -> dict:
        if task.name == "die":
            os._exit(3)
        if task.name == "hang":
            time.sleep(120)
        return super().run(task)


def test_a_dead_or_stuck_worker_is_replaced_and_the_run_goes_on(ray_session, tmp_path: Path) -> None:
    ray_session.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/
    tasks = [Problem(name, "theorem t (p : Prop) (hp : p) : p") for name in ("a", "die", "b", "hang", "c", "d")]
    summary = evaluate(tasks, Settings(budget=10), tmp_path, workers=2, emit=None, worker=FlakyProver,
                       stall_seconds=6.0)
    by_name = {r["name"]: r for r in summary.rows}
    assert by_name["die"]["status"] == "error" and "backend crash" in by_name["die"]["message"]
    assert by_name["hang"]["status"] == "timeout" and "without an answer" in by_name["hang"]["message"]
    assert all(by_name[n]["status"] == "proved" for n in "abcd"), by_name
    assert summary.done == 6


class LostProver(FlakyProver):
    """A worker on a node that has left the cluster by the time its death is noticed."""

    def node(self) -> str:
        return "a-node-that-left"


def test_a_problem_lost_with_its_node_is_retried_then_an_error(ray_session, tmp_path: Path) -> None:
    # (tests/cli/test_cluster.py removes a real node; here the node's departure is feigned)
    ray_session.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    tasks = [Problem(name, "theorem t (p : Prop) (hp : p) : p") for name in ("a", "die", "b")]
    said: list[str] = []
    summary = evaluate(tasks, Settings(budget=10), tmp_path, workers=1, emit=said.append, worker=LostProver)
    by_name = {r["name"]: r for r in summary.rows}
    assert by_name["die"]["status"] == "error" and "lost with its worker's node 3 times" in by_name["die"]["message"]
    assert sum("was lost with its node during die" in line for line in said) == 2, said
    assert by_name["a"]["status"] == by_name["b"]["status"] == "proved"
    assert {r["node"] for r in summary.rows} == {"a-node-that-left"}


# ------------------------------------------------------------------ kill and resume


@needs_data
def test_killed_halfway_then_resumed_redoes_nothing(tmp_path: Path) -> None:
    data = shared_rows()
    problems = write_problems(tmp_path / "slow.jsonl", [data[name] for name in SLOW])
    out = tmp_path / "run"
    args = ["--problems", str(problems), "--budget", "100", "--no-ray", "--out", str(out)]
    proc = subprocess.Popen([sys.executable, "-m", "cli.evaluate", *args], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = out / "results.jsonl"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if results.exists() and results.read_bytes().count(b"\n") >= 2:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = [r["name"] for r in rows(out)]
    assert 2 <= len(before) < len(SLOW), "the run was not killed halfway"
    code = main([*args, "--resume"])
    assert code == 0
    after = rows(out)
    assert [r["name"] for r in after[: len(before)]] == before  # the finished rows stay as they were
    assert sorted(r["name"] for r in after) == sorted(SLOW)  # every problem exactly once
    summary = check_counts(out, len(SLOW))
    assert summary["resumed"] == len(before) and summary["ran"] == len(SLOW) - len(before)


def test_a_torn_last_line_is_redone_and_other_settings_are_refused(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    problems = write_problems(tmp_path / "p.jsonl", [
        {"name": "one", "formal_statement": "theorem one (a : ℕ) (h : a = 2) : a + 1 = 3 := by sorry"},
        {"name": "two", "formal_statement": "theorem two (p q : Prop) (hp : p) (hq : q) : q ∧ p := by sorry"},
    ])
    out = tmp_path / "run"
    assert main(["--problems", str(problems), "--no-ray", "--budget", "20", "--out", str(out)]) == 0
    first = rows(out)
    with open(out / "results.jsonl", "r+b") as f:  # a kill in the middle of writing row two
        text = f.read()
        f.truncate(text.index(b'{"name": "two"') + 25)
    capsys.readouterr()
    with pytest.warns(UserWarning, match="torn"):
        assert main(["--problems", str(problems), "--no-ray", "--budget", "20", "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err
    with pytest.warns(UserWarning, match="torn"):
        assert main(["--problems", str(problems), "--no-ray", "--budget", "20", "--out", str(out), "--resume"]) == 0
    assert [r["name"] for r in rows(out)] == ["one", "two"] and rows(out)[1]["status"] == first[1]["status"]
    capsys.readouterr()
    assert main(["--problems", str(problems), "--no-ray", "--budget", "21", "--out", str(out), "--resume"]) == 2
    assert "other settings" in capsys.readouterr().err


# ------------------------------------------------------------------ statuses


def test_unreadable_statements_are_errors_and_outside_ones_are_outside(tmp_path: Path) -> None:
    problems = write_problems(tmp_path / "p.jsonl", [
        {"name": "good", "formal_statement": "theorem good (a : ℕ) (h : a = 2) : a + 1 = 3 := by sorry"},
        {"name": "broken", "formal_statement": "theorem broken (x : ℕ : x = x := by sorry"},
        {"name": "complex", "formal_statement": "theorem complex (z : ℂ) (h : z = Complex.I) : z ^ 2 = -1"},
        {"name": "real", "formal_statement": "theorem real (x : ℝ) (h : 0 < x) : 0 < Real.sqrt x := by sorry"},
        {"name": "after", "formal_statement": "theorem after (p : Prop) (hp : p) : p := by sorry"},
    ])
    out = tmp_path / "run"
    assert main(["--problems", str(problems), "--no-ray", "--budget", "30", "--out", str(out)]) == 0
    by_name = {r["name"]: r for r in rows(out)}
    assert by_name["broken"]["status"] == "error" and "unclosed '('" in by_name["broken"]["message"]
    assert by_name["complex"]["status"] == "outside-fragment" and "mini cannot read" in by_name["complex"]["message"]
    assert (
        by_name["real"]["status"] == "outside-fragment"
        and "outside mini's arithmetic fragment (Real.sqrt" in by_name["real"]["message"]
    )
    assert by_name["good"]["status"] == by_name["after"]["status"] == "proved"
    check_counts(out, 5)
    assert "broken" in (out / "report.md").read_text(encoding="utf-8")


class LeanLikeEnv:
    """A backend other than mini: `BAD` statements do not parse, `CRASH` ones crash it."""

    name = "fake"
    capabilities = Capabilities("fake", kernel_checked=True, metavariables=False, fragment=False, cheap_start=True,
                                any_statement=True)

    def counters(self) -> EnvCounters:

        return EnvCounters()


    def outside_fragment(self, state: ProofState) -> str:
        return ""

    def start(self, statement: str, *, header: str = "", timeout: float = 10.0) -> ProofState:
        if "BAD" in statement:
            raise StatementError("unknown identifier 'BAD'", 1, statement.index("BAD") + 1)
        if "CRASH" in statement:
            raise RuntimeError("the backend process died")
        return ProofState(0, (GoalView("⊢ q", "⊢ q"),))

    def apply(self, state: ProofState, tactic: str, *, goal: int = 0, timeout: float = 10.0,
              with_goals: tuple[int, ...] = ()) -> TacticResult:
        return TacticError("failed")

    def verify(self, statement: str, proof: str, *, header: str = "", timeout: float = 10.0) -> Verification:
        return Verification(False, (), "fake")

    def close(self) -> None:
        pass


@pytest.mark.parametrize("searcher", ["mcts", "bfs"])
def test_on_other_backends_a_statement_that_does_not_parse_is_an_error(tmp_path: Path, searcher: str) -> None:
    tasks = [
        Problem("bad", "theorem bad : BAD"), Problem("crash", "theorem crash : CRASH"), Problem("ok", "theorem ok : q")
    ]
    summary = evaluate(tasks, Settings(backend="repl", searcher=searcher, budget=5), tmp_path, workers=0,
                       emit=None, env=LeanLikeEnv())
    by_name = {r["name"]: r for r in summary.rows}
    assert by_name["bad"]["status"] == "error" and "unknown identifier 'BAD'" in by_name["bad"]["message"]
    assert by_name["crash"]["status"] == "error" and "the backend process died" in by_name["crash"]["message"]
    assert by_name["ok"]["status"] == "failed" and summary.counts["outside-fragment"] == 0


def test_a_search_that_hits_its_time_limit_is_a_timeout(tmp_path: Path) -> None:
    # false (x 100 = 299), and mini cannot tell in half a second
    task = Problem("slow", "theorem slow (x : ℕ → ℤ) (h₀ : x 1 = 2) (h₁ : ∀ n ≥ 2, x n = x (n - 1) + 3) : x 100 = 300")
    for searcher in ("mcts", "bfs"):
        summary = evaluate([task], Settings(searcher=searcher, budget=100_000, time_limit=0.5), tmp_path / searcher,
                           workers=0, emit=None)
        assert summary.counts["timeout"] == 1 and summary.rows[0]["message"] == "time limit reached"


# ------------------------------------------------------------------ inputs


def test_a_bad_row_in_a_problems_file_exits_2_naming_file_and_line(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    good = {"name": "a", "formal_statement": "theorem a : True := by sorry"}
    for bad, what in ((" {not json", "not JSON"), ({"name": "b"}, "'formal_statement'"),
                      ({"name": "a", "formal_statement": "theorem a : True"}, "duplicate name 'a'"),
                      ({"name": "c", "formal_statement": "theorem c : True", "header": 3}, "'header'")):
        problems = write_problems(tmp_path / "p.jsonl", [good, bad])
        assert main(["--problems", str(problems), "--no-ray", "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {problems}:2: ") and what in err, err
    assert not (tmp_path / "out" / "results.jsonl").exists()


def test_minif2f_offline_without_data_exits_2_saying_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LEANZERO_MINIF2F", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("LEANZERO_MINIF2F_URL", (tmp_path / "no-such-repository").as_uri())
    assert main(["minif2f", "--split", "test", "--no-ray", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "cannot download miniF2F" in err and "--data" in err and "LEANZERO_MINIF2F" in err
    left = tmp_path / "cache" / "leanzero" / "minif2f"
    assert not left.exists() or not any(left.iterdir())  # no half-made clone
    monkeypatch.setenv("LEANZERO_MINIF2F", str(tmp_path / "nowhere"))
    assert main(["minif2f", "--no-ray", "--out", str(tmp_path / "out")]) == 2
    assert "nowhere: no such file or folder" in capsys.readouterr().err


def test_a_repository_checkout_becomes_rows_with_the_prove_header(tmp_path: Path) -> None:
    from prover.evaluate.minif2f import load_minif2f, rows_from_tree

    valid = tmp_path / "repo" / "MiniF2F" / "Valid"
    valid.mkdir(parents=True)
    header = "import Mathlib\n\nset_option maxHeartbeats 0\n\nopen BigOperators Real Nat Topology Rat\n\n"
    (valid / "mathd_b.lean").write_text(header + "theorem mathd_b (n : ℕ) (h₀ : n = 3) :\n    n + 1 = 4 := by sorry",
                                        encoding="utf-8")
    (valid / "mathd_a.lean").write_text(header + "/-- doc -/\ntheorem mathd_a (p : Prop) (hp : p) : p := by\n  sorry\n",
                                        encoding="utf-8")
    rows_ = rows_from_tree(tmp_path / "repo", "valid")
    assert [r["name"] for r in rows_] == ["mathd_a", "mathd_b"]
    assert rows_[1] == {"name": "mathd_b", "split": "valid",
                        "header": header.rstrip(),
                        "formal_statement": "theorem mathd_b (n : ℕ) (h₀ : n = 3) :\n    n + 1 = 4 := by sorry"}
    tasks, source = load_minif2f("valid", tmp_path / "repo")
    assert [t.statement for t in tasks] == ["theorem mathd_a (p : Prop) (hp : p) : p",
                                            "theorem mathd_b (n : ℕ) (h₀ : n = 3) :\n    n + 1 = 4"]
    assert all(t.header.startswith("import Mathlib") and not t.error for t in tasks) and "repo" in source
    out = tmp_path / "run"
    assert main(["minif2f", "--data", str(tmp_path / "repo"), "--no-ray", "--budget", "10", "--out", str(out)]) == 0
    assert [r["status"] for r in rows(out)] == ["proved", "proved"]


@needs_data
def test_the_converter_agrees_with_the_shared_rows(tmp_path: Path) -> None:
    from prover.evaluate.minif2f import rows_from_tree

    shared = list(shared_rows("test").values())[:25]
    folder = tmp_path / "MiniF2F" / "Test"
    folder.mkdir(parents=True)
    for row in shared:  # the repository's files: the header, then the statement
        (folder / f"{row['name']}.lean").write_text(row["header"] + row["formal_statement"], encoding="utf-8")
    converted = {r["name"]: r for r in rows_from_tree(tmp_path, "test")}
    for row in shared:
        assert converted[row["name"]]["formal_statement"] == row["formal_statement"]
        assert converted[row["name"]]["header"].split() == row["header"].split()


# ------------------------------------------------------------------ pass@k and checkpoints


def test_pass_at_k_runs_k_seeded_attempts_until_a_proof(tmp_path: Path) -> None:
    hard = Problem("hard", "theorem hard (a b : ℕ) (h : a * b = 91) (h₁ : 1 < a) (h₂ : a < b) : a = 7")
    easy = Problem("easy", "theorem easy (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    for searcher in ("mcts", "bfs"):
        settings = Settings(searcher=searcher, budget=12, pass_k=3, seed=5)
        summary = evaluate([hard, easy], settings, tmp_path / searcher, workers=0, emit=None)
        by_name = {r["name"]: r for r in summary.rows}
        tries = by_name["hard"]["attempts"]
        assert by_name["hard"]["status"] == "failed" and [a["seed"] for a in tries] == [5, 6, 7]
        assert by_name["hard"]["env_calls"] == sum(a["env_calls"] for a in tries)
        assert by_name["easy"]["status"] == "proved" and len(by_name["easy"]["attempts"]) == 1
        assert by_name["easy"]["seed"] == 5


def test_shuffled_candidates_depend_on_the_seed_and_the_goal_only() -> None:
    tactics = [f"t{i}" for i in range(12)]
    goal = GoalView("⊢ p", "⊢ p")
    a, b = shuffled(lambda g: tactics, 1), shuffled(lambda g: tactics, 2)
    assert a(goal) == a(goal) and sorted(a(goal)) == sorted(tactics) and a(goal) != b(goal)
    assert a(GoalView("⊢ q", "⊢ q")) != a(goal)


@pytest.fixture
def torch_threads():
    """A checkpoint makes the in-process worker use one torch thread: restore the setting after."""
    import torch

    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("searcher", ["mcts", "bfs"])
@pytest.mark.usefixtures("torch_threads")
def test_a_checkpoint_guides_the_evaluation(tmp_path: Path, searcher: str, capsys: pytest.CaptureFixture[str]) -> None:
    from prover.net.checkpoint import save_checkpoint
    from tests.prover.net.test_model import tiny_model

    checkpoint = tmp_path / "net.pt"
    save_checkpoint(checkpoint, tiny_model(seed=3), step=7)
    problems = write_problems(tmp_path / "p.jsonl", [
        {"name": "easy", "formal_statement": "theorem easy (p q : Prop) (hp : p) (hq : q) : p ∧ q"}])
    out = tmp_path / "run"
    assert main(["--problems", str(problems), "--no-ray", "--searcher", searcher, "--budget", "30",
                 "--checkpoint", str(checkpoint), "--out", str(out)]) == 0
    assert rows(out)[0]["status"] == "proved" and rows(out)[0]["checkpoint"] == str(checkpoint)
    capsys.readouterr()
    assert main(["--problems", str(problems), "--no-ray", "--checkpoint", str(tmp_path / "none.pt"),
                 "--out", str(tmp_path / "other")]) == 2
    assert "none.pt" in capsys.readouterr().err


def test_a_cluster_address_is_checked_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.cli.test_selfplay import closed_port

    problems = write_problems(tmp_path / "p.jsonl", [{"name": "a", "formal_statement": "theorem a : True"}])
    address = f"127.0.0.1:{closed_port()}"
    assert main(["--problems", str(problems), "--address", address, "--out", str(tmp_path / "o")]) == 2
    assert f"cannot reach the Ray cluster at {address}" in capsys.readouterr().err
    monkeypatch.setenv("RAY_ADDRESS", address)
    assert main(["--problems", str(problems), "--out", str(tmp_path / "o")]) == 2
    assert f"cannot reach the Ray cluster at {address}" in capsys.readouterr().err
    assert main(["--problems", str(problems), "--address", "auto", "--no-ray", "--out", str(tmp_path / "o")]) == 2
    assert "--address runs the workers on a Ray cluster" in capsys.readouterr().err
    assert not (tmp_path / "o").exists(), "nothing ran"


@pytest.mark.skipif(shutil.which("lake") is not None, reason="Lean is installed here")
def test_a_backend_that_cannot_start_exits_2_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = write_problems(tmp_path / "p.jsonl", [{"name": "a", "formal_statement": "theorem a : True"}])
    assert main(["--problems", str(problems), "--backend", "repl", "--no-ray", "--out", str(tmp_path / "o")]) == 2
    assert "leanzero setup-lean" in capsys.readouterr().err


def test_minif2f_on_dojo_names_the_pinned_repository_and_one_file_per_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import prover.evaluate.run
    from prover.evaluate.minif2f import COMMIT, REPO_URL

    opened: list[tuple[str, dict]] = []

    def fake_open_env(backend: str, **options):
        opened.append((backend, options))
        raise ValueError("backend 'dojo' needs the lean-dojo package (faked)")

    monkeypatch.setattr(prover.evaluate.run, "open_env", fake_open_env)  # where the workers look it up
    for var in ("LEANZERO_DOJO_REPO", "LEANZERO_DOJO_COMMIT", "LEANZERO_DOJO_FILE"):
        monkeypatch.delenv(var, raising=False)
    folder = tmp_path / "repo" / "MiniF2F" / "Test"
    folder.mkdir(parents=True)
    (folder / "p.lean").write_text("import Mathlib\ntheorem p : True := by sorry\n", encoding="utf-8")
    args = ["minif2f", "--split", "test", "--data", str(tmp_path / "repo"), "--backend", "dojo", "--no-ray"]
    assert main([*args, "--out", str(tmp_path / "o1")]) == 2  # the faked missing package: a clear exit 2
    assert opened[-1] == ("dojo", {"repo": REPO_URL, "commit": COMMIT, "file": "MiniF2F/Test/{name}.lean"})
    monkeypatch.setenv("LEANZERO_DOJO_REPO", str(tmp_path / "traced"))  # a local traced checkout wins
    assert main([*args, "--out", str(tmp_path / "o2")]) == 2
    assert opened[-1] == ("dojo", {"commit": COMMIT, "file": "MiniF2F/Test/{name}.lean"})


def test_rows_without_header_get_the_minif2f_header_on_a_lean_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import prover.evaluate.run

    headers: dict[str, str] = {}

    class Recording(MiniEnv):  # stands in for `repl`: the header each statement is started in
        def start(self, statement: str, *, header: str = "", timeout: float = 10.0):  # type: ignore[override]
            headers[statement.split()[1]] = header
            return super().start(statement, header=header, timeout=timeout)

    monkeypatch.setattr(prover.evaluate.run, "open_env", lambda backend, **options: Recording())
    problems = write_problems(tmp_path / "p.jsonl", [
        {"name": "a", "formal_statement": "theorem a (p : Prop) (hp : p) : p"},
        {"name": "b", "formal_statement": "theorem b (p : Prop) (hp : p) : p", "header": "open Nat"},
        {"name": "c", "formal_statement": "theorem c (q : Prop) (hq : q) : q", "header": ""},
    ])
    args = ["--problems", str(problems), "--no-ray", "--budget", "10"]
    assert main([*args, "--backend", "repl", "--out", str(tmp_path / "repl")]) == 0
    assert headers == {"a": MINIF2F_HEADER, "b": "open Nat", "c": MINIF2F_HEADER}
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert notes == [f"note: 2 rows of {problems} have no header; using the miniF2F default header "
                     "(import Mathlib, set_option maxHeartbeats 0, open BigOperators Real Nat Topology Rat)"]
    headers.clear()
    assert main([*args, "--backend", "mini", "--out", str(tmp_path / "mini")]) == 0  # mini: as they are
    assert headers == {"a": "", "b": "open Nat", "c": ""}
    assert "note:" not in capsys.readouterr().err


class FaultyMini(MiniEnv):
    """`mini` whose `verify` reports every found script as a soundness fault."""

    def verify(self, statement: str, proof: str, **kwargs) -> Verification:  # type: ignore[override]
        return Verification(False, ("counterexample",), "mini", fault=f"counterexample to {statement}")


@pytest.mark.parametrize("searcher", ["mcts", "bfs"])
def test_soundness_faults_are_counted_in_rows_summary_and_report(tmp_path: Path, searcher: str) -> None:
    easy = Problem("easy", "theorem easy (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    lines: list[str] = []
    summary = evaluate([easy], Settings(searcher=searcher, budget=20), tmp_path, workers=0, emit=lines.append,
                       env=FaultyMini())
    [row] = summary.rows
    assert row["status"] != "proved" and row["faults"] == 1 and row["attempts"][0]["fault"].startswith("counterexample")
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert data["soundness_faults"] == 1
    assert "Soundness faults: 1" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert any("SOUNDNESS FAULT on easy" in line for line in lines)


def test_decoder_samples_mean_nothing_without_a_network() -> None:
    """Best-first and uncheckpointed MCTS run no decoder: the setting is 0 there, so a resume
    with another --decoder-samples is not refused for a difference that changes nothing."""
    from prover.evaluate import Settings

    assert Settings(searcher="bfs", decoder_samples=8).decoder_samples == 0
    assert Settings(searcher="mcts", decoder_samples=8).decoder_samples == 0
    assert Settings(searcher="mcts", checkpoint="x.pt", decoder_samples=8).decoder_samples == 8
    with pytest.raises(ValueError, match="decoder_samples"):
        Settings(searcher="mcts", checkpoint="x.pt", decoder_samples=-1)


class RestartingMini(MiniEnv):
    """`mini` that reports one kill and one restart of its (imaginary) process per tactic."""

    def __init__(self) -> None:
        super().__init__()
        self.spent = EnvCounters()

    def apply(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.spent = self.spent + EnvCounters(kills=1, restarts=1, requests=1)
        return super().apply(*args, **kwargs)

    def counters(self) -> EnvCounters:
        return self.spent


def test_backend_kills_and_restarts_reach_rows_summary_and_report(tmp_path: Path) -> None:
    easy = Problem("easy", "theorem easy (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    also = Problem("also", "theorem also (p : Prop) (hp : p) : p")
    env = RestartingMini()
    summary = evaluate([easy, also], Settings(budget=20), tmp_path, workers=0, emit=lambda _: None, env=env)
    per_row = [r["env_counters"] for r in summary.rows]
    assert all(c["kills"] == c["restarts"] == c["requests"] > 0 for c in per_row)
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert data["env_counters"]["kills"] == sum(c["kills"] for c in per_row) == env.counters().kills
    assert f"kills {env.counters().kills}" in (tmp_path / "report.md").read_text(encoding="utf-8")
    plain = evaluate([also], Settings(budget=20), tmp_path / "plain", workers=0, emit=lambda _: None, env=MiniEnv())
    assert plain.rows[0]["env_counters"] == {}  # mini has no process: nothing to count
