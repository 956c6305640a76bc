"""Arithmetic decision procedures of `mini`: `omega`, `linarith`, `nlinarith`, `positivity`.

Each takes a goal (and a Deadline) and returns None when the goal is closed, raises
TacticFailure with Lean's message when it is not, and DeadlineExceeded when time runs out.
All are sound for Lean's ℕ/ℤ semantics (truncated subtraction, `Int.ediv`/`Int.emod`,
division by zero); the implementations live in the `arith_*` modules.
"""

from lean_env.mini.arith_linarith import linarith, nlinarith
from lean_env.mini.arith_omega import omega
from lean_env.mini.arith_positivity import positivity

__all__ = ["linarith", "nlinarith", "omega", "positivity"]
