"""The `dojo` backend: the `ProofEnv` contract on LeanDojo, for theorems of a traced repo.

Importing this package does not import `lean_dojo` (it builds a GitHub client at import);
`DojoEnv` imports it on first use. See docs/dojo.md for its cost and when to prefer `repl`.
"""

from __future__ import annotations

from lean_env.dojo.backend import DojoEnv, DojoTarget

__all__ = ["DojoEnv", "DojoTarget"]
