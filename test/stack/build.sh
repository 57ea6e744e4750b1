#!/usr/bin/env bash
# Builds the test stack's real peers from pinned Go modules into a cache outside git,
# and installs PostgreSQL from Debian packages when it is missing. Idempotent: a
# binary whose tools module (go.mod + go.sum) has not changed is not rebuilt.
#
#   bash test/stack/build.sh            # CI peers: vault, etcd, kube-apiserver, kubectl, helm, postgres
#   bash test/stack/build.sh gitleaks   # one or more named peers (the benchmarks use this)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

# name | tools module | package | output binary
peers=(
  "etcd|etcd|go.etcd.io/etcd/server/v3|etcd"
  "kube-apiserver|kube|k8s.io/kubernetes/cmd/kube-apiserver|kube-apiserver"
  "kubectl|kube|k8s.io/kubernetes/cmd/kubectl|kubectl"
  "helm|helm|helm.sh/helm/v4/cmd/helm|helm"
  "vault|vault|github.com/hashicorp/vault|vault"
  "gitleaks|gitleaks|github.com/zricethezav/gitleaks/v8|gitleaks"
)
default_set=(etcd kube-apiserver kubectl helm vault postgres)

want=("$@")
[ ${#want[@]} -gt 0 ] || want=("${default_set[@]}")

build_peer() {
  local name="$1" module pkg out
  for row in "${peers[@]}"; do
    IFS='|' read -r n module pkg out <<<"$row"
    [ "$n" = "$name" ] || continue
    local dir="$here/tools/$module"
    local stamp; stamp="$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-16)"
    local bin="$SB_BIN/$out"
    if [ -x "$bin" ] && [ "$(cat "$bin.stamp" 2>/dev/null)" = "$stamp" ]; then
      printf '%-15s cached   %s\n' "$name" "$(peer_version "$name")"
      return 0
    fi
    local t0=$SECONDS
    # -trimpath and no VCS stamping keep the build reproducible; CGO off gives static binaries.
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$bin.tmp" "$pkg")
    mv "$bin.tmp" "$bin"
    echo "$stamp" >"$bin.stamp"
    printf '%-15s built    %s (%ss)\n' "$name" "$(peer_version "$name")" "$((SECONDS - t0))"
    return 0
  done
  echo "unknown peer: $name" >&2
  return 2
}

install_postgres() {
  if pg_bindir >/dev/null 2>&1; then
    printf '%-15s present  %s\n' postgres "$("$(pg_bindir)/postgres" --version)"
    return 0
  fi
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  printf '%-15s installed %s\n' postgres "$("$(pg_bindir)/postgres" --version)"
}

mkdir -p "$SB_BIN"
for name in "${want[@]}"; do
  if [ "$name" = postgres ]; then install_postgres; else build_peer "$name"; fi
done
