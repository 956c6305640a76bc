"""Helpers for the `repl` backend tests: the recorded REPL transcripts and stand-in REPL processes.

Imported relatively (`from .fakes import ...`): pytest runs in importlib mode.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lean_interact import LeanREPLConfig
from lean_interact.interface import (
    Command,
    CommandResponse,
    FileCommand,
    LeanError,
    PickleEnvironment,
    PickleProofState,
    ProofStep,
    UnpickleEnvironment,
    UnpickleProofState,
)

from lean_env.repl.server import ProcessSpec, ReplServer

FAKE_REPL = Path(__file__).with_name("fake_repl.py")
TRANSCRIPTS = Path(__file__).resolve().parents[3].parent / "shared" / "lean-repl-transcripts"


def chunks(text: str) -> list[str]:
    """The JSON messages of a transcript file: separated by blank lines (a string may hold a
    raw line break, so a chunk ends where the text read so far parses)."""
    out, buf = [], []
    for line in text.split("\n"):
        if not line.strip():
            if buf:
                try:
                    json.loads("\n".join(buf), strict=False)
                except json.JSONDecodeError:
                    buf.append(line)
                    continue
                out.append("\n".join(buf))
                buf = []
        else:
            buf.append(line)
    if buf:
        out.append("\n".join(buf))
    return out


def transcript_names(root: Path = TRANSCRIPTS) -> list[str]:
    """`X` for every `X.in` with its `X.expected.out` under `root` (the REPL's transcripts, or a
    folder of recordings), as paths relative to `root`."""
    if not root.is_dir():
        return []
    return sorted(
        str(p.relative_to(root))[: -len(".in")]
        for p in root.rglob("*.in")
        if p.with_name(p.name[: -len(".in")] + ".expected.out").is_file()
    )


def transcript(name: str, root: Path = TRANSCRIPTS) -> list[tuple[dict, str]]:
    """(request, recorded answer text) pairs of one transcript."""
    requests = chunks((root / f"{name}.in").read_text(encoding="utf-8"))
    answers = chunks((root / f"{name}.expected.out").read_text(encoding="utf-8"))
    assert len(requests) == len(answers), f"{root / name}: {len(requests)} requests, {len(answers)} answers"
    return [(json.loads(r, strict=False), a) for r, a in zip(requests, answers)]


def replay(server: ReplServer, key: str, pairs: list[tuple[dict, str]]) -> list[tuple[dict, dict, object]]:
    """(request, recorded answer, typed answer) for every request of a transcript, sent through
    `server`, a stand-in whose script holds the transcript under `replays[key]`."""
    assert server.run(Command(cmd=f"fake: replay {key}"), timeout=10) == CommandResponse(env=0)
    out = []
    for request, text in pairs:
        response = server.run(request_model(request), timeout=10)
        assert not (isinstance(response, LeanError) and response.message.startswith("fake:")), response.message
        out.append((request, json.loads(text, strict=False), response))
    return out


def request_model(request: dict):
    """The lean-interact request model of a recorded request."""
    if "cmd" in request:
        return Command.model_validate(request)
    if "path" in request:
        return FileCommand.model_validate(request)
    if "tactic" in request:
        return ProofStep.model_validate(request)
    if "pickleTo" in request:
        return (PickleProofState if "proofState" in request else PickleEnvironment).model_validate(request)
    if "unpickleEnvFrom" in request:
        return UnpickleEnvironment.model_validate(request)
    return UnpickleProofState.model_validate(request)


def fake_spec(tmp_path: Path, script: dict, *, memory_mb: int | None = None) -> ProcessSpec:
    """A `ProcessSpec` that starts `fake_repl.py` with `script` (written under `tmp_path`);
    `-S`: the stand-in needs only the standard library, and starts three times faster."""
    repl_dir = tmp_path / "repl"
    repl_dir.mkdir(exist_ok=True)
    (repl_dir / "lean-toolchain").write_text("leanprover/lean4:v4.24.0\n")
    path = tmp_path / "script.json"
    path.write_text(json.dumps(script, ensure_ascii=False), encoding="utf-8")
    config = LeanREPLConfig(
        local_repl_path=repl_dir, build_repl=False,
        enable_incremental_optimization=False, enable_parallel_elaboration=False,
    )
    return ProcessSpec(config, (sys.executable, "-S", str(FAKE_REPL), str(path)), None, memory_mb, str(tmp_path))


def logged(tmp_path: Path) -> list[dict]:
    """The requests the fake REPL got (when its script has `"log": tmp_path / "log"`)."""
    path = tmp_path / "log"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
