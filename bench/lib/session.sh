#!/bin/sh
# ForceCommand of every bench sshd: runs the session - exec command, shell or SFTP subsystem -
# in the server's root (its $HOME, set by the sshd_config's SetEnv) and applies the server's
# faults that live in the session rather than in the network:
#   --fsize BYTES   disk-full: no file may grow past BYTES (RLIMIT_FSIZE; a write past it gets
#                   SIGXFSZ/EFBIG), for every process of the session, sftp-server included.
fsize=
while [ $# -gt 0 ]; do
    case $1 in
        --fsize) fsize=$2; shift 2 ;;
        *) echo "session.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
cd "$HOME" || { echo "session.sh: cannot enter $HOME" >&2; exit 1; }
if [ -n "$fsize" ]; then
    prlimit --pid $$ --fsize="$fsize:$fsize" || exit 1
fi
if [ -n "${SSH_ORIGINAL_COMMAND:-}" ]; then
    exec "${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND"
fi
exec "${SHELL:-/bin/sh}" -l
