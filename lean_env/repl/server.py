"""The REPL process: lean-interact's `LeanServer`, started so that nothing outlives its owner.

lean-interact runs `lake env repl` with `start_new_session=True` and kills with psutil
(terminate the children it can still see, then the process). That leaves two holes: the REPL is
a grandchild (lake spawns it), so when the worker dies (Ray's reaping kills direct children
only) or lake dies first, the REPL lives on. `ReplServer` therefore

- runs the REPL binary itself as the direct child, with the environment `lake env` would give
  it (read once per setup by `lake_environment`), in its own session: its process group is its
  pid;
- sets, in the child before exec, the parent-death signal (SIGKILL when the thread that started
  it dies, e.g. the worker) and the memory cap (RLIMIT_AS);
- kills the whole process group (`os.killpg`, SIGKILL) on close, timeout and crash.

Requests, answers, timeouts and their parsing are lean-interact's (`LeanServer.run`). With
`ProcessSpec.record`, every exchange is also written as a transcript in the form of the REPL's
own test files (`STEM.in`: the requests as sent, `STEM.expected.out`: the answers as read, each
followed by a blank line), one transcript per process: the first process writes `STEM`, the
one started after the k-th restart `STEM.restartK`. A request left unanswered (timeout, crash) is
not written, so the two files always pair up.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lean_interact import LeanREPLConfig, LeanServer, LocalProject

from lean_env.repl.setup import LeanSetup

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1
_LINUX = platform.system() == "Linux"
_LIBC = ctypes.CDLL(None, use_errno=True) if _LINUX else None  # resolved here, not in the forked child
ENV_DUMP = Path(__file__).with_name("envdump.py")


@dataclass(frozen=True)
class ProcessSpec:
    """How to start one REPL process: the command, its environment and working directory, and
    its memory cap (MB, None = none). `config` is lean-interact's (request options)."""

    config: LeanREPLConfig
    argv: tuple[str, ...]
    env: Mapping[str, str] | None = None
    memory_mb: int | None = None
    cwd: str | None = field(default=None)
    record: Path | None = None  # transcript stem: write every exchange (see the module docstring)


def lake_environment(setup: LeanSetup, timeout: float = 300.0) -> dict[str, str]:
    """The environment `lake env` gives a program in the project (LEAN_PATH, PATH, ...)."""
    done = subprocess.run(
        [setup.lake, "env", sys.executable, str(ENV_DUMP)],
        cwd=setup.project_dir, capture_output=True, text=True, timeout=timeout, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"`lake env` failed in {setup.project_dir}: {done.stderr.strip() or done.stdout.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def spec_for(setup: LeanSetup, *, memory_mb: int | None, direct: bool = True) -> ProcessSpec:
    """The REPL of `setup`, started directly (default) or through `lake env` as lean-interact does."""
    config = LeanREPLConfig(
        project=LocalProject(directory=setup.project_dir, lake_path=setup.lake, auto_build=False),
        local_repl_path=setup.repl_dir, build_repl=False, lake_path=setup.lake, memory_hard_limit_mb=memory_mb,
        # each command stands alone: no reuse of earlier elaboration, no asynchronous elaboration
        enable_incremental_optimization=False, enable_parallel_elaboration=False,
    )
    if direct:
        return ProcessSpec(config, (str(setup.repl_bin),), lake_environment(setup), memory_mb, str(setup.project_dir))
    return ProcessSpec(config, (setup.lake, "env", str(setup.repl_bin)), None, memory_mb, str(setup.project_dir))


def _in_child(memory_mb: int | None, parent: int) -> None:
    """Runs in the forked child before exec: die with the parent, cap the address space."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)
    if memory_mb is not None:
        limit = memory_mb * 1024 * 1024
        with suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class ReplServer(LeanServer):
    """`LeanServer` with our process start and whole-group kill; `run` is lean-interact's."""

    def __init__(self, spec: ProcessSpec) -> None:
        self.spec = spec
        self._stderr: IO[bytes] | None = None
        self._processes = 0
        self._transcript: Path | None = None  # the current process's transcript stem
        self._fresh = False  # its files are not written yet
        super().__init__(spec.config)  # starts the process

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
        self._stderr = tempfile.TemporaryFile()  # a pipe nobody reads could fill and block Lean
        parent = os.getpid()
        self._proc = subprocess.Popen(
            list(self.spec.argv),
            cwd=self.spec.cwd or self.config.working_dir,
            env=dict(self.spec.env) if self.spec.env is not None else None,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            encoding="utf-8", text=True, bufsize=1,
            start_new_session=True,
            preexec_fn=lambda: _in_child(self.spec.memory_mb, parent),
        )
        if not self.is_alive():
            raise ChildProcessError(f"the Lean REPL could not be started: {self.stderr_tail()}")
        self._processes += 1
        if self.spec.record is not None:
            stem, restarts = self.spec.record, self._processes - 1
            self._transcript = stem.with_name(f"{stem.name}.restart{restarts}") if restarts else stem
            self._fresh = True

    def _execute_cmd_in_repl(self, json_query: str, verbose: bool, timeout: float | None) -> str:
        """lean-interact's exchange (the request line written to stdin, the answer text read back);
        recorded once the answer is complete, so what is written is what crossed the pipe."""
        answer = super()._execute_cmd_in_repl(json_query, verbose, timeout)
        if self._transcript is not None:
            mode = "w" if self._fresh else "a"  # a new process starts its transcript afresh
            self._fresh = False
            with open(f"{self._transcript}.in", mode, encoding="utf-8") as requests:
                requests.write(json_query + "\n\n")
            with open(f"{self._transcript}.expected.out", mode, encoding="utf-8") as answers:
                answers.write(answer.rstrip("\n") + "\n\n")
        return answer

    def kill(self) -> None:
        """SIGKILL the whole process group, reap the REPL, close its pipes. Replaces lean-interact's
        kill, which signals only the children it can still see and runs a full `gc.collect()`
        (seconds in a search process holding millions of objects, on every timeout)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # the session leader's pid is its group id
        with suppress(ProcessLookupError, PermissionError):
            proc.kill()  # in case it left its group
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            with suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()

    def stderr_tail(self, limit: int = 2000) -> str:
        if self._stderr is None:
            return ""
        with suppress(OSError, ValueError):
            self._stderr.seek(0)
            return self._stderr.read()[-limit:].decode("utf-8", "replace").strip()
        return ""

    def __del__(self) -> None:
        with suppress(Exception):
            self.kill()
