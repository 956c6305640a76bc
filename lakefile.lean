import Lake
open Lake DSL

-- LeanZero's Lean workspace. The toolchain is pinned by `lean-toolchain`
-- (leanprover/lean4:v4.24.0); Mathlib and the Lean REPL are pinned to the tags of the same
-- version below, miniF2F's versions. `leanzero setup-lean` fetches Mathlib's prebuilt cache
-- and builds the REPL (docs/setup-lean.md); `leanzero doctor` reports what is present.

package LeanZero where
  -- no Lean sources of our own: the workspace exists for Mathlib and the REPL

require mathlib from git
  "https://github.com/leanprover-community/mathlib4" @ "v4.24.0"

-- The REPL's tags follow Lean's versions; its package (and `.lake/packages/` folder) is
-- named `REPL`, its executable `repl` (`lake exe repl`).
require REPL from git
  "https://github.com/leanprover-community/repl" @ "v4.24.0"
