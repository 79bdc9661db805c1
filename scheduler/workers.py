"""Who holds a claimed reminder: a worker name that says host and process, and whether it died.

A claim names its worker "host:pid:marker:random". The marker says which process that pid
was: the kernel's boot id, the pid namespace and the process's start time (Linux's /proc).
A process on the same host, in the same pid namespace, can then tell that the holder is gone
(no such pid, or the pid now belongs to a later process) and take its claims back at once
instead of waiting for the lease to run out. Where the marker cannot be read (no /proc), or
the holder runs elsewhere, only the lease frees a dead process's claims.
"""

from __future__ import annotations

import os
import random
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROC = Path("/proc")
UNKNOWN = "-"


@dataclass(frozen=True, slots=True)
class Worker:
    host: str
    pid: int
    marker: str  # boot id, pid namespace and start time; UNKNOWN where none can be read
    tag: str  # tells apart dispatchers of one process

    @property
    def name(self) -> str:
        return f"{self.host}:{self.pid}:{self.marker}:{self.tag}"

    @classmethod
    def parse(cls, name: str) -> Worker | None:
        """The worker a claim names, or None for a name of another form."""
        parts = name.split(":")
        if len(parts) != 4 or not parts[1].isdigit():
            return None
        host, pid, marker, tag = parts
        return cls(host, int(pid), marker, tag)


def this_worker() -> Worker:
    """A new worker name for a dispatcher of this process."""
    pid = os.getpid()
    return Worker(socket.gethostname(), pid, process_marker(pid), f"{random.randrange(16**6):06x}")


def process_marker(pid: int, proc: Path = PROC) -> str:
    """ "boot.pidns.start" for `pid` as this process sees it, or UNKNOWN."""
    machine = _machine(proc)
    start = _start_time(pid, proc)
    if machine is None or start is None:
        return UNKNOWN
    return f"{machine}.{start}"


def is_gone(holder: Worker, me: Worker, proc: Path = PROC) -> bool:
    """True only when `holder` surely died: same host, same kernel and pid namespace as `me`,
    and its pid is free or now another process's. Unsure means alive (the lease decides)."""
    if holder.host != me.host or holder.marker == UNKNOWN or me.marker == UNKNOWN:
        return False
    machine, _, _ = holder.marker.rpartition(".")
    mine, _, _ = me.marker.rpartition(".")
    if machine != mine:  # another boot, or another pid namespace: its pids mean nothing here
        return False
    if holder.pid == me.pid:
        return holder.marker != me.marker
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a process of another user: its /proc entry may be hidden
        start = _start_time(holder.pid, proc)
        return start is not None and f"{machine}.{start}" != holder.marker
    start = _start_time(holder.pid, proc)  # None: it exited and waits to be reaped
    return start is None or f"{machine}.{start}" != holder.marker


@cache
def _machine(proc: Path) -> str | None:
    """This kernel's boot and this pid namespace: where a pid names the same process."""
    try:
        boot = (proc / "sys/kernel/random/boot_id").read_text().strip()[:8]
        namespace = os.readlink(proc / "self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return None
    digits = "".join(ch for ch in namespace if ch.isdigit())
    if not boot or not digits:
        return None
    return f"{boot}.{digits}"


def _start_time(pid: int, proc: Path) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat);
    None for no such process, or one that has exited and waits to be reaped (a zombie)."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or parentheses.
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) <= 19 or fields[0] in ("Z", "X"):
        return None
    return fields[19]
