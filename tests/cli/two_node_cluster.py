"""A two-node Ray cluster on this machine, `leanzero` commands run on it, one node taken away in each.

Run as a script by tests/cli/test_cluster.py, in its own process: the test session's Ray stays
untouched, and `RAY_TMPDIR` (set by the test) keeps this cluster's files, and its address, out of
/tmp/ray, where a `ray.init()` elsewhere on the machine would find them.

    python two_node_cluster.py SPEC.json

starts a head (1 CPU; the driver's actors reserve none); then for each run of SPEC, `{"runs":
[{"dir", "log", "command"}, ...]}`, in turn: adds a worker node (1 CPU), runs `python -m cli.main
COMMAND... --address HEAD` from the repository, waits until `log` (a JSONL file the command
writes, each line with the `node` that produced it) has lines from both nodes, removes the worker
node, waits for the command to exit, and writes DIR/facts.json: the node ids, the lines of `log`
seen before the removal, when it happened, and the exit code (the command's output is in
DIR/stdout.txt and DIR/stderr.txt).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ray.cluster_utils import Cluster

REPO = Path(__file__).resolve().parents[2]
SPREAD_SECONDS = 45.0  # for lines from both nodes, once the command runs
EXIT_SECONDS = 60.0  # for the command to finish after the removal


def lines(path: Path) -> list[dict]:
    """The whole lines of a JSONL file being written (a last line without its newline is left out)."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text[: text.rfind("\n") + 1].splitlines() if line]


def run(cluster: Cluster, workdir: Path, log: Path, command: list[str]) -> None:
    """One command on the head and a new worker node, which is removed once both nodes wrote to `log`."""
    worker = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    head_id, worker_id = cluster.head_node.node_id, worker.node_id
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # the actors import this checkout, not an installed one
    with open(workdir / "stdout.txt", "w") as out, open(workdir / "stderr.txt", "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "cli.main", *command, "--address", cluster.address],
                                cwd=REPO, env=env, stdout=out, stderr=err)
        try:
            deadline = time.monotonic() + SPREAD_SECONDS
            while proc.poll() is None and time.monotonic() < deadline:
                if {head_id, worker_id} <= {row.get("node") for row in lines(log)}:
                    break
                time.sleep(0.2)
            removed_at = time.time()
            seen = lines(log)
            cluster.remove_node(worker)
            try:
                code: int | None = proc.wait(timeout=EXIT_SECONDS)
            except subprocess.TimeoutExpired:
                code = None
        finally:
            if proc.poll() is None:
                proc.kill()
    facts = {"head": head_id, "worker": worker_id, "removed_at": removed_at, "seen": seen, "code": code}
    (workdir / "facts.json").write_text(json.dumps(facts), encoding="utf-8")


def main(spec: Path) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a test that gives up: clean up below
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        for r in json.loads(spec.read_text(encoding="utf-8"))["runs"]:
            run(cluster, Path(r["dir"]), Path(r["log"]), r["command"])
    finally:
        cluster.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
