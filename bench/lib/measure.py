#!/usr/bin/env python3
"""Runs a command and measures what it cost the controller machine.

    measure.py [--watch PID] [--out FILE.json] -- COMMAND [ARGS...]

- wall: seconds from start to exit of COMMAND.
- cpu: user + system seconds of COMMAND and every process under it, daemonized ones included (this process is their
  subreaper: it samples them, stops what is left when COMMAND exits, and reaps them), plus, with --watch,
  the CPU a long-running process (Fleetup's controller JVM) and its descendants spent meanwhile.
- peak_pss_mb: the highest sum of proportional set sizes over COMMAND's process tree (and the watched tree), sampled
  every 100 ms, so forked helpers (ssh, python, ...) count and shared pages are not counted twice.
- lo_tx_bytes: bytes sent over the loopback interface meanwhile (every byte between controller and servers, once).
"""
import argparse
import ctypes
import json
import resource
import signal
import os
import subprocess
import sys
import threading
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36
LEFTOVER_GRACE_SECONDS = 5


def become_subreaper():
    """Processes that daemonize under the command (ssh ControlPersist masters) re-parent to us: counted, reaped."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_leftovers():
    """Stops what the command left running (our own descendants only), and waits for it, so its CPU is counted."""
    deadline = time.monotonic() + LEFTOVER_GRACE_SECONDS
    signalled = False
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        left = [p for p in descendants(os.getpid(), children_map()) if p != os.getpid()]
        if not left:
            return
        if not signalled or time.monotonic() > deadline:
            for leftover in left:
                try:
                    os.kill(leftover, signal.SIGTERM if not signalled else signal.SIGKILL)
                except ProcessLookupError:
                    pass
            signalled = True
            deadline = time.monotonic() + LEFTOVER_GRACE_SECONDS
        time.sleep(0.05)


def children_map():
    """Parent pid -> child pids, for every process now."""
    tree = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            tree.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError):
            continue
    return tree


def descendants(root, tree):
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid):
    """utime + stime of a live process (all its threads), 0 when gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError):
        return 0.0


def lo_tx_bytes():
    with open("/proc/net/dev") as dev:
        for line in dev:
            name, _, data = line.partition(":")
            if name.strip() == "lo":
                return int(data.split()[8])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--watch", type=int, help="a long-running process whose tree is measured too")
    parser.add_argument("--out", help="write the figures as JSON here")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")

    watched_before = {}
    if args.watch:
        for pid in descendants(args.watch, children_map()):
            watched_before[pid] = cpu_seconds(pid)
    become_subreaper()
    lo_before = lo_tx_bytes()
    start = time.monotonic()
    process = subprocess.Popen(command)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            tree = children_map()
            pids = [pid for pid in descendants(os.getpid(), tree) if pid != os.getpid()]
            if args.watch:
                pids += descendants(args.watch, tree)
            peak[0] = max(peak[0], sum(pss_kb(pid) for pid in set(pids)))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, _ = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    done.set()
    sampler.join()
    reap_leftovers()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    if args.watch:
        for pid in descendants(args.watch, children_map()):
            cpu += cpu_seconds(pid) - watched_before.get(pid, 0.0)
    figures = {
        "command": command,
        "exit": os.waitstatus_to_exitcode(status),
        "wall": round(wall, 3),
        "cpu": round(cpu, 3),
        "peak_pss_mb": round(peak[0] / 1024, 1),
        "lo_tx_bytes": lo_tx_bytes() - lo_before,
    }
    if args.out:
        with open(args.out, "w") as out:
            json.dump(figures, out)
    print(json.dumps(figures), file=sys.stderr)
    return figures["exit"]


if __name__ == "__main__":
    sys.exit(main())
