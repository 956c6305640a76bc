"""Proof environments: the `ProofEnv` contract and its backends.

Backends import lazily: `open_env("mini")` never touches Lean or LeanDojo, and importing
this package costs nothing beyond the contract.
"""

from __future__ import annotations

from lean_env.contract import BACKENDS, Capabilities, ProofEnv, capabilities

__all__ = ["BACKENDS", "Capabilities", "ProofEnv", "capabilities", "open_env"]

def open_env(backend: str, **options: object) -> ProofEnv:
    """Create a backend by name (the CLI's `--backend`); unknown names raise ValueError."""
    match backend:
        case "mini":
            from lean_env.mini import MiniEnv

            return MiniEnv(**options)  # type: ignore[arg-type]
        case "repl":
            from lean_env.repl.setup import SETUP_HINT, find_setup

            setup = {k: options.pop(k) for k in ("project_dir", "repl_dir", "lake") if k in options}
            find_setup(**setup)  # type: ignore[arg-type]  # ValueError naming `leanzero setup-lean`
            try:
                from lean_env.repl.backend import ReplEnv
            except ImportError as e:
                raise ValueError(
                    f"the repl backend needs the Python package lean-interact ({e}): "
                    f"pip install -e '.[lean]', or {SETUP_HINT}"
                ) from None
            return ReplEnv.open(**setup, **options)  # type: ignore[arg-type]
        case "dojo":
            from lean_env.dojo import (
                DojoEnv,  # does not import lean_dojo; DojoEnv says when it is missing
            )

            return DojoEnv(**options)  # type: ignore[arg-type]
        case _:
            raise ValueError(f"unknown backend '{backend}'; choose one of {', '.join(BACKENDS)}")
