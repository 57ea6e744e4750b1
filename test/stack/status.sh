#!/usr/bin/env bash
# Exit 0 when every stack process is alive and answering; with SB_NODE=1, also the node's
# processes, and the node Ready.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
for name in etcd kube-apiserver vault; do
  pid="$(cat "$SB_STACK_DIR/$name.pid" 2>/dev/null)" || { echo "$name: not started"; exit 1; }
  kill -0 "$pid" 2>/dev/null || { echo "$name: not running"; exit 1; }
done
as_pg "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$SB_PG_PORT" || { echo "postgres: not ready"; exit 1; }
set -a; source "$SB_ENV_FILE"; set +a
"$SB_BIN/kubectl" get --raw /readyz >/dev/null || { echo "kube-apiserver: not ready"; exit 1; }
curl -fsS --cacert "$VAULT_CACERT" "$VAULT_ADDR/v1/sys/health" >/dev/null || { echo "vault: not healthy"; exit 1; }
if [ "$SB_NODE" = 1 ]; then
  for name in containerd kubelet kube-controller-manager kube-scheduler; do
    pid="$(cat "$SB_STACK_DIR/$name.pid" 2>/dev/null)" || { echo "$name: not started"; exit 1; }
    kill -0 "$pid" 2>/dev/null || { echo "$name: not running"; exit 1; }
  done
  ready="$("$SB_BIN/kubectl" get node "$SB_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)"
  [ "$ready" = True ] || { echo "node $SB_NODE_NAME: not Ready"; exit 1; }
fi
echo "stack: running ($SB_ENV_FILE)"
