"""`leanzero prove`: input handling, exit codes and output, on a fake backend and on `mini`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cli.common
import cli.prove
from cli.main import main
from lean_env.contract import (
    Capabilities,
    EnvCounters,
    GoalView,
    ProofState,
    StatementError,
    TacticError,
    TacticResult,
    TacticSuccess,
    Verification,
)
from lean_env.problem import MINIF2F_HEADER
from lean_env.text.statement import strip_proof
from lean_env.text.statement import with_proof as render

REPO = Path(__file__).resolve().parents[2]
DEMO = "theorem demo (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry"
# on a Lean backend (the fake is one), a statement given as text gets miniF2F's header, and says so
NOTE = cli.common.default_header_note("the statement has") + "\n"


class FakeEnv:
    """Statements containing `BAD` are malformed there; `theorem t (p : Prop) (hp : p) : p` is
    provable by `exact hp`; anything else has an unprovable goal."""

    name = "fake"
    capabilities = Capabilities("fake", kernel_checked=True, metavariables=False, fragment=False, cheap_start=True,
                                any_statement=True)

    def counters(self) -> EnvCounters:

        return EnvCounters()


    def outside_fragment(self, state: ProofState) -> str:
        return ""

    def __init__(self) -> None:
        self.headers: list[str] = []
        self.statements: list[str] = []

    def start(self, statement: str, *, header: str = "", timeout: float = 10.0) -> ProofState:
        self.headers.append(header)
        self.statements.append(statement)
        if "BAD" in statement:
            raise StatementError("unexpected identifier", *position(statement, statement.index("BAD")))
        text = "p : Prop\nhp : p\n⊢ p" if statement.endswith("(hp : p) : p") else "⊢ q"
        return ProofState(0, (GoalView(text, text),))

    def apply(self, state: ProofState, tactic: str, *, goal: int = 0, timeout: float = 10.0) -> TacticResult:
        if state.goals[goal].text.endswith("⊢ p") and tactic == "exact hp":
            return TacticSuccess(ProofState(1, ()))
        return TacticError("failed")

    def verify(self, statement: str, proof: str, *, header: str = "", timeout: float = 10.0) -> Verification:
        return Verification(proof == "exact hp", (), "fake")

    def close(self) -> None:
        pass


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeEnv:
    env = FakeEnv()

    def open_env(backend: str, **options: object) -> FakeEnv:
        if backend != "fake":
            raise ValueError(f"unknown backend '{backend}'")
        return env

    monkeypatch.setattr(cli.prove, "open_env", open_env)  # where `leanzero prove` looks it up
    return env


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    if code == 2:
        assert "Traceback" not in err  # bad input is reported, never raised
    return code, out, err


# ---------------------------------------------------------------- start-up


HEAVY = ("torch", "ray", "z3", "sympy", "networkx", "matplotlib", "lean_interact", "lean_dojo",
         "lean_env.mini", "lean_env.repl", "lean_env.dojo")


def heavy_modules_probe(*argvs: list[str]) -> str:
    """A script that runs `leanzero` with each argv (each must exit 0) and prints the heavy
    modules it loaded: third-party libraries and the backends; the layers' light modules (the
    contract, the search's defaults) may load, the defaults live there."""
    return (
        "import sys\nfrom cli.main import main\n"
        f"for argv in {list(argvs)!r}:\n"
        "    try:\n        main(argv)\n    except SystemExit as e:\n        assert e.code == 0, e.code\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy)))"
    )


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    probe = heavy_modules_probe(["--help"], ["prove", "--help"])
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"
    for flag in ("--budget", "--proofs-out", "--searcher", "--simulations", "--tree"):
        assert flag in proc.stdout
    assert "uniform priors" in " ".join(proc.stdout.split())
    assert time.monotonic() - t0 < 5.0


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "leanzero"
    assert script.exists(), "run `make venv` (pip install -e .) to install the `leanzero` script"
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "prove" in proc.stdout


# ---------------------------------------------------------------- bad input: exit 2


def position(text: str, index: int) -> tuple[int, int]:
    lines = text[:index].split("\n")
    return len(lines), len(lines[-1]) + 1


def test_malformed_statement_names_line_and_column(fake: FakeEnv, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prove", "--backend", "fake", "theorem t (p : Prop)\n  (hp : BAD) : p")
    assert code == 2 and out == ""
    assert err.startswith(NOTE + "error: <statement>:2:9: unexpected identifier")
    statement = "\n\n   theorem t (hp : BAD) : p"  # positions count from the text as given
    code, _, err = run(capsys, "prove", "--backend", "fake", statement)
    line, col = position(statement, statement.index("BAD"))
    assert code == 2 and err.startswith(f"{NOTE}error: <statement>:{line}:{col}: ")


def test_strip_proof_stops_at_the_top_level_assignment() -> None:
    assert strip_proof("theorem t (x : ℕ := 3) : x = 3 := by rfl") == "theorem t (x : ℕ := 3) : x = 3"
    assert strip_proof("theorem t : True -- := no\n  := trivial") == "theorem t : True -- := no"
    assert strip_proof("theorem t : True") == "theorem t : True"


def test_malformed_statement_in_file_points_into_the_file(
    fake: FakeEnv, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (
        "import Mathlib\nopen Nat\n\n-- first\ntheorem ok : True := trivial\n\n"
        "  theorem t (x : ℕ)\n    (h : BAD) : x = x := by\n  sorry\n"
    )
    path = tmp_path / "T.lean"
    path.write_text(source, encoding="utf-8")
    code, _, err = run(capsys, "prove", "--backend", "fake", "--file", str(path), "--name", "t")
    line, col = position(source, source.index("BAD"))
    assert code == 2
    assert err.startswith(f"error: {path}:{line}:{col}: unexpected identifier")
    assert fake.headers[-1] == "import Mathlib\nopen Nat\n\n-- first\ntheorem ok : True := trivial"  # all before it
    assert fake.statements[-1] == "theorem t (x : ℕ)\n    (h : BAD) : x = x"


def test_unknown_backend(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prove", "--backend", "no-such-backend", DEMO)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "no-such-backend" in err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.lean"
    code, _, err = run(capsys, "prove", "--file", str(missing), "--name", "t")
    assert code == 2 and err.startswith(f"error: {missing}: cannot read")


def test_missing_theorem_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "T.lean"
    path.write_text("theorem a : True := by sorry\nlemma b : True := by sorry\n", encoding="utf-8")
    code, _, err = run(capsys, "prove", "--file", str(path), "--name", "c")
    assert code == 2 and "no theorem or lemma named 'c'" in err
    code, _, err = run(capsys, "prove", "--file", str(path))
    assert code == 2 and "found: a, b" in err


@pytest.mark.parametrize(
    "argv",
    [["prove"], ["prove", DEMO, "--file", "x.lean"], ["prove", DEMO, "--name", "demo"], ["prove", "  "]],
)
def test_statement_and_file_are_exclusive(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.startswith("error: ")


@pytest.mark.parametrize("flag", ["--budget", "--timeout", "--time-limit", "--simulations"])
def test_budgets_must_be_positive(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["prove", flag, "0", DEMO])
    assert info.value.code == 2
    assert "must be positive" in capsys.readouterr().err


def test_unknown_searcher_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["prove", "--searcher", "dfs", DEMO])
    assert info.value.code == 2
    assert "invalid choice: 'dfs'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--searcher", "bfs", "--tree", "t.graphml"], "--tree needs --searcher mcts"),
        (["--searcher", "bfs", "--simulations", "5"], "--simulations needs --searcher mcts"),
        (["--tree", "tree.xml"], "must end in .graphml or .json"),
        (["--tree", "no/such/folder/tree.json"], "cannot write"),
    ],
)
def test_tree_and_searcher_options_are_checked_before_searching(
    argv: list[str], message: str, fake: FakeEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "prove", "--backend", "fake", *argv, "theorem t (p : Prop) (hp : p) : p")
    assert code == 2 and out == "" and err.startswith("error: ") and message in err
    assert fake.statements == []  # refused before the backend saw anything


# ---------------------------------------------------------------- outcomes on the fake backend


def test_a_statement_without_header_gets_the_minif2f_header_on_a_lean_backend(
    fake: FakeEnv, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "prove", "--backend", "fake", "theorem u (q : Prop) : q")
    assert code == 1 and err.count("note: ") == 1 and err.startswith(NOTE)
    assert NOTE == ("note: the statement has no header; using the miniF2F default header "
                    "(import Mathlib, set_option maxHeartbeats 0, open BigOperators Real Nat Topology Rat)\n")
    assert fake.headers == [MINIF2F_HEADER, MINIF2F_HEADER]  # the statement and its negation
    # a theorem of a file keeps the file's context, even an empty one: that is what the file means
    path = tmp_path / "T.lean"
    path.write_text("theorem u (q : Prop) : q := by\n  sorry\n", encoding="utf-8")
    code, _, err = run(capsys, "prove", "--backend", "fake", "--file", str(path), "--no-disprove")
    assert code == 1 and "note:" not in err and fake.headers[-1] == ""


def test_no_header_note_on_mini(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prove", "--backend", "mini", "theorem t (p : Prop) (hp : p) : p")
    assert code == 0 and "note:" not in err and out.endswith("exact hp\n")


def test_prints_the_verified_proof(fake: FakeEnv, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prove", "--backend", "fake", "theorem t (p : Prop) (hp : p) : p := by sorry")
    assert code == 0
    assert out == "theorem t (p : Prop) (hp : p) : p := by\n  exact hp\n"
    assert "verified by fake" in err


@pytest.mark.parametrize("searcher", ["mcts", "bfs"])
def test_not_proved_exits_1(searcher: str, fake: FakeEnv, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prove", "--backend", "fake", "--searcher", searcher, "theorem u (q : Prop) : q")
    assert code == 1 and out == ""
    assert err.startswith(NOTE + "not proved: search space exhausted")
    assert "not disproved: search space exhausted" in err  # the negation raced too


def test_mcts_reports_progress_on_stderr(
    fake: FakeEnv, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.common, "PROGRESS_EVERY", 0.0)
    code, out, err = run(capsys, "prove", "--backend", "fake", "theorem u (q : Prop) : q")
    assert code == 1 and out == ""
    assert "leanzero: " in err and "simulations" in err


def test_render_indents_focused_blocks_under_by() -> None:
    proof = "constructor\n· constructor\n  · exact hp\n  · exact hq\n· exact hr"
    assert render("theorem t : X", proof) == (
        "theorem t : X := by\n  constructor\n  · constructor\n    · exact hp\n    · exact hq\n  · exact hr"
    )


def test_proofs_out_is_written_before_the_proof_is_printed(
    fake: FakeEnv, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proofs = tmp_path / "proofs.jsonl"
    seen_at_print: list[str] = []

    class Stdout:
        def write(self, text: str) -> int:
            seen_at_print.append(proofs.read_text(encoding="utf-8"))
            return len(text)

        def flush(self) -> None:
            pass

    statement = "theorem t (p : Prop) (hp : p) : p"
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", Stdout())
        assert main(["prove", "--backend", "fake", "--proofs-out", str(proofs), statement]) == 0
    assert main(["prove", "--backend", "fake", "--proofs-out", str(proofs), statement + " := by sorry"]) == 0
    records = [json.loads(line) for line in proofs.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2 and seen_at_print and seen_at_print[0].count("\n") == 1
    for record in records:
        assert {k: record[k] for k in ("name", "statement", "proof", "backend")} == {
            "name": "t",
            "statement": statement,
            "proof": "exact hp",
            "backend": "fake",
        }
        assert record["time"] >= 0


# ---------------------------------------------------------------- end to end on mini (needs MiniEnv)


def test_mini_proves_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prove", "--backend", "mini", "--time-limit", "30", DEMO)
    assert code == 0, err
    assert out.startswith("theorem demo (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  ")
    assert "verified by mini (embedded fragment prover, not Lean)" in err


def test_mini_proves_a_theorem_from_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "Demo.lean"
    path.write_text(
        "import Mathlib\n\nopen Nat\n\ntheorem other : True := by sorry\n\n"
        "theorem demo2 (x : ℕ) (h₀ : 0 < x) : x ≠ 0 := by\n  sorry\n",
        encoding="utf-8",
    )
    argv = ["prove", "--backend", "mini", "--time-limit", "30", "--file", str(path), "--name", "demo2"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out.startswith("theorem demo2 (x : ℕ) (h₀ : 0 < x) : x ≠ 0 := by\n  ")


# false statements that an earlier mini "proved" (issue 12): prove must find nothing
ONCE_PROVED = [
    "theorem t (x : ℕ) (h : x = 1) (x : ℕ) : x = 1",
    "theorem t (x : ℕ) (h : ∃ y : ℕ, y = x + 1) : False",
    "theorem t (n k : ℕ) : n = 0 ∨ n = k + 1",
    "theorem t (k : ℕ) (h : k = 5) : False",
    "theorem t (x : ℕ) (hx : x = 1) (h : ∀ y : ℕ, (∃ x : ℕ, x + x = y) ↔ y % 2 = 0) : ∃ x : ℕ, x + x = x * 3 + 1",
    "theorem t : Nat.Prime 318665857834031151167461",
]


@pytest.mark.parametrize("searcher", ["mcts", "bfs"])
@pytest.mark.parametrize("statement", ONCE_PROVED)
def test_mini_proves_none_of_the_false_statements_it_once_proved(
    searcher: str, statement: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["prove", "--backend", "mini", "--searcher", searcher, "--time-limit", "20"]
    code, out, err = run(capsys, *argv, "--no-disprove", statement)
    assert code == 1 and out == "", err
    code, out, err = run(capsys, *argv, statement)  # racing the negation: never a proof
    assert code in (1, 3), err
    if code == 3:
        assert out.startswith("theorem t_neg : ¬") and "disproved: t is false" in err


DISPROVABLE = "theorem t (x : ℕ) (h : 2 ≤ x) : x * x < 4"


@pytest.mark.parametrize("searcher", ["mcts", "bfs"])
def test_a_false_statement_is_disproved(
    searcher: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    proofs = tmp_path / "proofs.jsonl"
    argv = ["prove", "--searcher", searcher, "--time-limit", "30", "--proofs-out", str(proofs)]
    code, out, err = run(capsys, *argv, DISPROVABLE)
    assert code == cli.common.EXIT_DISPROVED == 3, err
    assert out.startswith("theorem t_neg : ¬ (∀ (x : ℕ) (h : 2 ≤ x), x * x < 4) := by\n")
    assert "disproved: t is false" in err and "verified by mini" in err
    (record,) = [json.loads(line) for line in proofs.read_text(encoding="utf-8").splitlines()]
    assert record["kind"] == "disproof" and record["name"] == "t" and record["statement"].startswith("theorem t_neg")
    from lean_env.mini import MiniEnv  # the printed disproof checks again, on a fresh backend

    statement, _, proof = out.partition(" := by\n")
    assert MiniEnv().verify(statement, "\n".join(line[2:] for line in proof.splitlines())).ok
    code, out, err = run(capsys, *argv, "--no-disprove", DISPROVABLE)
    assert code == 1 and out == "" and "not proved" in err and "not disproved" not in err


def test_a_true_statement_is_proved_not_disproved(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "prove", "--time-limit", "30", "theorem t (x : ℕ) (h : 2 ≤ x) : 4 ≤ x * x")
    assert code == 0 and out.startswith("theorem t (x : ℕ)"), err


def test_mini_refuses_a_file_whose_header_redefines_a_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "Foo.lean"
    path.write_text("import Mathlib\nnamespace Foo\ndef Prime (n : ℕ) : Prop := n = 4\n"
                    "theorem t : Prime 2 := by sorry\nend Foo\n", encoding="utf-8")
    code, out, err = run(capsys, "prove", "--backend", "mini", "--file", str(path), "--name", "t")
    assert code == 2 and out == ""
    assert "`def Prime`" in err and "mini cannot interpret" in err


def test_mini_reports_where_a_statement_is_malformed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prove", "--backend", "mini", "theorem bad (p : Prop) : p ∧ := by sorry")
    assert code == 2 and out == ""
    assert err.startswith("error: <statement>:1:")
    position = err.split(":")[2]
    assert position.isdigit() and int(position) >= 1


@pytest.mark.parametrize("searcher", ["mcts", "bfs"])
@pytest.mark.parametrize(
    "statement",
    [DEMO, "theorem demo2 (x : ℕ) (h₀ : 0 < x) : x ≠ 0 := by sorry"],  # the two of `make demo`
)
def test_both_searchers_prove_the_demo_theorems(
    searcher: str, statement: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["prove", "--backend", "mini", "--searcher", searcher, "--time-limit", "30", statement]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out.startswith(strip_proof(statement) + " := by\n  ")
    assert "verified by mini" in err and (" simulation" in err) == (searcher == "mcts")


NESTED = "theorem t (p q r : Prop) (hp : p) (hq : q) (hr : r) : (p ∧ q) ∧ (q ∧ r) ∧ p"


def test_the_printed_mcts_proof_verifies_as_printed(capsys: pytest.CaptureFixture[str]) -> None:
    from lean_env.mini import MiniEnv

    code, out, err = run(capsys, "prove", "--backend", "mini", "--time-limit", "30", NESTED)
    assert code == 0, err
    head, body = out.rstrip("\n").split(" := by\n")
    assert head == NESTED and all(line.startswith("  ") for line in body.splitlines())
    script = "\n".join(line[2:] for line in body.splitlines())
    env = MiniEnv()
    assert env.verify(NESTED, script).ok


@pytest.mark.parametrize(
    ("statement", "proved", "suffix"),
    [(NESTED, True, "graphml"), (NESTED, True, "json"), ("theorem u (p q : Prop) (hp : p) : q", False, "graphml")],
)
def test_tree_file_is_written_proved_or_not(
    statement: str, proved: bool, suffix: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from search.export import read_tree

    path = tmp_path / f"out.{suffix}"
    argv = ["prove", "--backend", "mini", "--time-limit", "30", "--tree", str(path), statement]
    code, out, err = run(capsys, *argv)
    assert code == (0 if proved else 1), err
    assert f"search tree written to {path}" in err
    graph = read_tree(path)
    assert graph.graph["statement"] == statement and graph.graph["proved"] is proved
    assert graph.graph["searcher"] == "mcts" and graph.graph["backend"] == "mini"
    root = graph.nodes[graph.graph["roots"]]
    assert root["kind"] == "goal" and root["root"] and root["status"] in (("proved",) if proved else ("open", "failed"))
    kinds = [d["kind"] for _, d in graph.nodes(data=True)]
    assert (kinds.count("goal"), kinds.count("tactic")) == (graph.graph["goal_nodes"], graph.graph["tactic_nodes"])
    if proved:
        printed = out.split(" := by\n")[1].rstrip("\n")
        assert printed == "\n".join("  " + line for line in graph.graph["proof"].splitlines())
    else:
        assert out == "" and "proof" not in graph.graph
