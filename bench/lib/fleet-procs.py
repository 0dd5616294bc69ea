#!/usr/bin/python3
"""The processes of a bench fleet, for fleet.sh (reads /proc; kills nothing itself).

    fleet-procs.py list DIR USER   the fleet's pids: each sshd and relay of DIR by its pid file
                                   (checked against its command line), their descendants (the
                                   sshd of each connection and its session), and USER's
                                   processes whose HOME is a server root of DIR
    fleet-procs.py alive PID...    those still running (a zombie is not)
    fleet-procs.py present PID...  those still in the process table (zombies included)
"""
import glob
import os
import pwd
import re
import sys


def stat_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = data[data.rindex(")") + 2:].split()
    return fields[0], int(fields[1])  # state, ppid


def list_fleet(directory, user):
    directory = os.path.realpath(directory)
    roots = set()
    for pidfile in glob.glob(os.path.join(directory, "hosts", "*", "*.pid")):
        try:
            with open(pidfile) as f:
                pid = int(f.read().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        if os.path.dirname(pidfile) + "/" in cmdline:
            roots.add(pid)
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        uid = None
    home = re.compile(rb"(?:^|\0)HOME=" + re.escape(os.path.join(directory, "hosts").encode()) + rb"/s\d{3,4}/root\0")
    children = {}
    found = set(roots)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        st = stat_of(pid)
        if st is None:
            continue
        children.setdefault(st[1], []).append(pid)
        try:
            if uid is not None and os.stat(f"/proc/{pid}").st_uid == uid:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if home.search(f.read() + b"\0"):
                        found.add(pid)
        except OSError:
            pass
    queue = list(roots)
    while queue:
        for child in children.get(queue.pop(), []):
            if child not in found:
                found.add(child)
                queue.append(child)
    return sorted(found)


def main(argv):
    if len(argv) == 4 and argv[1] == "list":
        pids = list_fleet(argv[2], argv[3])
    elif len(argv) >= 2 and argv[1] in ("alive", "present"):
        pids = []
        for pid in map(int, argv[2:]):
            st = stat_of(pid)
            if st is not None and (argv[1] == "present" or st[0] != "Z"):
                pids.append(pid)
    else:
        sys.exit(__doc__)
    for pid in pids:
        print(pid)


if __name__ == "__main__":
    main(sys.argv)
