#!/usr/bin/env bash
# Stops every stack process (TERM, then KILL after 10 s) and removes PostgreSQL's data;
# first takes the node down (node-down.sh: pods, mounts, bridge, its state), whether or not
# SB_NODE is set, so a node never outlives the stack.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
bash "$here/node-down.sh"
if [ -d "$SB_PG_DIR/data" ] && pgbin="$(pg_bindir)"; then
  as_pg "$pgbin/pg_ctl" -D "$SB_PG_DIR/data" -m fast -w -t 20 stop >/dev/null 2>&1
fi
stop vault kube-apiserver etcd
rm -rf "$SB_PG_DIR"
rm -f "$SB_ENV_FILE"
echo "stack: down"
