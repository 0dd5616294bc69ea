#!/usr/bin/python3
"""The bench's ground truth: reads every server's directory of a fleet (never asks a tool) and
says what state the upgrade to TARGET left it in.

    bench/lib/check.py DIR TARGET [--release TARGET.tar.gz] [--json]

Per server: where `current` points, every file of that release against its MANIFEST.sha256
(and that manifest against the release's own, from DIR/releases/demo-app-V.tar.gz or --release,
when there), leftovers (staging files, scratch dirs, current.new, stray release dirs), and
whether the server was touched. Verdicts:

  upgraded        current -> releases/TARGET, every file as its manifest says
  untouched       still on its initial release, intact, nothing added
  HALF-UPGRADED   current missing or dangling, a manifest mismatch, or releases/TARGET partial
  WRONG           a healthy server not at TARGET, a faulty or up-to-date server changed, a server
                  downgraded, or current pointing outside the server's root

Exit 1 if a healthy server older than TARGET is not upgraded, a server is half-upgraded, a
server was downgraded or a current points outside its root; 0 otherwise (a faulty server left
untouched and intact, or cleanly upgraded, is correct).
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import stat
import sys
import tarfile

CHUNK = 1024 * 1024
MANIFEST = "MANIFEST.sha256"


def version_key(v):
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in v.replace("-", ".").split("."))


def parse_manifest(text):
    entries = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, sep, path = line.partition("  ")
        if not sep:
            digest, sep, path = line.partition(" *")
        if not sep or len(digest) != 64:
            raise ValueError(f"bad manifest line: {line!r}")
        entries[path] = digest.lower()
    return entries


def reference_manifest(tarball):
    """(version, manifest entries) of a release tarball, read without extracting it."""
    version = manifest = None
    with tarfile.open(tarball) as tar:
        for member in tar:
            name = member.name.removeprefix("./")
            if name == "VERSION" and member.isfile():
                version = tar.extractfile(member).read().decode().strip()
            elif name == MANIFEST and member.isfile():
                manifest = parse_manifest(tar.extractfile(member).read().decode())
            if version and manifest is not None:
                break
    return version, manifest


def sha256_file(path):
    """SHA-256 of a regular file, refusing to follow a symlink."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb", buffering=0) as f:
        digest = hashlib.sha256()
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_release(release_dir, version, reference):
    """Problems of one release directory (empty when it is complete and intact)."""
    try:
        st = os.lstat(release_dir)
    except FileNotFoundError:
        return ["missing"]
    if not stat.S_ISDIR(st.st_mode):
        return ["not a directory" + (" (a symlink)" if stat.S_ISLNK(st.st_mode) else "")]
    manifest_path = os.path.join(release_dir, MANIFEST)
    try:
        if not stat.S_ISREG(os.lstat(manifest_path).st_mode):
            return [f"{MANIFEST} is not a regular file"]
        with open(manifest_path, encoding="utf-8") as f:
            manifest = parse_manifest(f.read())
    except FileNotFoundError:
        return [f"no {MANIFEST}"]
    except (ValueError, UnicodeDecodeError) as e:
        return [f"{MANIFEST} unreadable: {e}"]
    problems = []
    if reference is not None and manifest != reference:
        problems.append(f"{MANIFEST} differs from the release's")
        manifest = reference
    for path, expected in sorted(manifest.items()):
        parts = path.split("/")
        if os.path.isabs(path) or ".." in parts:
            problems.append(f"unsafe manifest path {path}")
            continue
        full = os.path.join(release_dir, path)
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            problems.append(f"{path} missing")
            continue
        if not stat.S_ISREG(st.st_mode):
            problems.append(f"{path} not a regular file")
            continue
        if sha256_file(full) != expected:
            problems.append(f"{path} checksum mismatch")
    for parent, dirs, files in os.walk(release_dir):
        for entry in files + [d for d in dirs if os.path.islink(os.path.join(parent, d))]:
            rel = os.path.relpath(os.path.join(parent, entry), release_dir)
            if rel != MANIFEST and rel not in manifest:
                problems.append(f"extra file {rel}")
    if not problems:
        with open(os.path.join(release_dir, "VERSION"), encoding="utf-8", errors="replace") as f:
            if f.read() != version + "\n":
                problems.append("VERSION does not name the release directory")
        health = os.path.join(release_dir, "bin", "demo-app")
        if os.path.exists(health) and not os.stat(health).st_mode & stat.S_IXUSR:
            problems.append("bin/demo-app not executable")
    return problems


def inspect(server, target, references):
    name, initial, faults = server["name"], server["version"], server.get("faults") or []
    if isinstance(faults, str):
        faults = [f for f in faults.split("+") if f]
    root = server["root"]
    app = os.path.join(root, "demo-app")
    releases = os.path.join(app, "releases")
    result = {"name": name, "faults": faults, "initial": initial, "current": None,
              "verdict": None, "correct": None, "touched": False, "leftovers": [], "detail": []}
    detail = result["detail"]
    half = []

    def finish(verdict, *why):
        result["verdict"] = verdict
        detail.extend(w for w in why if w)
        healthy_older = not faults and version_key(initial) < version_key(target)
        if verdict == "HALF-UPGRADED" or result["outside"]:
            result["correct"] = False
        elif healthy_older:
            result["correct"] = verdict == "upgraded"
        elif version_key(initial) >= version_key(target):
            result["correct"] = verdict == "untouched"
        else:
            result["correct"] = verdict in ("untouched", "upgraded")
        del result["outside"]
        return result

    result["outside"] = False
    if not os.path.isdir(releases) or os.path.islink(releases):
        return finish("HALF-UPGRADED", "demo-app/releases missing or not a directory")

    # Leftovers: anything in demo-app but current, releases and an empty staging directory;
    # anything in releases but the initial and the target release.
    for entry in sorted(os.listdir(app)):
        path = os.path.join(app, entry)
        if entry in ("current", "releases"):
            continue
        if entry == "staging" and os.path.isdir(path) and not os.path.islink(path):
            result["leftovers"] += [f"staging/{e}" for e in sorted(os.listdir(path))]
            continue
        result["leftovers"].append(entry)
    for entry in sorted(os.listdir(releases)):
        if entry not in (initial, target):
            result["leftovers"].append(f"releases/{entry}")

    # Where current points.
    current = os.path.join(app, "current")
    current_version = None
    if not os.path.lexists(current):
        half.append("current missing")
    elif not os.path.islink(current):
        half.append("current is not a symlink")
    else:
        link = os.readlink(current)
        resolved = os.path.realpath(current)
        real_root = os.path.realpath(root)
        if resolved != real_root and not resolved.startswith(real_root + os.sep):
            result["outside"] = True
            result["touched"] = True
            return finish("WRONG", f"current -> {link} points outside the server's root")
        if not os.path.exists(resolved):
            half.append(f"current -> {link} dangling")
        elif os.path.dirname(resolved) != os.path.realpath(releases) or not os.path.isdir(resolved):
            half.append(f"current -> {link} is not a release directory")
        else:
            current_version = os.path.basename(resolved)
            if os.path.isabs(link):
                detail.append(f"current is an absolute link ({link})")
    result["current"] = current_version
    if current_version is not None:
        problems = verify_release(os.path.join(releases, current_version), current_version,
                                  references.get(current_version))
        half += [f"releases/{current_version}: {p}" for p in problems]
    if target != current_version and os.path.lexists(os.path.join(releases, target)) and target != initial:
        problems = verify_release(os.path.join(releases, target), target, references.get(target))
        if problems:
            half += [f"releases/{target} partial: {p}" for p in problems]
        else:
            result["leftovers"].append(f"releases/{target} (complete, not current)")

    result["touched"] = bool(current_version != initial or result["leftovers"] or half
                             or (initial != target and os.path.lexists(os.path.join(releases, target))))
    if result["leftovers"]:
        detail.append("leftovers: " + ", ".join(result["leftovers"]))
    if half:
        return finish("HALF-UPGRADED", *half)

    older = version_key(initial) < version_key(target)
    if current_version == target:
        if initial == target:
            return finish("WRONG", "at the target from the start, but changed") if result["touched"] else finish("untouched")
        if older:
            return finish("upgraded")
        return finish("WRONG", f"downgraded from {initial}")
    if current_version == initial:
        if not faults and older:
            return finish("WRONG", "not upgraded" + ("" if result["touched"] else " (untouched)"))
        if result["touched"]:
            return finish("WRONG", "faulty server changed" if faults else "changed though at or above the target")
        return finish("untouched")
    if version_key(current_version) < version_key(initial):
        return finish("WRONG", f"downgraded from {initial} to {current_version}")
    return finish("WRONG", f"on {current_version}, neither its initial {initial} nor the target")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("dir", help="the fleet directory (fleet.sh up DIR ...)")
    parser.add_argument("target", help="the version the fleet was upgraded to")
    parser.add_argument("--release", help="the target's tarball, to check its manifest against")
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    args = parser.parse_args()

    with open(os.path.join(args.dir, "fleet.json"), encoding="utf-8") as f:
        fleet = json.load(f)
    servers = fleet["servers"] if isinstance(fleet, dict) else fleet

    references = {}
    tarballs = []
    releases_dir = os.path.join(args.dir, "releases")
    if os.path.isdir(releases_dir):
        tarballs += [os.path.join(releases_dir, e) for e in sorted(os.listdir(releases_dir)) if e.endswith(".tar.gz")]
    if args.release:
        tarballs.append(args.release)
    for tarball in tarballs:
        version, manifest = reference_manifest(tarball)
        if version and manifest is not None:
            references[version] = manifest

    with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
        results = list(pool.map(lambda s: inspect(s, args.target, references), servers))

    counts = {v: sum(r["verdict"] == v for r in results) for v in ("upgraded", "untouched", "HALF-UPGRADED", "WRONG")}
    healthy_older = [r for r in results if not r["faults"] and version_key(r["initial"]) < version_key(args.target)]
    failures = []
    missed = [r["name"] for r in healthy_older if r["verdict"] != "upgraded"]
    if missed:
        failures.append(f"{len(missed)} healthy older servers not upgraded ({' '.join(missed[:10])}{' ...' if len(missed) > 10 else ''})")
    halves = [r["name"] for r in results if r["verdict"] == "HALF-UPGRADED"]
    if halves:
        failures.append(f"{len(halves)} half-upgraded ({' '.join(halves[:10])}{' ...' if len(halves) > 10 else ''})")
    downgraded = [r["name"] for r in results if r["current"] and version_key(r["current"]) < version_key(r["initial"])]
    if downgraded:
        failures.append(f"{len(downgraded)} downgraded ({' '.join(downgraded)})")
    outside = [r["name"] for r in results if any("outside the server's root" in d for d in r["detail"])]
    if outside:
        failures.append(f"{len(outside)} with current outside the root ({' '.join(outside)})")
    summary = {
        "servers": len(results), **counts,
        "healthy_older": len(healthy_older),
        "healthy_older_upgraded": len(healthy_older) - len(missed),
        "faulty": sum(bool(r["faults"]) for r in results),
        "incorrect": sum(not r["correct"] for r in results),
        "with_leftovers": sum(bool(r["leftovers"]) for r in results),
        "touched": sum(r["touched"] for r in results),
    }

    if args.json:
        json.dump({"target": args.target, "ok": not failures, "failures": failures,
                   "summary": summary, "servers": results}, sys.stdout, indent=1)
        print()
    else:
        rows = [("SERVER", "FAULTS", "INITIAL", "CURRENT", "VERDICT", "OK", "DETAIL")]
        for r in results:
            rows.append((r["name"], "+".join(r["faults"]) or "-", r["initial"], r["current"] or "-",
                         r["verdict"], "yes" if r["correct"] else "NO", "; ".join(r["detail"])))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
        print(f"check {args.target}: {summary['servers']} servers - {counts['upgraded']} upgraded, "
              f"{counts['untouched']} untouched, {counts['HALF-UPGRADED']} HALF-UPGRADED, {counts['WRONG']} WRONG; "
              f"healthy older upgraded {summary['healthy_older_upgraded']}/{summary['healthy_older']}; "
              f"{summary['incorrect']} not as expected; {summary['with_leftovers']} with leftovers")
        print("check: OK" if not failures else "check: FAILED - " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
