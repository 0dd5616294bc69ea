#!/usr/bin/env bash
# The pull benchmark: how many agent checks per second one controller serves. A fresh Fleetup (the distribution, as
# operators run it) on free loopback ports; N lightweight stand-in agents (bench/pull/CheckLoad.java: a MAC and a
# version each, no install) check its patch server over HTTP: first every agent once (its registration), then, with
# demo-app/2.0.0 published, random agents for the measured time. Most run 2.0.0 and are told nothing is newer; one in
# OLD_EVERY runs 1.4.2 and is offered the release (a signed order; they never report, so they are offered it again at
# each check, as an agent that lost its order is). Prints checks/s, latency percentiles, the controller's CPU seconds
# and its PSS. Not part of any test suite: run it on demand.
#
#   bench/pull-checks.sh [N=10000] [--concurrency 32] [--seconds 30] [--old-every 20]
#
# The distribution is built when missing (mvn package, offline). The instance lives in a temporary directory, removed
# at the end; it is stopped by its own PID.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
main="$(cd "$here/.." && pwd)"
agents=10000
if [[ $# -gt 0 && "$1" != --* ]]; then
    agents="$1"
    shift
fi
concurrency=32
seconds=30
old_every=20
while [[ $# -gt 0 ]]; do
    case "$1" in
        --concurrency) concurrency="$2"; shift ;;
        --seconds) seconds="$2"; shift ;;
        --old-every) old_every="$2"; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "${JAVA_HOME:-}" ]; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    export JAVA_HOME
fi

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$main/pom.xml" | head -1)
archive="$main/distribution/target/fleetup-distribution-$version.tar.gz"
if [ ! -f "$archive" ]; then
    echo "Building the distribution ..."
    (cd "$main" && nice -n 19 mvn -o -q -DskipTests package -pl distribution -am)
fi

work=$(mktemp -d /tmp/fleetup-pull-bench.XXXXXX)
home="$work/fleetup-distribution-$version"
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
tar -xzf "$archive" -C "$work"
http_port=$(free_port)
ssh_port=$(free_port)
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $http_port/" "$home/etc/org.ops4j.pax.web.cfg"
sed -i "s/^sshPort *=.*/sshPort = $ssh_port/" "$home/etc/org.apache.karaf.shell.cfg"
"$home/bin/fleetup-init" >/dev/null
"$home/bin/start"
console() {
    ssh -n -q -T -F /dev/null -p "$ssh_port" -i "$home/etc/console_key" -o IdentitiesOnly=yes -o IdentityAgent=none \
        -o BatchMode=yes -o ConnectTimeout=10 -o HostKeyAlias=fleetup-console \
        -o UserKnownHostsFile="$home/etc/console_known_hosts" -o GlobalKnownHostsFile=/dev/null \
        -o StrictHostKeyChecking=yes karaf@127.0.0.1 "$1" 2>&1 | sed '/^Connection to 127.0.0.1 closed/d'
}
deadline=$((SECONDS + 180))
until console "fleet:release-schedule --help" | grep -q SYNTAX; do
    [ $SECONDS -lt $deadline ] || { echo "Fleetup did not start; see $home/data/log/karaf.log" >&2; exit 1; }
    sleep 1
done
pid=$(cat "$home/karaf.pid")
echo "Fleetup (pid $pid) serves its patch server at http://127.0.0.1:$http_port/cxf/fleetup/ddi/v1"
console "feature:install fleetup-simulator" >/dev/null
until console "fleet:sim-release --help" | grep -q SYNTAX; do sleep 1; done
console "fleet:sim-release --version 2.0.0 $work/demo-app-2.0.0.tar.gz" >/dev/null
console "fleet:release-add --product demo-app --version 2.0.0 $work/demo-app-2.0.0.tar.gz" >/dev/null

load="$JAVA_HOME/bin/java $here/pull/CheckLoad.java"
base="http://127.0.0.1:$http_port/cxf/fleetup/ddi/v1"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo); load average" \
    "before: $(cut -d' ' -f1-3 /proc/loadavg)"
$load register "$base" "$agents" "$concurrency" "$old_every"
console "fleet:release-schedule demo-app/2.0.0"
$load load "$base" "$agents" "$concurrency" "$old_every" "$seconds" "$pid"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
console "fleet:rollout-list" | head -5
