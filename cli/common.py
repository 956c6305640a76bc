"""What every `leanzero` subcommand shares: bad input and exit codes, number types for
options, progress lines, and joining a Ray cluster. Import-light: `leanzero --help` loads it
(Ray is imported only when a command connects)."""

from __future__ import annotations

import argparse
import math
import socket
import time
from collections.abc import Callable
from typing import TextIO

from lean_env.problem import MINIF2F_HEADER

EXIT_OK = EXIT_PROVED = 0
EXIT_NOT_PROVED = 1
EXIT_BAD_INPUT = 2
EXIT_DISPROVED = 3  # `prove`: the statement's negation was proved (and verified)
EXIT_INTERRUPTED = 130
PROGRESS_EVERY = 3.0  # seconds between progress lines on stderr
CONNECT_TIMEOUT = 5.0  # seconds to reach an explicit Ray address before calling it unreachable


class BadInput(Exception):
    """Input we refuse; the message is printed after `error: ` and the exit code is 2."""


def number(kind: type[int] | type[float], *, minimum: float = 0, strict: bool = True) -> Callable[[str], float]:
    """An argparse type: a number > `minimum` (`strict`) or >= `minimum`."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {'an integer' if kind is int else 'a number'}: {text!r}") from None
        if math.isnan(value) or (value <= minimum if strict else value < minimum):
            if minimum == 0 and strict:
                raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
            bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}: {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


def positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    """A number > 0."""
    return number(kind, minimum=0, strict=True)


def plural(count: int, noun: str) -> str:
    """`1 goal`, `2 goals`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def default_header_note(what: str) -> str:
    """The one note for problems that got the miniF2F default header on a Lean backend
    (`lean_env.problem.default_header`); `what` says which, with its verb: `the statement has`,
    `12 rows of probs.jsonl have` (`rows_of`)."""
    shown = ", ".join(line for line in MINIF2F_HEADER.splitlines() if line.strip())
    return f"note: {what} no header; using the miniF2F default header ({shown})"


def rows_of(count: int, where: str) -> str:
    """`1 row of F has`, `12 rows of F have`: the subject of `default_header_note` for a file."""
    return f"{plural(count, 'row')} of {where} {'has' if count == 1 else 'have'}"


class Progress:
    """Progress lines on a stream, at most one per PROGRESS_EVERY seconds; `line` is only
    called when one is due."""

    def __init__(self, stream: TextIO, prefix: str = "leanzero") -> None:
        self.stream = stream
        self.prefix = prefix
        self.t0 = self.last = time.monotonic()

    def __call__(self, line: Callable[[], str]) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            print(f"{self.prefix}: {now - self.t0:6.1f}s  {line()}", file=self.stream, flush=True)


# ------------------------------------------------------------------ Ray


def reachable(address: str) -> bool:
    """Whether a TCP connection to HOST:PORT (a `ray://` prefix allowed) opens within CONNECT_TIMEOUT."""
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        host, port = hostport, "10001" if address.startswith("ray://") else "6379"
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False


def connect_ray(address: str | None) -> bool:
    """Start a local Ray (`address` None) or join the cluster at `address` (`auto`: the one
    `ray start` made on this machine); True when this call initialised Ray (then the command
    shuts it down). An explicit address is probed first: ray.init would wait minutes for an
    unreachable one."""
    if address not in (None, "auto", "local") and not reachable(address):
        raise BadInput(f"cannot reach the Ray cluster at {address} (within {CONNECT_TIMEOUT:g} s): start it "
                       "with `ray start --head` on that machine, or check the address and port")
    import ray

    if ray.is_initialized():  # a caller (a test, a notebook) already connected
        return False
    if address is None:
        ray.init(include_dashboard=False, log_to_driver=False)
    else:
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        except (ConnectionError, ValueError, RuntimeError) as e:
            raise BadInput(f"cannot join the Ray cluster at {address}: {e}") from None
    return True
