#!/bin/bash
# The plain peer: an `xargs -P` loop over OpenSSH, as a good operator writes it.
#
#     bench/peers/loop.sh DIR ARTIFACT VERSION PARALLELISM
#
# DIR is a fleet from bench/lib/fleet.sh (hosts.txt `name port`, fleet.csv for the login user, client_key,
# known_hosts). Each server is upgraded by upgrade-one.sh: one multiplexed SSH connection, three sessions (read
# version, upload, one remote script). The artifact's SHA-256 is computed once, here. Prints one line per server
# `name status detail` (upgraded|skipped|failed) and exits 0 even when servers failed: bench/lib/check.py judges.
set -euo pipefail

if [ $# -ne 4 ]; then echo "usage: $0 DIR ARTIFACT VERSION PARALLELISM" >&2; exit 2; fi
dir=$(cd "$1" && pwd) artifact=$(realpath "$2") version=$3 parallel=$4
here=$(cd "$(dirname "$0")" && pwd)
case $version in *[!A-Za-z0-9._+~-]*|'') echo "bad version: $version" >&2; exit 2;; esac
case $parallel in *[!0-9]*|''|0) echo "bad parallelism: $parallel" >&2; exit 2;; esac
for f in hosts.txt client_key known_hosts; do
    [ -f "$dir/$f" ] || { echo "missing $dir/$f" >&2; exit 2; }
done

# The login user: a third column of hosts.txt if present, else fleet.csv's `user` column, else the caller.
default_user=${FLEET_USER:-}
if [ -z "$default_user" ] && [ -f "$dir/fleet.csv" ]; then
    default_user=$(awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="user") c=i; next} c{print $c; exit}' "$dir/fleet.csv")
fi
default_user=${default_user:-$(id -un)}

ctl=$(mktemp -d /tmp/loopctl.XXXXXX)    # short path: ControlPath must fit in a unix socket name (108 bytes)
cleanup() {
    # upgrade-one.sh closes its own master; this catches any left by an interrupted run.
    for s in "$ctl"/*; do
        [ -S "$s" ] && ssh -F /dev/null -o ControlPath="$s" -O exit 127.0.0.1 >/dev/null 2>&1 || true
    done
    rm -rf "$ctl"
}
trap cleanup EXIT

export FLEET_DIR=$dir ARTIFACT=$artifact VERSION=$version CTL_DIR=$ctl
SHA256=$(sha256sum "$artifact" | cut -d' ' -f1)
export SHA256

awk -v u="$default_user" 'NF>=2 {print $1, $2, (NF>=3 ? $3 : u)}' "$dir/hosts.txt" |
    xargs -P "$parallel" -L 1 "$here/upgrade-one.sh"
