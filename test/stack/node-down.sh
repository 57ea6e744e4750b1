#!/usr/bin/env bash
# Takes the node down and removes what node-up.sh and its pods made, each thing by its own
# name: kube-scheduler, kube-controller-manager and the kubelet stop first (so nothing
# recreates pods), then every pod sandbox is stopped and removed through containerd (which
# runs the CNI DEL), containerd stops, leftover runc containers and shims (found by the
# node's own runc root and socket) are killed, every mount under the node directory (pod
# volumes, rootfs overlays, network namespaces) is unmounted, the bridge, the kubelet's
# iptables chains, the CNI network's cached results, the pod cgroups and what the kubelet
# and the shim put at fixed host paths (the device-plugin socket, /var/log/containers links
# into the node directory, /run/containerd/s) are removed, the host sysctls the node changed
# are put back, and the node directory is deleted. Shared directories go only when empty.
# A no-op when this stack ran no node (no node directory): the host-wide names (the bridge,
# the CNI network, the kubelet's chains) may belong to another stack's node on this host,
# and a stack without one must never take them. Logs stay under the stack's logs directory.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
[ -d "$SB_NODE_DIR" ] || exit 0

stop kube-scheduler kube-controller-manager kubelet
if [ -S "$SB_CONTAINERD_SOCK" ] && [ -x "$SB_BIN/crictl" ]; then
  timeout 60 "$SB_BIN/crictl" --runtime-endpoint "unix://$SB_CONTAINERD_SOCK" --timeout 20s rmp --all --force >/dev/null 2>&1
fi
stop containerd

runc_root="$SB_NODE_DIR/containerd/runc"
if [ -d "$runc_root" ]; then
  for ns in "$runc_root"/*; do
    [ -d "$ns" ] || continue
    for id in $(runc --root "$ns" list -q 2>/dev/null); do runc --root "$ns" delete --force "$id" >/dev/null 2>&1; done
  done
fi
# Shims outlive containerd by design; ours are the ones started with our socket address.
for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $SB_CONTAINERD_SOCK( |$)" 2>/dev/null); do
  kill -KILL "$pid" 2>/dev/null
done

# Deepest first; a lazy unmount for what is still busy.
if [ -d "$SB_NODE_DIR" ]; then
  findmnt -rn -o TARGET | awk -v d="$SB_NODE_DIR" 'index($0, d "/") == 1 || $0 == d' | sort -r |
    while read -r target; do umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null; done
fi

ip link show "$SB_NODE_BRIDGE" >/dev/null 2>&1 && ip link delete "$SB_NODE_BRIDGE"
# The kubelet's chains (makeIPTablesUtilChains is off; an older run may have made them, and
# no kube-proxy runs, so nothing else uses them).
for ipt in iptables ip6tables; do
  command -v "$ipt" >/dev/null 2>&1 || continue
  for hook in INPUT OUTPUT; do
    while "$ipt" -w -t filter -D "$hook" -j KUBE-FIREWALL 2>/dev/null; do :; done
  done
  for table in mangle nat filter; do
    for chain in KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT KUBE-FIREWALL; do
      "$ipt" -w -t "$table" -F "$chain" 2>/dev/null && "$ipt" -w -t "$table" -X "$chain" 2>/dev/null
    done
  done
done
rm -f /var/lib/cni/results/"$SB_NODE_NET"-* /var/lib/cni/cache/results/"$SB_NODE_NET"-* 2>/dev/null
find /var/log/containers -maxdepth 1 -type l -lname "$SB_NODE_DIR/*" -delete 2>/dev/null
rm -f /var/lib/kubelet/device-plugins/kubelet.sock
for dir in /var/lib/cni/results /var/lib/cni /var/log/containers /var/lib/kubelet/device-plugins /var/lib/kubelet \
  /run/containerd/s /run/containerd; do
  rmdir "$dir" 2>/dev/null
done
# Pod cgroups (cgroupfs driver): the kubelet's kubepods tree in every v1 hierarchy.
for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
  [ -d "$root" ] && find "$root" -depth -type d -exec rmdir {} + 2>/dev/null
done

# sysctl.orig holds "key value" lines written by node-up.sh before anything changed them.
if [ -f "$SB_NODE_DIR/sysctl.orig" ]; then
  while read -r key value; do sysctl -qw "$key=$value" >/dev/null 2>&1; done <"$SB_NODE_DIR/sysctl.orig"
fi
rm -rf "$SB_NODE_DIR"
exit 0
