"""A stand-in for the Lean REPL process: JSON requests on stdin, JSON answers on stdout, each
followed by a blank line, as the REPL does. Run as `python fake_repl.py SCRIPT.json`.

Script keys:
- `replays`: `{name: [[request, answer_text], ...]}`: after the request `{"cmd": "fake: replay
  NAME"}`, answer the recorded requests of NAME in order, each with its recorded text (a request
  that differs gets `{"message": "fake: expected ..."}`); `replay`: NAME: replay NAME from the
  first request on, with no `fake: replay` command (a recorded session, as it was sent);
- `commands`: `{cmd: answer}` and `goals`: `{goal: {tactic: outcome}}`: a small REPL. A command
  answer's sorries get fresh proof state ids; a tactic runs on the goal the `protocol.focused`
  wrapper chose (Lean's `rotate_left`/`focus`/`all_goals skip` semantics). An outcome is a list
  of new goals (an entry `?w := t` assigns: the goal tagged `w` goes, `?w` becomes `t`
  elsewhere), `"error: msg"` (a Lean error), `{"messages": [...]}` (an answer with those
  messages and no goals), `"sleep"` (never answers), `{"first": o1, "then": o2}` (o1 the
  first time over all processes of this script, o2 afterwards), `"crash"` (exits), `"crash once"` (exits
  the first time only, over all processes of this script; the next answer is then the
  script's `after_crash[tactic]`); a command answer `"sleep"` never comes either;
- the backend's own commands: the heartbeat budget tactic's definition succeeds (fails with
  `no_budget`); a tactic wrapped in `leanzero_budget N in (t)` runs `t`, and an outcome
  `"heartbeats"` answers Lean's heartbeat error; `#check @NAME` answers `checks[cmd]` for the
  command `cmd` that made its environment (default `NAME : fake type`);
- `log`: a file that gets every request, one JSON line each; `pids`: a file that gets this
  process's pid; `child`: start a `sleep` child (its pid goes to `pids` too), to check that
  the whole process group is killed.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

WRAPPED = re.compile(r"^\((?:rotate_left (\d+); )?\(focus \((.*)\)\); all_goals skip\)$", re.DOTALL)
BUDGETED = re.compile(r"^leanzero_budget (\d+) in \((.*)\)$", re.DOTALL)
HEARTBEATS = ("Lean error:\n(deterministic) timeout at `whnf`, maximum number of heartbeats ({n}) has been reached\n"
              "Use `set_option maxHeartbeats <num>` to set the limit.")
WARNING = {"severity": "warning", "pos": {"line": 1, "column": 8}, "endPos": {"line": 1, "column": 9},
           "data": "declaration uses `sorry`"}


def requests(stream):
    lines: list[str] = []
    for line in stream:
        if line.strip():
            lines.append(line)
        elif lines:
            yield json.loads("".join(lines))
            lines = []


def answer(obj) -> None:
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, indent=1)
    sys.stdout.write(text.strip() + "\n\n")
    sys.stdout.flush()


class Repl:
    def __init__(self, script: dict, path: Path) -> None:
        self.script, self.path = script, path
        self.states: list[list[str]] = []
        self.envs = 0
        self.origins: dict[int, str] = {}  # env id -> the command that made it

    def command(self, request: dict):
        cmd = request["cmd"]
        spec = self.script.get("commands", {}).get(cmd)
        if spec is None and "leanzero_budget" in cmd:
            spec = {"messages": [{"severity": "error", "pos": {"line": 1, "column": 0}, "endPos": None,
                                  "data": "unknown namespace 'Lean'"}]} if self.script.get("no_budget") else {}
        if spec is None and cmd.startswith("#check @"):
            origin = self.origins.get(request.get("env", -1), "")
            data = self.script.get("checks", {}).get(origin, f"{cmd.removeprefix('#check @')} : fake type")
            spec = {"messages": [{"severity": "info", "pos": {"line": 1, "column": 0}, "endPos": None, "data": data}]}
        if spec == "sleep":
            time.sleep(3600)
        if spec is None:
            spec = {"messages": [{"severity": "error", "pos": {"line": 1, "column": 0},
                                  "endPos": {"line": 1, "column": 1}, "data": f"fake: no rule for {request['cmd']!r}"}]}
        out = json.loads(json.dumps(spec))
        for sorry in out.get("sorries", []):
            sorry["proofState"] = self.new_state([sorry["goal"]])
            out.setdefault("messages", [WARNING])
        out["env"] = self.envs
        self.origins[self.envs] = cmd
        self.envs += 1
        return out

    def new_state(self, goals: list[str]) -> int:
        self.states.append(goals)
        return len(self.states) - 1

    def tactic(self, request: dict):
        pid = request["proofState"]
        if not 0 <= pid < len(self.states):
            return {"message": "Unknown proof state."}
        goals, text = self.states[pid], request["tactic"]
        m = WRAPPED.match(text)
        index, tactic = (int(m.group(1) or 0), m.group(2)) if m else (0, text)
        budgeted = BUDGETED.match(tactic)
        if budgeted:
            tactic = budgeted.group(2)
        target = goals[index]
        rules = self.script.get("goals", {})
        rule = rules.get(target)
        if rule is None and target.startswith("case "):
            rule = rules.get(target.split("\n", 1)[1])
        outcome = (rule or {}).get(tactic)
        if outcome is None:
            return {"message": f"Lean error:\nfake: no rule for {tactic!r} on {target!r}"}
        if outcome == "sleep":
            time.sleep(3600)
        if outcome == "heartbeats":
            return {"message": HEARTBEATS.format(n=int(budgeted.group(1)) // 1000 if budgeted else 200)}
        if outcome == "crash" or (outcome == "crash once" and self.first_crash(tactic)):
            os._exit(3)
        if outcome == "crash once":
            outcome = self.script["after_crash"][tactic]
        if isinstance(outcome, dict) and "first" in outcome:  # one answer in the first process, another later
            outcome = outcome["first"] if self.first_crash("first " + tactic) else outcome["then"]
        if isinstance(outcome, str):
            return {"message": "Lean error:\n" + outcome.removeprefix("error: ")}
        if isinstance(outcome, dict):
            return {
                "proofStatus": "Incomplete: contains sorry", "proofState": self.new_state([]), "goals": [], **outcome
            }
        new = [g for g in outcome if not (g.startswith("?") and " := " in g)]
        rest = (goals[index:] + goals[:index])[1:]
        result = new + rest
        for assignment in (g for g in outcome if g not in new):
            name, value = assignment[1:].split(" := ", 1)
            result = [g.replace(f"?{name}", value) for g in result if not g.startswith(f"case {name}\n")]
        status = "Incomplete: open goals remain" if result else "Completed"
        return {"proofStatus": status, "proofState": self.new_state(result), "goals": result}

    def first_crash(self, tactic: str) -> bool:
        import hashlib

        marker = self.path.with_suffix(f".crashed-{hashlib.md5(tactic.encode()).hexdigest()[:8]}")
        if marker.exists():
            return False
        marker.write_text("1")
        return True


def main() -> None:
    path = Path(sys.argv[1])
    script = json.loads(path.read_text(encoding="utf-8"))
    with open(script["pids"], "a") if script.get("pids") else open(os.devnull, "w") as pids:
        pids.write(f"repl {os.getpid()}\n")
        if script.get("child"):
            import subprocess

            child = subprocess.Popen(["sleep", "600"])
            pids.write(f"child {child.pid}\n")
    log = open(script["log"], "a", encoding="utf-8") if script.get("log") else None
    replay: list = list(script["replays"][script["replay"]]) if "replay" in script else []
    repl = Repl(script, path)
    for request in requests(sys.stdin):
        if log:
            log.write(json.dumps(request, ensure_ascii=False) + "\n")
            log.flush()
        if "replays" in script:
            if request.get("cmd", "").startswith("fake: replay "):
                replay = list(script["replays"][request["cmd"].removeprefix("fake: replay ")])
                answer({"env": 0})
                continue
            expected, text = replay.pop(0) if replay else (None, "")
            answer(text if request == expected else {"message": f"fake: expected {expected!r}, got {request!r}"})
        elif "cmd" in request:
            answer(repl.command(request))
        else:
            answer(repl.tactic(request))


if __name__ == "__main__":
    main()
