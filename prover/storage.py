"""Durable files: atomic whole-file writes and append-only JSON-lines logs.

Nothing found may be lost: whole-file writes go to a temp file in the same directory that is
fsynced and then renamed over the target (`atomic_path`, `atomic_write_json`); a `JsonLog` line
is flushed and fsynced before `append` returns. A crash mid-append leaves at most one torn last
line; it was never acknowledged, so readers skip it (with a warning) and the next append cuts it
off. Logs assume one writer. Used by checkpoints, evaluation results and self-play runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

__all__ = ["JsonLog", "LogError", "atomic_path", "atomic_write_json"]


# ------------------------------------------------------------------ atomic writes


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be fsynced
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temp path next to `path`; once the body has written it, fsync it and rename it
    over `path`. On an exception the temp file is removed and `path` is untouched."""
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def atomic_write_json(path: str | Path, obj: object) -> None:
    """Write `obj` as indented JSON to `path` atomically."""
    text = json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ append-only JSON lines


class LogError(ValueError):
    """A log line that is corrupt and not the torn last line; the message starts `path:line:`."""


class JsonLog:
    """An append-only JSON-lines file (see the module docstring); subclasses name their entries."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._checked_tail = False

    def _append(self, entry: dict) -> None:
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        created = not self.path.exists()
        if not self._checked_tail and not created:
            self._cut_torn_tail()
        self._checked_tail = True
        with open(self.path, "ab") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        if created:
            _fsync_dir(self.path.parent)

    def _cut_torn_tail(self) -> None:
        """Drop an unfinished last line (a crash mid-write) so new lines start on a fresh one."""
        with open(self.path, "rb+") as f:
            size = f.seek(0, os.SEEK_END)
            if size == 0:
                return
            f.seek(size - 1)
            if f.read(1) == b"\n":
                return
            keep, pos = 0, size
            while pos > 0:  # find the last newline, reading backwards in blocks
                step = min(65536, pos)
                pos -= step
                f.seek(pos)
                i = f.read(step).rfind(b"\n")
                if i >= 0:
                    keep = pos + i + 1
                    break
            warnings.warn(f"{self.path}: cutting off a torn last line ({size - keep} bytes) before appending",
                          stacklevel=3)
            f.truncate(keep)
            f.flush()
            os.fsync(f.fileno())

    def read(self) -> list[dict]:
        """All entries, in order; [] when there is no file. A torn last line is skipped with a
        warning; a corrupt line anywhere else raises LogError."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        torn_allowed = not data.endswith(b"\n")  # the last piece was never finished
        out: list[dict] = []
        for i, raw in enumerate(lines):
            if not raw.strip():
                continue
            last = i == len(lines) - 1
            try:
                entry = json.loads(raw.decode("utf-8"))
                if not isinstance(entry, dict):
                    raise ValueError("not a JSON object")
            except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                if last and torn_allowed:
                    warnings.warn(f"{self.path}:{i + 1}: skipping a torn last line ({len(raw)} bytes)", stacklevel=2)
                    continue
                raise LogError(f"{self.path}:{i + 1}: corrupt log line ({e})") from e
            out.append(entry)
        return out
