#!/usr/bin/env bash
# The scale benchmark: N simulated servers (real SSH on loopback, a stand-in fleet in a JVM of its own), inspected
# and planned by Fleetup's real inspection, SSH transport and planner; prints wall times and controller memory.
#
#   bench/scale.sh [N=10000] [--parallel 64] [--shell] [--shared-host-key] [--jfr]
#
#   --parallel P         inspections at once (64)
#   --shell              the stand-in runs every command through /bin/sh (honest but slow) instead of answering
#                        'cd "DIR" && cat FILE' in Java
#   --shared-host-key    one host key for every stand-in host instead of one each
#   --jfr                records the controller with Java Flight Recorder into bench/java/target/scale-N.jfr and
#                        prints the top frames of its CPU samples
#   --sim-cost           only measures what the simulator's own SimulatedFleet costs for N hosts (in one JVM)
#
# CONTROLLER_JVM_OPTS adds options to the controller's JVM (CONTROLLER_JVM_OPTS=-Xmx256m bench/scale.sh 1000: the
# memory a bounded heap needs; by default the JVM sizes its heap from the machine, and grows it before collecting).
#
# File descriptors: the stand-in listens on N sockets and the controller holds up to P connections, so the soft
# limit of open files is raised to the hard limit here (it must be at least N + 1024).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
main="$(cd "$here/.." && pwd)"
hosts=10000
if [[ $# -gt 0 && "$1" != --* ]]; then
    hosts="$1"
    shift
fi
jfr=false
sim_cost=false
args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jfr) jfr=true ;;
        --sim-cost) sim_cost=true ;;
        *) args+=("$1") ;;
    esac
    shift
done

hard="$(ulimit -Hn)"
if [[ "$hard" != unlimited ]] && (( hard < hosts + 1024 )); then
    echo "scale.sh: $hosts servers need at least $((hosts + 1024)) open files; the hard limit is $hard." >&2
    echo "          Raise it (ulimit -Hn as root, or LimitNOFILE) or ask for fewer servers." >&2
    exit 1
fi
ulimit -n "$hard"
echo "open files: soft limit raised to $(ulimit -n) for $hosts servers"
# The hosts listen on N consecutive loopback ports below the ephemeral range (which the controller's connections
# use), in the first range from 10000 where nothing listens now (other tools on this machine listen too).
low_port="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)"
base_port="$(ss -Hltn | awk -v n="$hosts" -v low="$low_port" '
    { sub(/.*:/, "", $4); used[$4 + 0] = 1 }
    END {
        for (base = 10000; base + n <= low; base++) {
            free = 1
            for (p = base; p < base + n; p++) if (p in used) { free = 0; base = p; break }
            if (free) { print base; exit }
        }
    }')"
if [[ -z "$base_port" ]]; then
    echo "scale.sh: no $hosts consecutive free ports between 10000 and the ephemeral range (from $low_port)." >&2
    exit 1
fi
echo "hosts listen on 127.0.0.1:$base_port..$((base_port + hosts - 1))"

echo "building the bundles and the benchmarks..."
mvn -q -DskipTests install -f "$main/pom.xml" \
    -pl bundles/api,bundles/comparison,bundles/inspection,bundles/transport-ssh,bundles/simulator,bundles/storage -am
mvn -q -f "$here/java/pom.xml" package
jar="$here/java/target/benchmarks.jar"
logging=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn)

if $sim_cost; then
    exec java "${logging[@]}" -cp "$jar" org.fleetup.bench.scale.SimulatedFleetCost --hosts "$hosts"
fi

dir="$here/java/target/scale-fleet-$hosts"
rm -rf "$dir"
jvm=("${logging[@]}")
read -r -a extra_jvm <<< "${CONTROLLER_JVM_OPTS:-}"
jvm+=("${extra_jvm[@]}")
recording="$here/java/target/scale-$hosts.jfr"
if $jfr; then
    jvm+=(-XX:+FlightRecorder "-XX:StartFlightRecording=filename=$recording,settings=profile,dumponexit=true")
fi
java "${jvm[@]}" -cp "$jar" org.fleetup.bench.scale.ScaleBenchmark --hosts "$hosts" --dir "$dir" --base-port "$base_port" \
    "${args[@]}"

if $jfr; then
    echo
    echo "top frames of the controller's CPU samples (jdk.ExecutionSample), from $recording:"
    jfr print --events jdk.ExecutionSample "$recording" \
        | awk '/stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print }' \
        | sort | uniq -c | sort -rn | head -25
fi
rm -rf "$dir"
