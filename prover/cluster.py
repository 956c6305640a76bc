"""Ray helpers shared by evaluation (`prover.evaluate.pool`) and self-play (`selfplay`): where
this process runs, which nodes are alive, and the cause line of a Ray error. Ray is imported
only when they are called."""

from __future__ import annotations


def this_node() -> str:
    """The id of the Ray node this process (a driver or an actor) runs on."""
    import ray

    return ray.get_runtime_context().get_node_id()


def alive_nodes() -> set[str]:
    """The ids of the cluster's nodes that Ray holds alive now."""
    import ray

    return {n["NodeID"] for n in ray.nodes() if n["Alive"]}


def last_line(error: Exception) -> str:
    """The cause in a Ray error: the last line of its (traceback-laden) message."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__
