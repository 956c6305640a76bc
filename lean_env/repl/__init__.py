"""The `repl` backend: real Lean 4 through the Lean REPL, driven by lean-interact.

`setup` finds the toolchain, project and REPL binary (no Lean needed to ask); `protocol` maps the
REPL's answers to contract values; `verify` says what a proof is; `server` owns the process;
`backend.ReplEnv` is the `ProofEnv`. Importing this package imports nothing heavy: open the
backend with `lean_env.open_env("repl")`. See docs/lean.md.
"""
