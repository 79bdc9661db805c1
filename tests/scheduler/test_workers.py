"""Worker names and telling a dead claim holder from a live one, on this machine's /proc."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest

from scheduler.workers import UNKNOWN, Worker, is_gone, process_marker, this_worker

pytestmark = pytest.mark.skipif(process_marker(os.getpid()) == UNKNOWN, reason="no /proc here")


def test_a_name_says_host_pid_and_which_process_that_pid_was() -> None:
    me = this_worker()
    assert Worker.parse(me.name) == me
    assert me.pid == os.getpid() and me.marker == process_marker(os.getpid())
    assert Worker.parse("host:123:random") is None  # an older name: only its lease frees it
    assert Worker.parse("test") is None


def test_the_living_are_not_gone() -> None:
    me = this_worker()
    assert not is_gone(replace(me, tag="other"), me)  # another dispatcher of this process
    parent = Worker(me.host, os.getppid(), process_marker(os.getppid()), "x")
    assert not is_gone(parent, me)


def test_an_exited_process_or_a_reused_pid_is_gone() -> None:
    me = this_worker()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    held = Worker(me.host, child.pid, process_marker(child.pid), "x")
    assert not is_gone(held, me)
    child.kill()
    child.wait()
    assert is_gone(held, me)
    # The pid is taken by another process (here: ours, as after a container restart).
    machine = me.marker.rpartition(".")[0]
    assert is_gone(replace(me, marker=f"{machine}.1", tag="x"), me)
    parent = Worker(me.host, os.getppid(), f"{machine}.1", "x")
    assert is_gone(parent, me)


def test_what_cannot_be_seen_from_here_is_left_to_the_lease() -> None:
    me = this_worker()
    dead_pid = 2**22 + 12345  # above any pid the kernel hands out by default
    here = me.marker.rpartition(".")[0]
    assert is_gone(Worker(me.host, dead_pid, f"{here}.1", "x"), me)
    assert not is_gone(Worker("another-host", dead_pid, f"{here}.1", "x"), me)
    assert not is_gone(Worker(me.host, dead_pid, UNKNOWN, "x"), me)
    assert not is_gone(Worker(me.host, dead_pid, "0badb00t.4026531836.1", "x"), me)
