"""`mini`: an embedded, sound prover for a fragment of Lean 4 (not Lean itself)."""

from lean_env.mini.backend import MiniEnv

__all__ = ["MiniEnv"]
