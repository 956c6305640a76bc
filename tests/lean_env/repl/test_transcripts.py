"""The `repl` backend's request/response layer on REAL Lean output (issue 5, item 2).

../shared/lean-repl-transcripts holds the Lean REPL's own test suite: requests and the answers
the REPL recorded. A stand-in process (`fake_repl.py`) answers each request with its recorded
answer; lean-interact's `LeanServer` (our `ReplServer`) sends and parses, and
`lean_env.repl.protocol` maps every answer to what the contract makes of it. `EXPECTED` lists
that, per transcript and request, read off the recorded answers by hand:

- `root`: a command with exactly one `sorry` and no error: a proof can start there;
- `error`: a command with an error message (a `StatementError` for `start`, a failed `verify`);
- `sorries`: several sorries, or a sorry warning without a proof state: no root, no proof;
- `env`: neither error nor sorry;
- `goals:N`: a tactic answer that is a success with N goals (0: solved);
- `fail`: a tactic answer that is a `TacticError`: an error message (Lean recovered with a
  sorry), a new `sorry`, a kernel error, or no goals with metavariables or sorries left;
- `lean-error`: `{"message": "Lean error: ..."}`; `lost`: `Unknown proof state`.

Transcripts recorded on a machine with Lean (`leanzero doctor --record DIR`, docs/lean.md), found
in the folders of `$LEANZERO_LEAN_RECORDINGS` and in ../shared/lean-recordings, are replayed the
same way. Nobody has read their answers by hand, so they are held to what holds for every
answer: each reads as a contract result, consistently with its raw JSON (`check_mapping`), and
each transcript is one process's session: it names only proof states and environments that an
earlier answer of its own gave.
"""

from __future__ import annotations

import pytest

pytest.importorskip("lean_interact")

from lean_interact.interface import CommandResponse, LeanError, Message, ProofStepResponse

from lean_env.contract import StatementError
from lean_env.repl.protocol import StepFailed, StepOk, goal_views, read_root, read_step
from lean_env.repl.server import ReplServer
from lean_env.repl.smoke import RECORDINGS_ENV, SHARED_RECORDINGS, recording_dirs
from lean_env.repl.verify import judge, proof_problems

from .fakes import TRANSCRIPTS, fake_spec, replay, transcript, transcript_names

NAMES = transcript_names()
needs_transcripts = pytest.mark.skipif(not NAMES, reason=f"no REPL transcripts at {TRANSCRIPTS}")
RECORDED = [(root, name) for root in recording_dirs() for name in transcript_names(root)]
NO_RECORDINGS = (
    f"no recorded transcripts in ${RECORDINGS_ENV} or {SHARED_RECORDINGS}: record them with "
    "`leanzero doctor --record DIR` on a machine with Lean (docs/lean.md)"
)

EXPECTED = {
    "Mathlib/test/20240209": "root fail",
    "Mathlib/test/H20231020": "env env env env",
    "Mathlib/test/H20231110": "env env",
    "Mathlib/test/H20231115": "env root goals:2",
    "Mathlib/test/H20231115_2": "env sorries",
    "Mathlib/test/H20231115_3": "env error",
    "Mathlib/test/H20231215": "env env",
    "Mathlib/test/H20231215_2": "env root",
    "Mathlib/test/exact": "env root goals:0 root lean-error",
    "Mathlib/test/file_env": "env root env",
    "Mathlib/test/induction": "env root goals:2 goals:1 fail",
    "Mathlib/test/line_breaks": "env root",
    "Mathlib/test/on_goal": "env root fail",
    "Mathlib/test/pickle": "env root goals:1",
    "Mathlib/test/pickle_2": "goals:1 goals:1",
    "Mathlib/test/placeholder_synthesis": "env error root goals:1 fail",
    "all_tactics": "env",
    "all_tactics-20250622": "env goals:0",
    "app_type_mismatch": "error root goals:2 goals:1 fail",
    "app_type_mismatch2": "error root goals:2 goals:1 fail fail lean-error",
    "assumption_proof": "root goals:0",
    "by_cases": "root goals:2 goals:1 fail",
    "calc": "sorries",
    "def_eval": "env env",
    "dup_msg": "env env error",
    "dup_sorries": "root root",
    "file": "env",
    "file2": "env",
    "file_env": "env env env",
    "have_by_sorry": "error root fail",
    "import_lean": "env",
    "incomplete": "error error",
    "infotree": "env",
    "infotree_theorem": "env",
    "invalid_line_break": "error error",
    "invalid_tactic": "root fail",
    "line_breaks": "error root env",
    "name_generator": "root fail fail fail fail fail fail fail fail",
    "no_goal_sorry": "error",
    "no_goal_sorry_2": "error",
    "options": "env env env",
    "pickle_environment": "env env env env",
    "pickle_environment_with_imports": "env env env env env",
    "pickle_open": "env env env env",
    "pickle_open_2": "env env",
    "pickle_open_scoped": "env env root env",
    "pickle_open_scoped_2": "env root",
    "pickle_proof_state_1": "env root goals:1 goals:1 goals:1 goals:1 goals:1 goals:0",
    "pickle_proof_state_2": "goals:1 goals:0",
    "pickle_proof_state_env": "env root goals:1 goals:1 goals:1 goals:1 goals:1 goals:0",
    "proof_branching": "root goals:2 goals:1 goals:1 goals:0",
    "proof_branching2": "root goals:1 goals:1 goals:1 goals:2 goals:1 goals:0",
    "proof_step": "root goals:1 goals:1 goals:0",
    "proof_transitivity": "root goals:0 root goals:0",
    "readme": "root goals:1 goals:0",
    "root_goals": "sorries goals:0 goals:0",
    "self_proof_apply_check": "error root fail",
    "self_proof_check": "error root lean-error root lean-error root lean-error sorries lean-error",
    "self_proof_exact_check": "error root fail",
    "self_proof_rw": "error root fail",
    "sorry_hypotheses": "root fail",
    "synthesize_placeholder": "error",
    "tactic_mode_sorry": "root fail",
    "tactic_sorry": "root",
    "term_sorry": "root",
    "trace_simp": "env env env env root goals:1 goals:0 env",
    "unfinished_tactic_block": "error",
    "unknown_environment": "lean-error",
    "unknown_proof_state": "root lost",
    "unknown_tactic": "root lean-error",
    "variables": "env env root",
}
ALLOWED = Message.model_validate({
    "severity": "info", "pos": {"line": 1, "column": 0}, "endPos": {"line": 1, "column": 6},
    "data": "'foo' depends on axioms: [propext, Classical.choice, Quot.sound]",
})


def kind(response) -> str:
    if isinstance(response, LeanError):
        outcome = read_step(response)
        assert isinstance(outcome, StepFailed)
        return "lost" if outcome.lost else "lean-error"
    if isinstance(response, ProofStepResponse):
        outcome = read_step(response)
        return f"goals:{len(outcome.goals)}" if isinstance(outcome, StepOk) else "fail"
    assert isinstance(response, CommandResponse)
    try:
        read_root(response)
        return "root"
    except StatementError:
        if any(m.severity == "error" for m in response.messages):
            return "error"
        return "sorries" if proof_problems(response.messages, response.sorries) else "env"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One stand-in REPL process for all transcripts (it switches on `fake: replay NAME`); a
    recording's key is its path."""
    tmp = tmp_path_factory.mktemp("transcripts")
    replays = {name: transcript(name) for name in NAMES}
    replays |= {str(root / name): transcript(name, root) for root, name in RECORDED}
    repl = ReplServer(fake_spec(tmp, {"replays": replays}))
    yield repl
    repl.kill()


def replayed(server: ReplServer, name: str) -> list[tuple[dict, dict, object]]:
    """(request, recorded answer, typed answer) for every request of the REPL's transcript `name`."""
    return replay(server, name, transcript(name))


@needs_transcripts
def test_every_transcript_has_an_expectation() -> None:
    assert sorted(EXPECTED) == NAMES


@needs_transcripts
@pytest.mark.parametrize("name", NAMES)
def test_transcript_maps_to_contract_results(server: ReplServer, name: str) -> None:
    results = replayed(server, name)
    assert " ".join(kind(r) for _, _, r in results) == EXPECTED[name]
    check_mapping(results)


@pytest.mark.parametrize(
    ("root", "name"), RECORDED or [pytest.param(None, None, marks=pytest.mark.skip(reason=NO_RECORDINGS))]
)
def test_recording_maps_to_contract_results(server: ReplServer, root, name: str) -> None:
    results = replay(server, str(root / name), transcript(name, root))
    assert results, f"{root / name}: an empty transcript"
    for _, _, response in results:
        kind(response)  # every answer reads as a contract result
    check_mapping(results)
    check_one_session(results)


def check_one_session(results: list[tuple[dict, dict, object]]) -> None:
    """Every proof state and environment a request names was given by an earlier answer."""
    states: set[int] = set()
    envs: set[int] = set()
    for request, _raw, response in results:
        if "proofState" in request:
            assert request["proofState"] in states, f"proof state {request['proofState']} before any answer gave it"
        if "env" in request:
            assert request["env"] in envs, f"environment {request['env']} before any answer gave it"
        if isinstance(response, CommandResponse):
            envs.add(response.env)
            states.update(s.proof_state for s in response.sorries if s.proof_state is not None)
        elif isinstance(response, ProofStepResponse):
            states.add(response.proof_state)


def check_mapping(results: list[tuple[dict, dict, object]]) -> None:
    """Each answer reads as its raw JSON says: a Lean error as that error, a tactic answer as
    success exactly when Lean reported no error, sorry or kernel error (with Lean's goals), a
    command's verdict (given a clean `#print axioms`) as a proof exactly when it has neither."""
    for _request, raw, response in results:
        if "message" in raw and len(raw) == 1:
            assert isinstance(response, LeanError) and response.message == raw["message"]
            continue
        errors = [m for m in raw.get("messages", []) if m["severity"] == "error"]
        if isinstance(response, ProofStepResponse):
            outcome = read_step(response)
            goals = raw.get("goals", [])
            clean = not errors and not raw.get("sorries") and not raw["proofStatus"].startswith("Error")
            if clean and (goals or raw["proofStatus"] == "Completed"):
                assert isinstance(outcome, StepOk) and outcome.goals == tuple(goals)
                assert outcome.proof_state == raw["proofState"]
                for view, text in zip(goal_views(outcome.goals), goals):
                    assert view.text == text
                    assert (view.case is not None) == text.startswith("case ")
                    assert view.canonical == (text.split("\n", 1)[1] if view.case else text)
                    assert "⊢" in view.canonical and not view.canonical.startswith("case ")
            else:
                assert isinstance(outcome, StepFailed) and outcome.message
            continue
        # a command: the verdict a proof would get, given a clean `#print axioms`
        sorry_warning = any("declaration uses" in m["data"] and "sorry" in m["data"] for m in raw.get("messages", []))
        verdict = judge(response.messages, response.sorries, [ALLOWED])
        assert verdict.ok == (not errors and not raw.get("sorries") and not sorry_warning), verdict
        assert len([m for m in verdict.messages if m[0].isdigit()]) == len(errors)


@needs_transcripts
def test_goals_and_failures_read_as_lean_wrote_them(server: ReplServer) -> None:
    _, _, after_intro = replayed(server, "proof_branching")[1]
    outcome = read_step(after_intro)
    assert isinstance(outcome, StepOk)
    left, right = goal_views(outcome.goals)
    assert (left.case, right.case) == ("left", "right")
    assert left.canonical == "p q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ p"
    assert left.mvars == right.mvars == frozenset()

    def failure(name: str, index: int) -> str:
        outcome = read_step(replayed(server, name)[index][2])
        assert isinstance(outcome, StepFailed)
        return outcome.message

    assert failure("invalid_tactic", 1) == "Unknown identifier `my_fake_premise`"
    assert failure("unknown_tactic", 1) == "<input>:1:1: unknown tactic"
    assert failure("self_proof_exact_check", 2).startswith("kernel type check failed")
    assert "metavariable" in failure("Mathlib/test/placeholder_synthesis", 4)
    assert "metavariable" in failure("app_type_mismatch", 4)
    assert "sorry" in failure("tactic_mode_sorry", 1) and "sorry" in failure("sorry_hypotheses", 1)
    assert failure("Mathlib/test/exact", 4).startswith("`exact?` could not close the goal")
    lost = read_step(replayed(server, "unknown_proof_state")[1][2])
    assert isinstance(lost, StepFailed) and lost.lost


@needs_transcripts
def test_commands_read_as_roots_or_statement_errors(server: ReplServer) -> None:
    proof_state, goal = read_root(replayed(server, "proof_branching")[0][2])
    assert (proof_state, goal) == (0, "p q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ p ∧ r")
    with pytest.raises(StatementError) as e:
        read_root(replayed(server, "dup_msg")[2][2])
    assert (e.value.message, e.value.line, e.value.col) == ("Unknown identifier `g`", 1, 8)
    with pytest.raises(StatementError, match="uses `sorry`"):
        read_root(replayed(server, "calc")[0][2])
    with pytest.raises(StatementError, match="Unknown environment"):
        read_root(replayed(server, "unknown_environment")[0][2])
