"""CPU seconds spent by a process tree, read from /proc: what a request or a message costs."""

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _times(pid: int) -> float:
    """utime + stime of the process (all its threads) + cutime + cstime of children it reaped."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()  # the name may hold spaces; field 3 on
    return sum(int(value) for value in fields[11:15]) / TICKS


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def tree_cpu_seconds(pid: int) -> float:
    """A process and its live descendants, plus what its reaped children spent.

    A gunicorn worker recycled between two readings is counted in the master's cutime by the
    second one, so the difference stays right.
    """
    try:
        return _times(pid) + sum(tree_cpu_seconds(child) for child in _children(pid))
    except (FileNotFoundError, ProcessLookupError):
        return 0.0  # ended between the listing and the reading; its parent's cutime has it


def postgres_cpu_seconds() -> float:
    """Every PostgreSQL server process on this machine (other databases on it included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                total += _times(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total
