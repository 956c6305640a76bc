"""Proof environments: the `ProofEnv` contract and its backends.

Backends import lazily: `open_env("mini")` never touches Lean or LeanDojo, and importing
this package costs nothing beyond the contract.
"""

from __future__ import annotations

from lean_env.contract import ProofEnv

BACKENDS = ("mini", "repl", "dojo")


def open_env(backend: str, **options: object) -> ProofEnv:
    """Create a backend by name (the CLI's `--backend`); unknown names raise ValueError."""
    match backend:
        case "mini":
            from lean_env.mini import MiniEnv

            return MiniEnv(**options)  # type: ignore[arg-type]
        case "repl" | "dojo":
            raise ValueError(f"backend '{backend}' is not available yet (it comes with the Lean backend issue)")
        case _:
            raise ValueError(f"unknown backend '{backend}'; choose one of {', '.join(BACKENDS)}")
