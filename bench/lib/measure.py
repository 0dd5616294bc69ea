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
- tcp_retransmitted_segments: TCP segments the machine sent again meanwhile (all of its connections), whose bytes
  lo_tx_bytes and per_server count twice.
- per_server (with --ports FILE, lines `NAME PORT`, e.g. a fleet's hosts.txt): each server's bytes meanwhile, counted
  by the kernel (nftables, one counter per port and direction): `to` the bytes of every packet sent to the server's
  port (`to_packets` how many packets), `from` those it sent back; IP and TCP headers included, as in lo_tx_bytes,
  nothing else that runs counted;
  `connections` the TCP connections opened to it (SYNs sent, a retransmitted SYN counted again).
  Needs nft (bench/setup installs it); without it, per_server is null.
- servers_cpu (with --servers DIR, a fleet from fleet.sh): the CPU the servers' side spent meanwhile, which shares the
  machine's cores with the controller: the fleet's sshd listeners are moved into a cpuacct control group of this
  run's own for the run, so every session process, shell and command they fork counts, ended or not (cgroup v1's
  cpuacct.usage; null where that hierarchy is not there or not writable). They are moved back at the end.
- servers_processes (with --servers and --processes): the processes the servers' side started meanwhile, from the
  kernel's sched_process_fork and sched_process_exec tracepoints (perf record, every CPU): `forks` the processes the
  fleet's sshd listeners and their descendants forked (sessions, privilege separation, shells, subshells, commands),
  `execs` the programs they executed, by name. On a machine where a process is dear this is what the servers' side
  costs beside its bytes. Needs perf (bench/setup installs it); null without it. Not for timed runs: it adds little,
  but the figures of a run with it are not compared with those without.
- io_stall_seconds: the seconds in which some task of the machine waited for its disk meanwhile (the kernel's pressure
  stall information, /proc/pressure/io "some"), and dirtied_mb: the file data the machine wrote meanwhile (/proc/vmstat
  nr_dirtied). The fleet's servers all write to this machine's one disk, where real servers each have their own: a
  figure that grows faster than the fleet is the bench's disk, not the tool. Null where the kernel has no such file.
- threads (with --watch): the watched process's CPU meanwhile by thread, names with their digits taken out so that a
  pool counts as one (JIT compilers, the collector, the SSH and Camel pools); threads are read every 100 ms, so one
  that ended meanwhile counts up to its last reading, and `(unseen)` is the rest: what the watched process spent
  that no reading saw.
"""
import argparse
import atexit
import ctypes
import json
import shutil
import resource
import signal
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

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


CPUACCT = Path("/sys/fs/cgroup/cpuacct")


class ServersCpu:
    """A cpuacct control group holding a fleet's sshd listeners, and so whatever they fork from now on."""

    def __init__(self, fleet):
        self.group = CPUACCT / f"fleetup-bench-{os.getpid()}"
        self.pids = server_listeners(fleet)
        self.group.mkdir()
        for pid in self.pids:
            try:
                (self.group / "cgroup.procs").write_text(f"{pid}\n")
            except OSError:
                pass  # gone already
        self.before = self.usage()

    def usage(self):
        return int((self.group / "cpuacct.usage").read_text()) / 1e9

    def spent(self):
        return round(self.usage() - self.before, 3)

    def close(self):
        for _ in range(50):
            left = (self.group / "cgroup.procs").read_text().split()
            for pid in left:
                try:
                    (CPUACCT / "cgroup.procs").write_text(f"{pid}\n")
                except OSError:
                    pass
            try:
                self.group.rmdir()
                return
            except OSError:
                time.sleep(0.1)

    @staticmethod
    def available():
        return os.access(CPUACCT, os.W_OK) and (CPUACCT / "cpuacct.usage").exists()


def server_listeners(fleet):
    """The pids of a fleet's sshd listeners, from their pid files."""
    pids = []
    for pid_file in Path(fleet).glob("hosts/*/sshd.pid"):
        try:
            pids.append(int(pid_file.read_text().split()[0]))
        except (OSError, ValueError, IndexError):
            pass
    return pids


class ServerProcesses:
    """Counts what a fleet's sshd listeners fork and execute, from the kernel's tracepoints, while it is open."""

    FORK = re.compile(r"sched_process_fork: comm=.* pid=(\d+) child_comm=.* child_pid=(\d+)")
    EXEC = re.compile(r"sched_process_exec: filename=(\S+) pid=(\d+)")

    def __init__(self, fleet, data):
        self.listeners = set(server_listeners(fleet))
        self.data = data
        self.recorder = subprocess.Popen(["perf", "record", "-q", "-a", "-o", str(data),
                                          "-e", "sched:sched_process_fork", "-e", "sched:sched_process_exec"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # perf writes its header once it records: until then a fork would be missed
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (not Path(data).exists() or Path(data).stat().st_size == 0):
            time.sleep(0.05)

    def counted(self):
        """{"forks": n, "execs": {program: n}} of the servers' side since it opened; it stops recording."""
        if self.recorder.poll() is None:
            self.recorder.send_signal(signal.SIGINT)
            self.recorder.wait(timeout=60)
        script = subprocess.run(["perf", "script", "-i", str(self.data), "-F", "event,trace"],
                                capture_output=True, text=True)
        ours = set(self.listeners)
        forks = 0
        execs = {}
        for line in script.stdout.splitlines():
            fork = self.FORK.search(line)
            if fork and int(fork.group(1)) in ours:
                ours.add(int(fork.group(2)))
                forks += 1
                continue
            executed = self.EXEC.search(line)
            if executed and int(executed.group(2)) in ours:
                name = os.path.basename(executed.group(1))
                execs[name] = execs.get(name, 0) + 1
        return {"forks": forks, "execs": dict(sorted(execs.items(), key=lambda item: -item[1]))}

    def close(self):
        if self.recorder.poll() is None:
            self.recorder.kill()
            self.recorder.wait()
        Path(self.data).unlink(missing_ok=True)


def thread_cpu(pid, seen=None):
    """{thread id: (name without digits, CPU seconds)} of a live process's threads now, merged into seen."""
    seen = {} if seen is None else seen
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return seen
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = re.sub(r"[0-9]+", "", text[text.index("(") + 1:text.rindex(")")]) or "?"
        fields = text.rsplit(")", 1)[1].split()
        seen[tid] = (name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return seen


def io_stall_seconds():
    """Seconds since boot in which some task waited for I/O, or None without pressure stall information."""
    try:
        for line in Path("/proc/pressure/io").read_text().splitlines():
            if line.startswith("some "):
                return int(line.rsplit("total=", 1)[1]) / 1e6
    except (OSError, ValueError, IndexError):
        pass
    return None


def dirtied_pages():
    """Pages of file data dirtied since boot (/proc/vmstat nr_dirtied), or None."""
    try:
        for line in Path("/proc/vmstat").read_text().splitlines():
            name, value = line.split()
            if name == "nr_dirtied":
                return int(value)
    except (OSError, ValueError):
        pass
    return None


def lo_tx_bytes():
    with open("/proc/net/dev") as dev:
        for line in dev:
            name, _, data = line.partition(":")
            if name.strip() == "lo":
                return int(data.split()[8])
    return 0


class PortCounters:
    """An nftables table of this process's own: one counter per server port, for packets to it and from it."""

    def __init__(self, ports_file):
        self.names = {}
        with open(ports_file) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 2:
                    self.names[int(fields[1])] = fields[0]
        self.table = f"fleetup_bench_{os.getpid()}"
        ports = ", ".join(str(port) for port in self.names)
        # Output hook: on loopback every packet passes it once, as it passes lo's tx count once.
        subprocess.run(["nft", "-f", "-"], text=True, check=True, input=f"""table inet {self.table} {{
            set to {{ type inet_service; counter; elements = {{ {ports} }} }}
            set from {{ type inet_service; counter; elements = {{ {ports} }} }}
            set opened {{ type inet_service; counter; elements = {{ {ports} }} }}
            chain out {{
                type filter hook output priority 0; policy accept;
                ip daddr 127.0.0.1 tcp dport @to
                ip saddr 127.0.0.1 tcp sport @from
                ip daddr 127.0.0.1 tcp flags & (syn | ack) == syn tcp dport @opened
            }}
        }}""")

    def read(self):
        """{name: {"to": bytes, "to_packets": packets, "from": bytes, "connections": TCP connections opened to it}}"""
        counts = {name: {"to": 0, "to_packets": 0, "from": 0, "connections": 0} for name in self.names.values()}
        listing = json.loads(subprocess.run(["nft", "-j", "list", "table", "inet", self.table], text=True, check=True,
                                            capture_output=True).stdout)
        for item in listing["nftables"]:
            found = item.get("set")
            if not found or found["name"] not in ("to", "from", "opened"):
                continue
            for element in found.get("elem", []):
                entry = element["elem"]
                count = counts[self.names[int(entry["val"])]]
                if found["name"] == "opened":
                    count["connections"] = entry["counter"]["packets"]
                else:
                    count[found["name"]] = entry["counter"]["bytes"]
                if found["name"] == "to":
                    count["to_packets"] = entry["counter"]["packets"]
        return counts

    def close(self):
        subprocess.run(["nft", "delete", "table", "inet", self.table], check=False)


def tcp_retransmitted_segments():
    """The machine's TCP segments sent again since boot (/proc/net/snmp): every one of them is counted in the bytes."""
    with open("/proc/net/snmp") as snmp:
        header, values = [line.split() for line in snmp if line.startswith("Tcp:")][:2]
    return int(values[header.index("RetransSegs")])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--watch", type=int, help="a long-running process whose tree is measured too")
    parser.add_argument("--out", help="write the figures as JSON here")
    parser.add_argument("--ports", help="count each server's bytes: a file of lines NAME PORT (a fleet's hosts.txt)")
    parser.add_argument("--servers", help="a fleet's directory: count its servers' CPU too")
    parser.add_argument("--processes", action="store_true",
                        help="with --servers: count the processes the servers' side forks and the programs it runs")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")

    watched_before = {}
    threads_before = {}
    if args.watch:
        for pid in descendants(args.watch, children_map()):
            watched_before[pid] = cpu_seconds(pid)
        threads_before = thread_cpu(args.watch)
    threads_seen = dict(threads_before)
    servers = ServersCpu(args.servers) if args.servers and ServersCpu.available() else None
    if servers:
        atexit.register(servers.close)
    processes = None
    if args.processes and args.servers and shutil.which("perf"):
        processes = ServerProcesses(args.servers, Path(args.out or "measure").with_suffix(".perf"))
        atexit.register(processes.close)
    become_subreaper()
    counters = PortCounters(args.ports) if args.ports and shutil.which("nft") else None
    if counters:
        atexit.register(counters.close)
    stalled_before, dirtied_before = io_stall_seconds(), dirtied_pages()
    lo_before = lo_tx_bytes()
    retransmitted_before = tcp_retransmitted_segments()
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
            if args.watch:
                thread_cpu(args.watch, threads_seen)
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
    threads = None
    if args.watch:
        watched_cpu = cpu_seconds(args.watch) - watched_before.get(args.watch, 0.0)
        thread_cpu(args.watch, threads_seen)
        spent = {}
        for tid, (name, seconds) in threads_seen.items():
            spent[name] = spent.get(name, 0.0) + seconds - threads_before.get(tid, (name, 0.0))[1]
        threads = {name: round(seconds, 2) for name, seconds in spent.items() if seconds >= 0.005}
        threads["(unseen)"] = round(watched_cpu - sum(spent.values()), 2)
        threads = dict(sorted(threads.items(), key=lambda item: -item[1]))
        for pid in descendants(args.watch, children_map()):
            cpu += cpu_seconds(pid) - watched_before.get(pid, 0.0)
    servers_cpu = servers.spent() if servers else None
    servers_processes = processes.counted() if processes else None
    per_server = None
    if counters:
        per_server = counters.read()
    figures = {
        "command": command,
        "exit": os.waitstatus_to_exitcode(status),
        "wall": round(wall, 3),
        "cpu": round(cpu, 3),
        "peak_pss_mb": round(peak[0] / 1024, 1),
        "lo_tx_bytes": lo_tx_bytes() - lo_before,
        "tcp_retransmitted_segments": tcp_retransmitted_segments() - retransmitted_before,
        "per_server": per_server,
        "servers_cpu": servers_cpu,
        "servers_processes": servers_processes,
        "io_stall_seconds": round(io_stall_seconds() - stalled_before, 1) if stalled_before is not None else None,
        "dirtied_mb": round((dirtied_pages() - dirtied_before) * os.sysconf("SC_PAGE_SIZE") / 2**20)
        if dirtied_before is not None else None,
        "threads": threads,
    }
    if args.out:
        with open(args.out, "w") as out:
            json.dump(figures, out)
    print(json.dumps({k: v for k, v in figures.items() if k not in ("per_server", "threads", "servers_processes")}),
          file=sys.stderr)
    return figures["exit"]


if __name__ == "__main__":
    sys.exit(main())
