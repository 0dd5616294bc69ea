#!/bin/bash
# Makes one demo-app release: a reproducible gzip tar holding VERSION, bin/demo-app,
# lib/demo-app.jar (BYTES filler bytes, deterministic from the version) and MANIFEST.sha256.
#
#   bench/lib/make-release.sh VERSION BYTES OUT.tar.gz
#
# The same VERSION and BYTES always give the same OUT, byte for byte (fixed mtime, owner,
# modes and order, gzip -n), so two machines or two runs agree on its SHA-256.
set -euo pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 VERSION BYTES OUT.tar.gz" >&2
    exit 2
fi
version=$1 bytes=$2 out=$3
if ! [[ $version =~ ^[0-9A-Za-z][0-9A-Za-z._+-]*$ ]]; then
    echo "make-release: bad version '$version'" >&2
    exit 2
fi
if ! [[ $bytes =~ ^[0-9]+$ ]]; then
    echo "make-release: BYTES must be a number of bytes, not '$bytes'" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/make-release.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 022
tree=$work/tree
mkdir -p "$tree/bin" "$tree/lib"

printf '%s\n' "$version" >"$tree/VERSION"

cat >"$tree/bin/demo-app" <<'SCRIPT'
#!/bin/sh
# demo-app: prints the version of the release it belongs to (any argument, e.g. --version).
cd "$(dirname "$0")/.." && exec cat VERSION
SCRIPT
chmod 0755 "$tree/bin/demo-app"

# Filler: AES-128-CTR keystream keyed by the version's SHA-256 - deterministic, incompressible
# like a real jar, and fast (no gzip shortcut for any transfer).
key=$(printf '%s' "demo-app $version" | sha256sum | cut -c1-32)
openssl enc -aes-128-ctr -K "$key" -iv 00000000000000000000000000000000 -nosalt </dev/zero 2>/dev/null \
    | head -c "$bytes" >"$tree/lib/demo-app.jar" || true
actual=$(stat -c %s "$tree/lib/demo-app.jar")
if [ "$actual" -ne "$bytes" ]; then
    echo "make-release: filler has $actual bytes, wanted $bytes" >&2
    exit 1
fi

(cd "$tree" && sha256sum VERSION bin/demo-app lib/demo-app.jar >MANIFEST.sha256)
chmod 0644 "$tree/VERSION" "$tree/lib/demo-app.jar" "$tree/MANIFEST.sha256"
chmod 0755 "$tree/bin" "$tree/lib"

mkdir -p "$(dirname "$out")"
tar --create --format=gnu --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime=@0 --directory="$tree" VERSION MANIFEST.sha256 bin lib \
    | gzip -n -6 >"$out.tmp.$$"
mv -f "$out.tmp.$$" "$out"
