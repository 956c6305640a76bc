"""`leanzero`, the command line: the top layer, the only one that imports every package
(`lean_env` < `search` < `prover` < `selfplay` < `cli`). `main` builds the parser and dispatches;
each subcommand lives in its own module (`prove`, `evaluate`, `selfplay`, `lean`)."""
