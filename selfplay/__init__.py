"""Self-play: the prover proposes, attempts and learns from its own problems (coming)."""
