# Shared paths and helpers for the test-stack scripts. Sourced, not run.
# The cache lives outside git: SB_CACHE_DIR, default ~/.cache/secrets-broker.
SB_CACHE_DIR="${SB_CACHE_DIR:-$HOME/.cache/secrets-broker}"
SB_BIN="$SB_CACHE_DIR/bin"
# Where a running stack keeps its state, certificates, logs and env file.
SB_STACK_DIR="${SB_STACK_DIR:-$SB_CACHE_DIR/stack}"
export SB_CACHE_DIR SB_BIN SB_STACK_DIR
export PATH="$SB_BIN:$PATH"
# Newer peers may need a newer Go than the machine has; the module proxy serves it.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/postgres" ] && { echo "$d"; return 0; }
  done
  return 1
}

peer_version() {
  case "$1" in
    etcd) "$SB_BIN/etcd" --version | head -1 ;;
    kube-apiserver) "$SB_BIN/kube-apiserver" --version ;;
    kubectl) "$SB_BIN/kubectl" version --client 2>/dev/null | head -1 ;;
    helm) "$SB_BIN/helm" version --short ;;
    vault) "$SB_BIN/vault" version ;;
    gitleaks) "$SB_BIN/gitleaks" version ;;
    kubelet|kube-controller-manager|kube-scheduler) "$SB_BIN/$1" --version ;;
    containerd|ctr) "$SB_BIN/$1" --version ;;
    containerd-shim-runc-v2) "$SB_BIN/$1" -v | awk '/Version:/ { print "containerd-shim-runc-v2", $2; exit }' ;;
    crictl) "$SB_BIN/crictl" --version ;;
  esac
}

# Loopback ports; override when they clash with something else on the machine.
SB_ETCD_PORT="${SB_ETCD_PORT:-23790}"
SB_KUBE_PORT="${SB_KUBE_PORT:-16443}"
SB_VAULT_PORT="${SB_VAULT_PORT:-18200}"
SB_PG_PORT="${SB_PG_PORT:-15432}"
# PostgreSQL refuses to run as root; as root the stack runs it as the postgres user in a
# directory that user can reach (the cache under /root is not).
SB_PG_DIR="${SB_PG_DIR:-/var/tmp/secrets-broker-stack-pg}"
SB_ENV_FILE="$SB_STACK_DIR/env"
export SB_ETCD_PORT SB_KUBE_PORT SB_VAULT_PORT SB_PG_PORT SB_PG_DIR SB_ENV_FILE

# The node (SB_NODE=1; off by default): containerd, kubelet, kube-controller-manager and
# kube-scheduler, pods on a CNI bridge whose gateway address is where pods reach the
# stack's servers. Every name below is the stack's own, so node-down.sh removes by name.
SB_NODE="${SB_NODE:-0}"
SB_NODE_NAME="${SB_NODE_NAME:-sb-node}"
SB_NODE_DIR="$SB_STACK_DIR/node"
SB_NODE_BRIDGE="${SB_NODE_BRIDGE:-sbnode0}"
SB_NODE_NET="secrets-broker-stack"
SB_NODE_SUBNET="${SB_NODE_SUBNET:-10.87.0.0/24}"
SB_NODE_GATEWAY="${SB_NODE_GATEWAY:-10.87.0.1}"
SB_KUBELET_PORT="${SB_KUBELET_PORT:-20250}"
SB_KCM_PORT="${SB_KCM_PORT:-20257}"
SB_SCHED_PORT="${SB_SCHED_PORT:-20259}"
SB_PAUSE_IMAGE="localhost/secrets-broker-pause:1"
SB_CONTAINERD_SOCK="$SB_NODE_DIR/containerd/containerd.sock"
export SB_NODE SB_NODE_NAME SB_NODE_DIR SB_NODE_BRIDGE SB_NODE_NET SB_NODE_SUBNET SB_NODE_GATEWAY \
  SB_KUBELET_PORT SB_KCM_PORT SB_SCHED_PORT SB_PAUSE_IMAGE SB_CONTAINERD_SOCK

log() { printf '[stack %5.1fs] %s\n' "$(awk "BEGIN{print $SECONDS}")" "$*"; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
  local what="$1" limit="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "stack: $what did not become ready within ${limit}s; see $SB_STACK_DIR/logs" >&2
      return 1
    fi
    sleep 0.2
  done
}

# start NAME COMMAND...: runs a daemon in the background, logs and pid under the stack dir.
# nohup execs the command in place, so $! is the daemon's own pid (setsid may fork).
start() {
  local name="$1"; shift
  nohup "$@" >>"$SB_STACK_DIR/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$SB_STACK_DIR/$name.pid"
}

# stop NAME...: TERM to the daemons `start` recorded, together; KILL to any left after 10 s.
stop() {
  local name pids=() pid
  for name in "$@"; do
    [ -f "$SB_STACK_DIR/$name.pid" ] || continue
    pids+=("$(cat "$SB_STACK_DIR/$name.pid")")
    rm -f "$SB_STACK_DIR/$name.pid"
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  return 0
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
