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
  esac
}
