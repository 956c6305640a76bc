"""The prover: what turns search into learning, by concern.

- `actions/`: the action space (candidate tactics read off a goal's text);
- `net/`: the policy/value network, its tokenizer, inference, training and checkpoints (the
  only importer of torch);
- `evaluate/`: evaluation runs (miniF2F and statement files) and their reports;
- `storage`: atomic writes and append-only JSON-lines logs (also used by `selfplay`).

It imports `lean_env` and `search`, never `selfplay` or the CLI.
"""
