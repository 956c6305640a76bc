"""Failures inside `mini`, and the cooperative deadline every long-running routine checks."""

from __future__ import annotations

import time


class TacticFailure(Exception):
    """A tactic failed the way Lean's would: the message reads like Lean's error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParseError(Exception):
    """Text that does not parse or elaborate; `line`/`col` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.message}" if self.line else self.message


class DeadlineExceeded(Exception):
    """Raised by `Deadline.check` once the per-call time budget is spent."""


class Deadline:
    """A wall-clock budget for one backend call, checked cooperatively.

    Loops call `check()`; solvers get `remaining_ms()` as their own timeout. Python cannot
    interrupt a running computation safely, so every potentially long loop must check.
    """

    __slots__ = ("end", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.end = None if seconds is None else time.monotonic() + seconds

    def expired(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end

    def check(self) -> None:
        if self.expired():
            raise DeadlineExceeded()

    def remaining_ms(self) -> int:
        """Milliseconds left (at least 1), or a large number when unbounded."""
        if self.end is None:
            return 3_600_000
        return max(1, int((self.end - time.monotonic()) * 1000))


UNBOUNDED = Deadline(None)
