#!/usr/bin/env bash
# Stops every stack process (TERM, then KILL after 10 s) and removes PostgreSQL's data.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
if [ -d "$SB_PG_DIR/data" ] && pgbin="$(pg_bindir)"; then
  as_pg "$pgbin/pg_ctl" -D "$SB_PG_DIR/data" -m fast -w -t 20 stop >/dev/null 2>&1
fi
for name in vault kube-apiserver etcd; do
  pidfile="$SB_STACK_DIR/$name.pid"
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$pidfile"
done
rm -rf "$SB_PG_DIR"
rm -f "$SB_ENV_FILE"
echo "stack: down"
