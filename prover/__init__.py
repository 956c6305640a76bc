"""The `leanzero` command line and the tactic candidates it searches with.

Kept import-light: `leanzero --help` must not load torch, z3 or a backend.
"""
