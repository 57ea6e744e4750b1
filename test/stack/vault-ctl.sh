#!/usr/bin/env bash
# vault-ctl.sh stop|start: stops the stack's Vault server, or starts it again and unseals it
# (its data survives: file storage). The e2e tests use it to take Vault away mid-run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
set -a; source "$SB_ENV_FILE"; set +a
pidfile="$SB_STACK_DIR/vault.pid"
case "${1:-}" in
  stop)
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true ;;
  start)
    start vault "$SB_BIN/vault" server -config "$VAULT_CONFIG" -log-level warn
    wait_for vault 20 curl -sS --cacert "$VAULT_CACERT" "$VAULT_ADDR/v1/sys/health"
    "$SB_BIN/vault" operator unseal "$VAULT_UNSEAL_KEY" >/dev/null ;;
  *) echo "usage: vault-ctl.sh stop|start" >&2; exit 2 ;;
esac
