"""The tactic action space: candidate tactics read off a goal's printed text (`space`), with the
heuristic reading of goal text it needs (`goaltext`)."""

from prover.actions.space import (
    CLOSER_ORDER,
    DEFAULT,
    DEFAULT_FAMILIES,
    ActionConfig,
    ActionSpace,
    Context,
    Family,
    Tier,
    candidates,
    ranked,
    read,
)

__all__ = [
    "CLOSER_ORDER", "DEFAULT", "DEFAULT_FAMILIES", "ActionConfig", "ActionSpace", "Context", "Family", "Tier",
    "candidates", "ranked", "read",
]
