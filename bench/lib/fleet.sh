#!/bin/bash
# A fleet of real OpenSSH servers on 127.0.0.1 for the bench (see /tmp/bench-contract.md,
# section "The fleet").
#
#   bench/lib/fleet.sh up DIR N [--faults SPEC] [--base-port PORT] [--release-bytes BYTES]
#   bench/lib/fleet.sh down DIR
#
# SPEC: e.g. disk-full:3,readonly:2,drop:2,slow:2 - how many servers get each fault.
# PORT: the first server's port (then one each; relayed sshds after them); default (or 0): the
# first block of free ports from 40000 on, in steps of 1000. The ports are in DIR/fleet.csv.
# Environment: FLEET_USER (login user, default fleetbench, made by bench/setup),
# FLEET_DROP_AFTER (bytes upstream before a drop server's connection is cut, default 1 MiB),
# FLEET_SLOW_RATE (bytes/s of a slow server's link, default 1 MiB/s).
#
# Every server sNNN: its own sshd (own config, own ECDSA P-256 host key, own port), the login
# user's $HOME = DIR/hosts/sNNN/root, demo-app installed there. Processes are stopped by their
# pid files only. Host keys and release tarballs are cached in bench/.cache.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$BENCH/lib
CACHE=$BENCH/.cache
LOGIN_USER=${FLEET_USER:-fleetbench}
PYTHON=/usr/bin/python3
SSHD=/usr/sbin/sshd
export FLEET_DROP_AFTER=${FLEET_DROP_AFTER:-1048576}
export FLEET_SLOW_RATE=${FLEET_SLOW_RATE:-1048576}
START_TIMEOUT=30   # seconds for all sshds and relays to listen, plus a second for every 20 servers (a fleet of
                   # 1,000 took 8 to 16 s to come up on 2 loaded cores)
STOP_TIMEOUT=10    # seconds for every process to go after SIGTERM, then SIGKILL

die() { echo "fleet: $*" >&2; exit 1; }
usage() { sed -n 's/^#   \(bench\/lib\/fleet.sh\)/usage: \1/p' "$0" >&2; exit 2; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
PHASES="" PHASE_START=""
phase() { # records how long the step since the last phase took
    local now
    now=$(date +%s.%N)
    PHASES+="${PHASES:+, }$1 $(awk -v a="$PHASE_START" -v b="$now" 'BEGIN { printf "%.1f", b - a }')"
    PHASE_START=$now
}

absolute_dir() {
    mkdir -p "$1"
    (cd "$1" && pwd -P)
}

fleet_pids() { "$PYTHON" "$LIB/fleet-procs.py" list "$1" "$LOGIN_USER"; }
alive() { [ $# -eq 0 ] || "$PYTHON" "$LIB/fleet-procs.py" alive "$@"; }
present() { [ $# -eq 0 ] || "$PYTHON" "$LIB/fleet-procs.py" present "$@"; }

cmd_down() {
    [ $# -eq 1 ] || usage
    [ -d "$1" ] || die "no fleet directory $1"
    local dir started pids left n_sshd=0 n_relay=0 f
    dir=$(cd "$1" && pwd -P)
    started=$(date +%s.%N)
    for f in "$dir"/hosts/*/sshd.pid; do [ -f "$f" ] && n_sshd=$((n_sshd + 1)); done
    for f in "$dir"/hosts/*/relay.pid; do [ -f "$f" ] && n_relay=$((n_relay + 1)); done
    mapfile -t pids < <(fleet_pids "$dir")
    if [ ${#pids[@]} -gt 0 ]; then
        kill -TERM "${pids[@]}" 2>/dev/null || true
        local deadline=$((SECONDS + STOP_TIMEOUT))
        while mapfile -t left < <(alive "${pids[@]}"); [ ${#left[@]} -gt 0 ] && [ $SECONDS -lt $deadline ]; do
            sleep 0.1
        done
        if [ ${#left[@]} -gt 0 ]; then
            echo "fleet: ${#left[@]} processes ignored SIGTERM, killing: ${left[*]}" >&2
            kill -KILL "${left[@]}" 2>/dev/null || true
            sleep 0.5
            mapfile -t left < <(alive "${left[@]}")
            [ ${#left[@]} -eq 0 ] || die "still running after SIGKILL: ${left[*]}"
        fi
        # Dead; the daemons' parent is init, which reaps them within a second or two here.
        # Wait for that (bounded) so that `ps -p` shows nothing of the fleet afterwards.
        deadline=$((SECONDS + 5))
        while [ -n "$(present "${pids[@]}")" ] && [ $SECONDS -lt $deadline ]; do
            sleep 0.1
        done
    fi
    rm -f "$dir"/hosts/*/sshd.pid "$dir"/hosts/*/relay.pid
    printf 'fleet down: %s - %d processes stopped (%d sshd pid files, %d relays) in %.1f s\n' \
        "$dir" "${#pids[@]}" "$n_sshd" "$n_relay" "$(elapsed "$started")"
}

cmd_up() {
    [ $# -ge 2 ] || usage
    local dir=$1 n=$2 spec="" base_port=${FLEET_BASE_PORT:-0} bytes=$((5 * 1024 * 1024))
    shift 2
    while [ $# -gt 0 ]; do
        case $1 in
            --faults) spec=$2; shift 2 ;;
            --base-port) base_port=$2; shift 2 ;;
            --release-bytes) bytes=$2; shift 2 ;;
            *) usage ;;
        esac
    done
    # Names are s001..s999, then s1000..s9999; ports are taken in one block below 64000.
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 9999 ] || die "N must be 1..9999"
    [[ $bytes =~ ^[0-9]+$ ]] && [ "$bytes" -ge 1 ] || die "--release-bytes must be a number of bytes"
    [[ $base_port =~ ^[0-9]+$ ]] && [ $((base_port + 2 * n)) -lt 65000 ] || die "bad --base-port $base_port"
    [ "$base_port" -eq 0 ] || [ "$base_port" -ge 1024 ] || die "--base-port must be 1024 or more (0: automatic)"
    [ "$(id -u)" -eq 0 ] || die "run as root (sshd binds its host keys and switches to $LOGIN_USER)"
    id "$LOGIN_USER" >/dev/null 2>&1 && [ -d /run/sshd ] || die "run bench/setup first (no user $LOGIN_USER or no /run/sshd)"
    [[ $dir != *[[:space:]]* ]] || die "DIR must not contain white space"
    local started
    started=$(date +%s.%N)
    PHASE_START=$started
    dir=$(absolute_dir "$dir")
    local -a running
    mapfile -t running < <(fleet_pids "$dir")
    [ ${#running[@]} -eq 0 ] || die "a fleet is running in $dir (${#running[@]} processes): fleet.sh down $dir first"

    # A fresh fleet: remove what an earlier one left (only the fleet's own entries of DIR).
    if [ -d "$dir/hosts" ]; then
        find "$dir/hosts" -mindepth 1 -maxdepth 1 -print0 | xargs -0 -r -n 10 -P 8 rm -rf
    fi
    rm -rf "$dir/hosts" "$dir/releases" "$dir/templates" "$dir/plan.tsv"
    mkdir -p "$dir/hosts" "$dir/releases" "$CACHE/hostkeys" "$CACHE/releases"
    chmod 0755 "$dir" "$dir/hosts"
    runuser -u "$LOGIN_USER" -- test -x "$dir/hosts" \
        || die "$LOGIN_USER cannot reach $dir/hosts (a parent directory is closed to it); choose another DIR"
    # From here on, a failure stops whatever this up started (die exits, so EXIT, not ERR).
    trap 'echo "fleet: up failed, stopping what started" >&2; cmd_down "$dir" >&2 || true' EXIT
    phase clean

    "$PYTHON" "$LIB/fleet-build.py" plan "$dir" "$n" "$spec" "$base_port"
    local -a names versions
    mapfile -t names < <(cut -f1 "$dir/plan.tsv")
    base_port=$(head -1 "$dir/plan.tsv" | cut -f2)
    mapfile -t versions < <(cut -f4 "$dir/plan.tsv" | sort -u)

    # Keys: one client key pair for the fleet, one host key per server, all cached.
    if [ ! -f "$CACHE/client_key" ]; then
        ssh-keygen -q -t ecdsa -b 256 -N '' -C fleet-bench-client -f "$CACHE/client_key.tmp.$$"
        mv "$CACHE/client_key.tmp.$$.pub" "$CACHE/client_key.pub"
        mv "$CACHE/client_key.tmp.$$" "$CACHE/client_key"
    fi
    install -m 0600 "$CACHE/client_key" "$dir/client_key"
    install -m 0644 "$CACHE/client_key.pub" "$dir/client_key.pub"
    install -m 0644 "$CACHE/client_key.pub" "$dir/authorized_keys"
    local -a missing=()
    local name
    for name in "${names[@]}"; do
        [ -f "$CACHE/hostkeys/$name" ] && [ -f "$CACHE/hostkeys/$name.pub" ] || missing+=("$name")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        printf '%s\n' "${missing[@]}" | xargs -P 4 -n 25 sh -c '
            for n; do
                ssh-keygen -q -t ecdsa -b 256 -N "" -C "$n" -f "$0/$n.tmp.$$" &&
                    mv "$0/$n.tmp.$$.pub" "$0/$n.pub" && mv "$0/$n.tmp.$$" "$0/$n" || exit 255
            done' "$CACHE/hostkeys"
    fi

    phase keys

    # Releases: one tarball per initial version, made once per size and cached.
    local version cached
    local -a makers=()
    for version in "${versions[@]}"; do
        cached=$CACHE/releases/demo-app-$version-$bytes.tar.gz
        if [ ! -f "$cached" ]; then
            "$LIB/make-release.sh" "$version" "$bytes" "$cached" &
            makers+=($!)
        fi
    done
    for pid in "${makers[@]}"; do wait "$pid" || die "make-release.sh failed"; done
    for version in "${versions[@]}"; do
        cp "$CACHE/releases/demo-app-$version-$bytes.tar.gz" "$dir/releases/demo-app-$version.tar.gz"
    done

    phase releases

    # Roots, sshd configs and the fleet's files.
    local extra=""
    if "$SSHD" -T -f /dev/null -h "$CACHE/hostkeys/${names[0]}" -o PerSourcePenalties=no >/dev/null 2>&1; then
        extra="PerSourcePenalties no"
    fi
    FLEET_SSHD_OPTIONS=$extra "$PYTHON" "$LIB/fleet-build.py" layout "$dir" "$LOGIN_USER" "$LIB" "$CACHE/hostkeys"
    "$SSHD" -t -f "$dir/hosts/${names[0]}/sshd_config" || die "sshd refuses the generated config"

    phase layout

    # Start: sshds daemonize after binding and write their PidFile; relays write theirs once listening.
    local -a ports=()
    local sshd_port port faults
    while IFS=$'\t' read -r name port sshd_port version faults; do
        ports+=("$port")
        [ "$sshd_port" = "$port" ] || ports+=("$sshd_port")
    done <"$dir/plan.tsv"
    cut -f1 "$dir/plan.tsv" | xargs -P 8 -I{} "$SSHD" -f "$dir/hosts/{}/sshd_config" -E "$dir/hosts/{}/sshd.log"
    local -a relay_args
    while IFS=$'\t' read -r name port sshd_port version faults; do
        [ "$sshd_port" != "$port" ] || continue
        relay_args=(--listen "$port" --backend "$sshd_port" --pidfile "$dir/hosts/$name/relay.pid")
        [[ +$faults+ != *+drop+* ]] || relay_args+=(--drop-after "$FLEET_DROP_AFTER")
        [[ +$faults+ != *+slow+* ]] || relay_args+=(--rate "$FLEET_SLOW_RATE")
        setsid "$PYTHON" "$LIB/relay.py" "${relay_args[@]}" </dev/null >"$dir/hosts/$name/relay.log" 2>&1 &
    done <"$dir/plan.tsv"

    local start_timeout=$((START_TIMEOUT + n / 20)) deadline waiting
    deadline=$((SECONDS + start_timeout))
    while :; do
        waiting=$(comm -23 <(printf '%s\n' "${ports[@]}" | sort -u) \
            <(ss -Hltn 'src 127.0.0.1' | awk '{ sub(/.*:/, "", $4); print $4 }' | sort -u) | wc -l)
        [ "$waiting" -gt 0 ] || break
        [ $SECONDS -lt $deadline ] \
            || die "$waiting ports still not listening after ${start_timeout} s (see $dir/hosts/*/sshd.log)"
        sleep 0.05
    done
    for name in "${names[@]}"; do
        [ -s "$dir/hosts/$name/sshd.pid" ] || die "$name: sshd wrote no pid file (see $dir/hosts/$name/sshd.log)"
    done

    phase start

    # One real login proves keys, user, HOME and the release before anyone relies on the fleet.
    local first_port got
    first_port=$(head -1 "$dir/plan.tsv" | cut -f2)
    got=$(ssh -q -i "$dir/client_key" -o BatchMode=yes -o UserKnownHostsFile="$dir/known_hosts" \
        -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -p "$first_port" "$LOGIN_USER@127.0.0.1" \
        'echo "$HOME"; cat demo-app/current/VERSION' 2>&1) \
        || die "login to ${names[0]} failed: $got"
    [ "$got" = "$dir/hosts/${names[0]}/root"$'\n'"$(head -1 "$dir/plan.tsv" | cut -f4)" ] \
        || die "login to ${names[0]} gave an unexpected HOME/version: $got"
    trap - EXIT
    phase login

    local faulty
    faulty=$(awk -F'\t' '$5 != "-" { printf "%s%s(%s)", sep, $1, $5; sep = " " }' "$dir/plan.tsv")
    echo "fleet: $dir - user $LOGIN_USER, ports $base_port..$((base_port + n - 1)), ${#missing[@]} host keys generated"
    echo "fleet: versions $(cut -f4 "$dir/plan.tsv" | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')"
    echo "fleet: faults ${faulty:-none}"
    echo "fleet: steps (s): $PHASES"
    printf 'fleet up: %d servers in %.1f s\n' "$n" "$(elapsed "$started")"
}

case ${1:-} in
    up) shift; cmd_up "$@" ;;
    down) shift; cmd_down "$@" ;;
    *) usage ;;
esac
