#!/bin/bash
# Upgrades ONE server the way a careful operator's loop does it; called by bench/peers/loop.sh through xargs -P.
#
#     upgrade-one.sh NAME PORT USER        (environment from loop.sh: FLEET_DIR ARTIFACT VERSION SHA256 CTL_DIR)
#
# Prints exactly one line `NAME STATUS DETAIL` (STATUS upgraded|skipped|failed) and exits 0 (the checker judges).
#
# One SSH connection per server: a control master started here (kept in this process tree so the bench measures it),
# and three multiplexed sessions over it: read the version; upload the artifact; one `sh -c` script doing
# verify -> unpack -> manifest -> install -> switch -> health, with a trap that rolls back and cleans up.
set -uo pipefail

name=$1 port=$2 user=$3
: "${FLEET_DIR:?} ${ARTIFACT:?} ${VERSION:?} ${SHA256:?} ${CTL_DIR:?}"
UPLOAD_TIMEOUT=${UPLOAD_TIMEOUT:-600}    # seconds; a slow link still finishes, a hung one does not hang the loop
STEP_TIMEOUT=${STEP_TIMEOUT:-120}

sock=$CTL_DIR/$name
err=$CTL_DIR/$name.err
ssh_opts=(-F /dev/null -p "$port" -l "$user" -i "$FLEET_DIR/client_key" -o IdentitiesOnly=yes -o IdentityAgent=none
          -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$FLEET_DIR/known_hosts"
          -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -o LogLevel=ERROR
          -o ControlPath="$sock")
[ -n "${SSH_EXTRA_OPTS:-}" ] && read -ra extra <<<"$SSH_EXTRA_OPTS" && ssh_opts+=("${extra[@]}")

started=$EPOCHREALTIME
say() {   # one line per server, written at once (a single short write is atomic on the shared pipe)
    local detail=${*:3} ms=$(( (${EPOCHREALTIME/./} - ${started/./}) / 1000 ))
    detail=${detail//$'\n'/ }
    printf '%s %s %s (%d.%03ds)\n' "$1" "$2" "${detail//$'\t'/ }" $((ms / 1000)) $((ms % 1000))
}
last_err() { tr '\n' ' ' <"$err" 2>/dev/null | sed 's/  */ /g; s/ $//' | cut -c1-200; }

master=
close_master() {
    if [ -n "$master" ]; then
        ssh "${ssh_opts[@]}" -O exit 127.0.0.1 >/dev/null 2>&1 || true
        kill "$master" 2>/dev/null || true
        wait "$master" 2>/dev/null || true
        master=
    fi
    rm -f "$err"
}
trap close_master EXIT

# The control master: authenticates once; every later session is a channel on it (no new key exchange).
ssh "${ssh_opts[@]}" -o ControlMaster=yes -o ControlPersist=no -N 127.0.0.1 </dev/null 2>"$err" &
master=$!
for _ in $(seq 1 300); do                      # bounded: 300 x 0.05 s = 15 s > ConnectTimeout
    [ -S "$sock" ] && break
    kill -0 "$master" 2>/dev/null || break
    sleep 0.05
done
if [ ! -S "$sock" ]; then
    say "$name" failed "connect: $(last_err)"; exit 0
fi
run() { timeout "$STEP_TIMEOUT" ssh "${ssh_opts[@]}" -o ControlMaster=no 127.0.0.1 "$@"; }

# 1. Read the running version; never downgrade, skip when current or newer.
if ! current=$(run 'cat "$HOME/demo-app/current/VERSION"' 2>"$err"); then
    say "$name" failed "read-version: $(last_err)"; exit 0
fi
current=${current%%[[:space:]]*}
if [ -z "$current" ]; then say "$name" failed "read-version: empty"; exit 0; fi
highest=$(printf '%s\n%s\n' "$current" "$VERSION" | sort -V | tail -n1)
if [ "$highest" = "$current" ]; then
    if [ "$current" = "$VERSION" ]; then say "$name" skipped "current $current"
    else say "$name" skipped "newer $current"; fi
    exit 0
fi

# 2. Upload to the staging file (over the same connection, through the login shell so $HOME is the server's).
staged="demo-app/staging/demo-app-$VERSION.tar.gz"
timeout "$UPLOAD_TIMEOUT" ssh "${ssh_opts[@]}" -o ControlMaster=no 127.0.0.1 \
    "mkdir -p \"\$HOME/demo-app/staging\" && cat > \"\$HOME/$staged\"" <"$ARTIFACT" 2>"$err"
rc=$?
if [ "$rc" -ne 0 ]; then
    e=$(last_err)
    detail="upload: exit $rc${e:+ | $e}"
    # Best-effort cleanup of the partial file; the master may be gone (dropped link), so a fresh connection.
    timeout 30 ssh "${ssh_opts[@]}" -o ControlMaster=no -o ControlPath=none 127.0.0.1 \
        "rm -f \"\$HOME/$staged\"; rmdir \"\$HOME/demo-app/staging\" 2>/dev/null; true" </dev/null >/dev/null 2>&1 ||
        detail="$detail (cleanup unreachable)"
    say "$name" failed "$detail"; exit 0
fi

# 3. Everything else in one remote script. Every step is checked (set -e); the EXIT trap switches back when the
#    failure came after the switch (and checks the old version answers), removes a release it installed but does not
#    run, and always removes staging and scratch. Its last line is the result.
read -r -d '' remote <<'SCRIPT'
set -eu
V=$1 SUM=$2
A=$HOME/demo-app ST=$HOME/demo-app/staging
ART=$ST/demo-app-$V.tar.gz SCR=$ST/unpack-$V
step=start old= oldv= created=0 switched=0
finish() {
    rc=$?
    trap - EXIT HUP INT TERM
    set +e
    msg="$oldv->$V"
    if [ "$rc" -ne 0 ]; then
        msg="$step (exit $rc)"
        if [ "$switched" = 1 ]; then
            ln -sfn "$old" "$A/current.new" && mv -T "$A/current.new" "$A/current"
            back=$(timeout 30 "$A/current/bin/demo-app" --version 2>/dev/null)
            if [ "$back" = "$oldv" ]; then msg="$msg; rolled back to $oldv"
            else msg="$msg; ROLLBACK FAILED (old release answers: $back)"; fi
        fi
        if [ "$created" = 1 ] && [ "$(readlink "$A/current")" != "releases/$V" ]; then rm -rf "$A/releases/$V"; fi
    fi
    rm -rf "$ART" "$SCR" "$A/current.new"
    rmdir "$ST" 2>/dev/null
    echo "$msg"
    exit "$rc"
}
trap finish EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
step=read-current
old=$(readlink "$A/current")
oldv=$(cat "$A/current/VERSION")
step=verify-sha256
printf '%s  %s\n' "$SUM" "$ART" | sha256sum -c --status -
step=unpack
rm -rf "$SCR"
mkdir "$SCR"
tar -xzf "$ART" -C "$SCR"
step=manifest
cd "$SCR"
sha256sum -c --quiet --strict MANIFEST.sha256 >&2
have=$(find . -type f ! -name MANIFEST.sha256 | sed 's|^[.]/||' | LC_ALL=C sort)
want=$(sed 's/^[0-9a-f]*  //' MANIFEST.sha256 | LC_ALL=C sort)
[ "$have" = "$want" ]                   # no file outside the manifest
[ "$(cat VERSION)" = "$V" ]
cd "$A"
step=install
[ "$(readlink current)" != "releases/$V" ]
rm -rf "releases/$V"                    # a leftover from an earlier failed attempt, never the running release
mv "$SCR" "releases/$V"
created=1
step=switch
ln -sfn "releases/$V" current.new
mv -T current.new current
switched=1
step=health
[ "$(timeout 30 "$A/current/bin/demo-app" --version)" = "$V" ]
step=reread
[ "$(cat "$A/current/VERSION")" = "$V" ]
SCRIPT
q="'\\''"                                # POSIX single-quoting for the remote login shell
if out=$(run "sh -c '${remote//\'/$q}' sh '$VERSION' '$SHA256'" </dev/null 2>"$err"); then
    say "$name" upgraded "${out##*$'\n'}"
else
    rc=$?
    last=${out##*$'\n'}
    [ -n "$last" ] || last="exit $rc"
    e=$(last_err)
    say "$name" failed "$last${e:+ | $e}"
fi
exit 0
