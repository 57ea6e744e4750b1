#!/usr/bin/env bash
# Builds the test stack's real peers from pinned Go modules into a cache outside git,
# and installs PostgreSQL, Chromium and the image tools from Debian packages when they are missing. Idempotent: a
# binary whose tools module (go.mod + go.sum) has not changed is not rebuilt.
#
#   bash test/stack/build.sh            # CI peers: vault, etcd, kube-apiserver, kubectl, helm, postgres, chromium,
#                                       # image tools, podman-compose, and the node: kubelet, kube-controller-manager,
#                                       # kube-scheduler, containerd (+ runc shim, ctr), crictl, runc + CNI plugins, the pause image
#   bash test/stack/build.sh gitleaks   # one or more named peers (the benchmarks use this; `node` names the node's set)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

# Kubernetes stamps its version at link time, as its own release build does.
kube_v=v1.36.3
kube_ldflags="-X k8s.io/component-base/version.gitVersion=$kube_v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36 -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$kube_v"

# name | tools module | package | output binary
peers=(
  "etcd|etcd|go.etcd.io/etcd/server/v3|etcd"
  "kube-apiserver|kube|k8s.io/kubernetes/cmd/kube-apiserver|kube-apiserver"
  "kubectl|kube|k8s.io/kubernetes/cmd/kubectl|kubectl"
  "kubelet|kube|k8s.io/kubernetes/cmd/kubelet|kubelet"
  "kube-controller-manager|kube|k8s.io/kubernetes/cmd/kube-controller-manager|kube-controller-manager"
  "kube-scheduler|kube|k8s.io/kubernetes/cmd/kube-scheduler|kube-scheduler"
  "containerd|containerd|github.com/containerd/containerd/v2/cmd/containerd|containerd"
  "containerd-shim-runc-v2|containerd|github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2|containerd-shim-runc-v2"
  "ctr|containerd|github.com/containerd/containerd/v2/cmd/ctr|ctr"
  "crictl|crictl|sigs.k8s.io/cri-tools/cmd/crictl|crictl"
  "helm|helm|helm.sh/helm/v4/cmd/helm|helm"
  "vault|vault|github.com/hashicorp/vault|vault"
  "gitleaks|gitleaks|github.com/zricethezav/gitleaks/v8|gitleaks"
)
default_set=(etcd kube-apiserver kubectl helm vault postgres chromium image-tools podman-compose)
node_set=(node-tools kubelet kube-controller-manager kube-scheduler containerd containerd-shim-runc-v2 ctr crictl pause)

want=()
for name in "$@"; do
  if [ "$name" = node ]; then want+=("${node_set[@]}"); else want+=("$name"); fi
done
if [ ${#want[@]} -eq 0 ]; then
  want=("${default_set[@]}" "${node_set[@]}")
fi

# The version a tools module requires of MODULE (its go.mod is the one place it is pinned).
module_version() { awk -v m="$2" '$1 == m { print $2; exit }' "$here/tools/$1/go.mod"; }

build_peer() {
  local name="$1" module pkg out
  for row in "${peers[@]}"; do
    IFS='|' read -r n module pkg out <<<"$row"
    [ "$n" = "$name" ] || continue
    local dir="$here/tools/$module"
    local ldflags="-s -w" tags=""
    case "$module" in
      kube) ldflags="$ldflags $kube_ldflags" ;;
      containerd)
        local cv; cv="$(module_version containerd github.com/containerd/containerd/v2)"
        ldflags="$ldflags -X github.com/containerd/containerd/v2/version.Version=$cv"
        # no devmapper/zfs snapshotters (overlayfs only); btrfs needs cgo and is left out anyway.
        tags="urfave_cli_no_docs no_devmapper no_zfs" ;;
      crictl) ldflags="$ldflags -X sigs.k8s.io/cri-tools/pkg/version.Version=$(module_version crictl sigs.k8s.io/cri-tools)" ;;
    esac
    local stamp; stamp="$( (cat "$dir/go.mod" "$dir/go.sum"; echo "$ldflags $tags") | sha256sum | cut -c1-16)"
    local bin="$SB_BIN/$out"
    if [ -x "$bin" ] && [ "$(cat "$bin.stamp" 2>/dev/null)" = "$stamp" ]; then
      printf '%-15s cached   %s\n' "$name" "$(peer_version "$name")"
      return 0
    fi
    local t0=$SECONDS
    # -trimpath and no VCS stamping keep the build reproducible; CGO off gives static binaries.
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -tags="$tags" -ldflags="$ldflags" -o "$bin.tmp" "$pkg")
    mv "$bin.tmp" "$bin"
    echo "$stamp" >"$bin.stamp"
    printf '%-15s built    %s (%ss)\n' "$name" "$(peer_version "$name")" "$((SECONDS - t0))"
    return 0
  done
  echo "unknown peer: $name" >&2
  return 2
}

apt_updated=""
apt_install() {
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  [ -n "$apt_updated" ] || { $sudo apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_postgres() {
  if pg_bindir >/dev/null 2>&1; then
    printf '%-15s present  %s\n' postgres "$("$(pg_bindir)/postgres" --version)"
    return 0
  fi
  apt_install postgresql
  printf '%-15s installed %s\n' postgres "$("$(pg_bindir)/postgres" --version)"
}

# Headless Chromium renders the audit report in its browser test.
install_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    printf '%-15s present  %s\n' chromium "$(chromium --version 2>/dev/null)"
    return 0
  fi
  apt_install chromium
  printf '%-15s installed %s\n' chromium "$(chromium --version 2>/dev/null)"
}

# buildah builds the image from the Dockerfile without a Docker engine (npm run image:build),
# debootstrap makes its base, runc runs it in the image tests, podman and podman-compose run
# the compose quickstart (with CNI networking and its DNS plugin, so services find each other
# by name).
install_image_tools() {
  local missing=() tool pkg
  for tool in buildah:buildah runc:runc debootstrap:debootstrap skopeo:skopeo podman:podman \
    /usr/lib/cni/bridge:containernetworking-plugins /usr/lib/cni/dnsname:golang-github-containernetworking-plugin-dnsname; do
    IFS=: read -r tool pkg <<<"$tool"
    command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}" fuse-overlayfs uidmap
  printf '%-15s present  %s; %s; %s\n' image-tools "$(buildah --version)" "$(runc --version | head -1)" "$(podman --version)"
}

# podman-compose from PyPI, pinned, in a virtual environment of its own: Debian's 1.0.3
# ignores volume driver options and dependency conditions.
podman_compose_version=1.6.0
install_podman_compose() {
  local venv="$SB_CACHE_DIR/venv/podman-compose"
  if [ -x "$venv/bin/podman-compose" ] && "$venv/bin/pip" show podman-compose 2>/dev/null | grep -qx "Version: $podman_compose_version"; then
    ln -sf "$venv/bin/podman-compose" "$SB_BIN/podman-compose"
    printf '%-15s cached   %s\n' podman-compose "$podman_compose_version"
    return 0
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "podman-compose==$podman_compose_version"
  ln -sf "$venv/bin/podman-compose" "$SB_BIN/podman-compose"
  printf '%-15s installed %s\n' podman-compose "$podman_compose_version"
}

# The node runs containers with Debian's runc on Debian's CNI plugins; gcc builds the pause program.
install_node_tools() {
  local missing=() tool pkg
  for tool in runc:runc /usr/lib/cni/bridge:containernetworking-plugins iptables:iptables gcc:gcc /usr/lib/x86_64-linux-gnu/libc.a:libc6-dev; do
    IFS=: read -r tool pkg <<<"$tool"
    command -v "$tool" >/dev/null 2>&1 || [ -e "$tool" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  printf '%-15s present  %s; CNI plugins %s\n' node-tools "$(runc --version | head -1)" \
    "$(dpkg-query -W -f '${Version}' containernetworking-plugins 2>/dev/null)"
}

# The sandbox image: pause.c, static, alone in an image made from scratch, written as a
# docker-archive that node-up.sh imports into containerd under $SB_PAUSE_IMAGE.
build_pause() {
  local src="$here/pause/pause.c" out="$SB_CACHE_DIR/image/pause.docker.tar" stamp
  stamp="$( (cat "$src"; echo "$SB_PAUSE_IMAGE") | sha256sum | cut -c1-16)"
  if [ -s "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
    printf '%-15s cached   %s\n' pause "$SB_PAUSE_IMAGE"
    return 0
  fi
  mkdir -p "$(dirname "$out")"
  gcc -static -Os -s -Wall -Wextra -Werror -o "$SB_BIN/pause" "$src"
  local ctr; ctr="$(buildah from scratch)"
  buildah copy --quiet "$ctr" "$SB_BIN/pause" /pause >/dev/null
  buildah config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
  buildah commit --quiet --rm "$ctr" "$SB_PAUSE_IMAGE" >/dev/null
  rm -f "$out"
  buildah push --quiet "$SB_PAUSE_IMAGE" "docker-archive:$out:$SB_PAUSE_IMAGE" >/dev/null
  echo "$stamp" >"$out.stamp"
  printf '%-15s built    %s (%s)\n' pause "$SB_PAUSE_IMAGE" "$out"
}

mkdir -p "$SB_BIN"
for name in "${want[@]}"; do
  case "$name" in
    node-tools) install_node_tools ;;
    pause) build_pause ;;
    postgres) install_postgres ;;
    chromium) install_chromium ;;
    image-tools) install_image_tools ;;
    podman-compose) install_podman_compose ;;
    *) build_peer "$name" ;;
  esac
done
