#!/bin/bash
# Self-test of the bench fleet: brings up a small fleet with one server of each fault, shows with
# the real OpenSSH tools that logins land in each server's root and that every fault bites,
# checks check.py's verdicts after hand-made upgrades, and brings the fleet down again,
# leaving no process behind. Exit 0 only if everything holds.
#
#   bench/lib/selftest.sh        (as root, after bench/setup)
set -uo pipefail

LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TARGET=2.0.0
DIR=$(mktemp -d /tmp/fleet-selftest.XXXXXX)
PASSED=0 FAILED=0

fails() { ! "$@"; }
pass() { PASSED=$((PASSED + 1)); echo "  ok    $*"; }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL  $*"; }
expect() { # expect DESCRIPTION CONDITION-COMMAND...
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
cleanup() {
    if [ -d "$DIR/hosts" ]; then "$LIB/fleet.sh" down "$DIR" >/dev/null 2>&1; fi
    rm -rf "$DIR"
}
trap cleanup EXIT

port_of() { awk -F, -v n="$1" '$1 == n { print $3 }' "$DIR/fleet.csv"; }
root_of() { echo "$DIR/hosts/$1/root"; }
SSH_OPTS=(-i "$DIR/client_key" -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes
          -o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR)
on() { # on NAME COMMAND: runs COMMAND on server NAME with plain ssh (bounded)
    local name=$1; shift
    timeout 60 ssh "${SSH_OPTS[@]}" -p "$(port_of "$name")" fleetbench@127.0.0.1 "$@"
}
sftp_to() { # sftp_to NAME < batch
    timeout 60 sftp -q "${SSH_OPTS[@]}" -b - -P "$(port_of "$1")" fleetbench@127.0.0.1 >/dev/null 2>&1
}
now() { date +%s.%N; }

echo "== fleet up: 8 servers, one of each fault"
"$LIB/fleet.sh" up "$DIR" 8 --faults disk-full:1,readonly:1,drop:1,slow:1 || { echo "selftest: fleet up failed"; exit 1; }
cat "$DIR/fleet.csv" | sed 's/^/  /'
mapfile -t PIDS < <(cat "$DIR"/hosts/*/sshd.pid "$DIR"/hosts/*/relay.pid)
faulty() { awk -F, -v f="$1" 'NR > 1 && $7 ~ f { print $1; exit }' "$DIR/fleet.csv"; }
DISK_FULL=$(faulty disk-full) READONLY=$(faulty readonly) DROP=$(faulty drop) SLOW=$(faulty slow)
RATE=$(python3 -c "import json,sys; print(next(s['relay']['rate'] for s in json.load(open(sys.argv[1])) if 'slow' in s['faults']))" "$DIR/fleet.json")

echo "== logins: \$HOME, cwd and version with the real client, on every server"
while IFS=, read -r name _ port _ _ version _; do
    [ "$name" = name ] && continue
    got=$(on "$name" 'echo $HOME; pwd; cat demo-app/current/VERSION; demo-app/current/bin/demo-app --version' </dev/null 2>&1 | paste -sd' ')
    want="$(root_of "$name") $(root_of "$name") $version $version"
    expect "$name (port $port): $got" [ "$got" = "$want" ]
done <"$DIR/fleet.csv"

echo "== sftp lands in the same \$HOME"
echo "hello from sftp" >"$DIR/hello.txt"
printf 'put %s hello.txt\n' "$DIR/hello.txt" | sftp_to s001
expect "sftp put hello.txt -> $(root_of s001)/hello.txt" cmp -s "$DIR/hello.txt" "$(root_of s001)/hello.txt"
expect "ssh sees it at \$HOME/hello.txt" [ "$(on s001 'cat $HOME/hello.txt')" = "hello from sftp" ]

head -c $((2 * 1024 * 1024)) /dev/urandom >"$DIR/2MiB.bin"
echo "== disk-full ($DISK_FULL): writes past 1 MiB fail"
printf 'put %s big.bin\n' "$DIR/2MiB.bin" | sftp_to "$DISK_FULL"
rc=$?
expect "sftp put of 2 MiB fails (sftp exit $rc; $(stat -c %s "$(root_of "$DISK_FULL")/big.bin" 2>/dev/null || echo 0) bytes written)" [ $rc -ne 0 ]
on "$DISK_FULL" 'cat > big2.bin' <"$DIR/2MiB.bin" 2>/dev/null
rc=$?
expect "ssh 'cat > file' of 2 MiB fails (exit $rc)" [ $rc -ne 0 ]
head -c 102400 /dev/urandom | on "$DISK_FULL" 'cat > small.bin'
expect "a 100 KiB file is still written (the server works, only big writes fail)" \
    [ "$(stat -c %s "$(root_of "$DISK_FULL")/small.bin" 2>/dev/null)" = 102400 ]

echo "== readonly ($READONLY): releases/ is not writable by the login user"
out=$(on "$READONLY" 'mkdir $HOME/demo-app/releases/x' 2>&1)
rc=$?
expect "mkdir \$HOME/demo-app/releases/x fails (exit $rc: $out)" [ $rc -ne 0 ] && [ ! -e "$(root_of "$READONLY")/demo-app/releases/x" ]
expect "chmod u+w releases/ fails too (owned by root)" fails on "$READONLY" 'chmod u+w demo-app/releases 2>/dev/null' 
expect "the rest of \$HOME is writable (mkdir demo-app/staging)" on "$READONLY" 'mkdir demo-app/staging && rmdir demo-app/staging'

echo "== drop ($DROP): a connection is cut after $(python3 -c "import json,sys; print(next(s['relay']['drop_after'] for s in json.load(open(sys.argv[1])) if 'drop' in s['faults']))" "$DIR/fleet.json") bytes upstream"
expect "a login and a small command work" [ "$(on "$DROP" 'cat demo-app/current/VERSION')" = "$(awk -F, -v n="$DROP" '$1 == n { print $6 }' "$DIR/fleet.csv")" ]
printf 'put %s big.bin\n' "$DIR/2MiB.bin" | sftp_to "$DROP"
rc=$?
expect "sftp put of 2 MiB breaks (exit $rc; $(stat -c %s "$(root_of "$DROP")/big.bin" 2>/dev/null || echo 0) bytes arrived)" [ $rc -ne 0 ]
on "$DROP" 'cat > big2.bin' <"$DIR/2MiB.bin" 2>/dev/null
rc=$?
expect "ssh 'cat > file' of 2 MiB breaks (exit $rc)" [ $rc -ne 0 ]

echo "== slow ($SLOW): the link is limited to $RATE bytes/s"
measure() { # measure NAME: bytes/s of a 3 MiB upload through ssh, the login time taken off
    local t0 t1 t2
    t0=$(now); on "$1" true; t1=$(now)
    head -c $((3 * 1024 * 1024)) /dev/zero | on "$1" 'cat > /dev/null'; t2=$(now)
    awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%d", 3 * 1048576 / ((c - b) - (b - a)) }'
}
slow_rate=$(measure "$SLOW")
fast_rate=$(measure s001)
expect "throughput through the relay: $slow_rate B/s, at most the rate (+10%)" [ "$slow_rate" -le $((RATE * 11 / 10)) ]
expect "... and not far below it (at least 60%: limited, not broken)" [ "$slow_rate" -ge $((RATE * 6 / 10)) ]
expect "a healthy server is much faster: $fast_rate B/s" [ "$fast_rate" -gt $((RATE * 4)) ]

echo "== an uplink (relay.py --backend 0, bench/relay's): a node's connections to any server share its rate"
python3 "$LIB/relay.py" --listen 0 --port-file "$DIR/uplink.port" --backend 0 --rate "$RATE" \
    --pidfile "$DIR/uplink.pid" </dev/null >"$DIR/uplink.log" 2>&1 &
UPLINK=$!
for _ in $(seq 100); do [ -f "$DIR/uplink.pid" ] && break; sleep 0.05; done
via() { # via NAME COMMAND: as on, through the uplink
    local name=$1; shift
    timeout 60 ssh "${SSH_OPTS[@]}" -o ProxyCommand="python3 $LIB/via.py $(cat "$DIR/uplink.port") %p" \
        -p "$(port_of "$name")" fleetbench@127.0.0.1 "$@"
}
expect "a login to s001 through the uplink" via s001 true
expect "a login to s002 through the uplink" via s002 true
t0=$(now)
head -c $((2 * 1024 * 1024)) /dev/zero | via s001 'cat > /dev/null' &
other=$!
head -c $((2 * 1024 * 1024)) /dev/zero | via s002 'cat > /dev/null'
wait "$other"
t1=$(now)
shared_rate=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", 4 * 1048576 / (b - a) }')
expect "two uploads at once through it: $shared_rate B/s together, at most the rate (+10%)" \
    [ "$shared_rate" -le $((RATE * 11 / 10)) ]
expect "... and not far below it (at least 60%)" [ "$shared_rate" -ge $((RATE * 6 / 10)) ]
kill -TERM "$UPLINK"; wait "$UPLINK"
expect "the uplink stopped by its PID, its pid file gone" [ ! -e "$DIR/uplink.pid" ]

echo "== check.py: hand-made upgrades to $TARGET with plain ssh/sftp"
"$LIB/make-release.sh" "$TARGET" $((5 * 1024 * 1024)) "$DIR/releases/demo-app-$TARGET.tar.gz"
SHA=$(sha256sum "$DIR/releases/demo-app-$TARGET.tar.gz" | cut -d' ' -f1)
upload() { # the procedure's first step: the artifact into $HOME/demo-app/staging/
    printf -- '-mkdir demo-app/staging\nput %s demo-app/staging/demo-app-%s.tar.gz\n' \
        "$DIR/releases/demo-app-$TARGET.tar.gz" "$TARGET" | sftp_to "$1"
}
upgrade_by_hand() { # the whole procedure, as the loop does it
    upload "$1" && on "$1" "set -e; cd demo-app
        echo '$SHA  staging/demo-app-$TARGET.tar.gz' | sha256sum -c --quiet
        rm -rf scratch-$TARGET; mkdir scratch-$TARGET
        tar -xzf staging/demo-app-$TARGET.tar.gz -C scratch-$TARGET
        (cd scratch-$TARGET && sha256sum -c --quiet MANIFEST.sha256)
        mv scratch-$TARGET releases/$TARGET
        ln -sfn releases/$TARGET current.new && mv -T current.new current
        test \"\$(current/bin/demo-app --version)\" = $TARGET
        rm -f staging/demo-app-$TARGET.tar.gz"
}
half_upgrade_by_hand() { # unpacked, switched, but the jar is cut short
    upload "$1" && on "$1" "set -e; cd demo-app
        mkdir releases/$TARGET && tar -xzf staging/demo-app-$TARGET.tar.gz -C releases/$TARGET
        truncate -s 1M releases/$TARGET/lib/demo-app.jar
        ln -sfn releases/$TARGET current.new && mv -T current.new current"
}
verdicts() { # name=verdict ... from check.py --json
    "$LIB/check.py" "$DIR" "$TARGET" --json | python3 -c '
import json, sys
print(" ".join(s["name"] + "=" + s["verdict"] for s in json.load(sys.stdin)["servers"]))'
}
check_table() {
    "$LIB/check.py" "$DIR" "$TARGET" --release "$DIR/releases/demo-app-$TARGET.tar.gz" | sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

expect "s001 upgraded by hand with sftp + ssh" upgrade_by_hand s001
expect "s002 half-upgraded by hand (jar truncated after the switch)" half_upgrade_by_hand s002
check_table; rc=$?
expect "check.py exits 1 (s002 half-upgraded, s006 not upgraded)" [ $rc -eq 1 ]
want="s001=upgraded s002=HALF-UPGRADED s003=untouched s004=untouched s005=untouched s006=WRONG s007=untouched s008=untouched"
got=$(verdicts)
expect "verdicts: $got" [ "$got" = "$want" ]

echo "== check.py: the rest upgraded by hand (s002 repaired, s006), the faulty and the newer left alone"
on s002 "rm -rf demo-app/releases/$TARGET && ln -sfn releases/1.2.3 demo-app/current"
expect "s002 upgraded by hand" upgrade_by_hand s002
expect "s006 upgraded by hand" upgrade_by_hand s006
check_table; rc=$?
expect "check.py exits 0" [ $rc -eq 0 ]
want="s001=upgraded s002=upgraded s003=untouched s004=untouched s005=untouched s006=upgraded s007=untouched s008=untouched"
got=$(verdicts)
expect "verdicts: $got" [ "$got" = "$want" ]

echo "== check.py: what must count as wrong"
on s006 "mkdir -p /tmp/fleet-selftest-elsewhere-\$\$ && cp -a demo-app/releases/$TARGET /tmp/fleet-selftest-elsewhere-\$\$/ && ln -sfn /tmp/fleet-selftest-elsewhere-\$\$/$TARGET demo-app/current.new && mv -T demo-app/current.new demo-app/current && echo /tmp/fleet-selftest-elsewhere-\$\$" >"$DIR/elsewhere"
expect "s005 (on 2.0.1) downgraded by hand to $TARGET" upgrade_by_hand s005
echo scratch | on "$DISK_FULL" 'mkdir -p demo-app/staging && cat > demo-app/staging/partial.tar.gz'
check_table; rc=$?
expect "check.py exits 1" [ $rc -eq 1 ]
got=$(verdicts)
expect "s006 (current -> a copy outside its root) is WRONG" grep -qw s006=WRONG <<<"$got"
expect "s005 (2.0.1 downgraded to $TARGET) is WRONG" grep -qw s005=WRONG <<<"$got"
expect "$DISK_FULL (faulty, a partial file left in staging) is WRONG" grep -qw "$DISK_FULL=WRONG" <<<"$got"
rm -rf "$(cat "$DIR/elsewhere")"

echo "== fleet down: no process of the fleet left"
"$LIB/fleet.sh" down "$DIR"
left=$(ps -o pid=,stat=,args= -p "$(IFS=,; echo "${PIDS[*]}")")
expect "ps -p ${PIDS[*]}: none left" [ -z "$left" ]
expect "no pid file left" [ -z "$(ls "$DIR"/hosts/*/*.pid 2>/dev/null)" ]
expect "no login-user process of the fleet left" [ -z "$("$LIB/fleet-procs.py" list "$DIR" fleetbench)" ]

echo "selftest: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
