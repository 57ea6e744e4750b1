#!/usr/bin/env bash
# The test stack's node (SB_NODE=1), in three steps up.sh runs:
#   node-up.sh network  before the servers start: records the host sysctls the node may
#                       change, and creates the CNI bridge with its gateway address, so
#                       Vault, PostgreSQL and kube-apiserver can listen where pods reach them;
#   node-up.sh runtime  in the background while the servers start: containerd (private
#                       config: own root, state, socket and runc root under the node
#                       directory; CRI with restrict_oom_score_adj, as the VM lacks
#                       CAP_SYS_RESOURCE), the pause image and the project's image imported
#                       (nothing is pulled);
#   node-up.sh start    once kube-apiserver is configured: the kubelet (cgroupfs, cgroup v1
#                       allowed, image GC off, webhook authn/z, no iptables chains),
#                       kube-controller-manager and kube-scheduler; then waits until the
#                       node is Ready and appends the node's settings to the env file.
# node-down.sh undoes all of it by name.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
d="$SB_NODE_DIR"
pki="$SB_STACK_DIR/pki"
tunables=(net.ipv4.ip_forward vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

network() {
  mkdir -p "$d"
  for key in "${tunables[@]}"; do printf '%s %s\n' "$key" "$(sysctl -n "$key")"; done >"$d/sysctl.orig"
  ip link show "$SB_NODE_BRIDGE" >/dev/null 2>&1 || ip link add "$SB_NODE_BRIDGE" type bridge
  ip addr replace "$SB_NODE_GATEWAY/${SB_NODE_SUBNET#*/}" dev "$SB_NODE_BRIDGE"
  ip link set "$SB_NODE_BRIDGE" up
}

# kubeconfig NAME CERT: a kubeconfig for the node's component NAME with client certificate CERT.
kubeconfig() {
  cat >"$d/$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: stack
  cluster: {server: "$KUBE_API_URL", certificate-authority: "$pki/ca.crt"}
users:
- name: $1
  user: {client-certificate: "$pki/$2.crt", client-key: "$pki/$2.key"}
contexts:
- name: stack
  context: {cluster: stack, user: $1}
current-context: stack
KC
}

containerd_up() {
  mkdir -p "$d/containerd" "$d/cni/net.d" "$d/cni/ipam"
  # No masquerading and no portmap: pods reach the host's gateway address, nothing else,
  # and the CNI plugins add no iptables rules.
  cat >"$d/cni/net.d/10-$SB_NODE_NET.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "$SB_NODE_NET", "plugins": [
  {"type": "bridge", "bridge": "$SB_NODE_BRIDGE", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "dataDir": "$d/cni/ipam",
            "ranges": [[{"subnet": "$SB_NODE_SUBNET", "gateway": "$SB_NODE_GATEWAY"}]],
            "routes": [{"dst": "0.0.0.0/0"}]}}]}
JSON
  cat >"$d/containerd/config.toml" <<TOML
version = 3
root = "$d/containerd/root"
state = "$d/containerd/state"
disabled_plugins = ["io.containerd.nri.v1.nri"]
[grpc]
  address = "$SB_CONTAINERD_SOCK"
[ttrpc]
  address = "$SB_CONTAINERD_SOCK.ttrpc"
[plugins.'io.containerd.internal.v1.opt']
  path = "$d/containerd/opt"
[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "$SB_PAUSE_IMAGE"
[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "$d/containerd/runc"
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$d/cni/net.d"
TOML
  start containerd "$SB_BIN/containerd" --config "$d/containerd/config.toml" --log-level warn
  wait_for containerd 20 "$SB_BIN/ctr" --address "$SB_CONTAINERD_SOCK" version
  local ctr=("$SB_BIN/ctr" --address "$SB_CONTAINERD_SOCK" -n k8s.io)
  # ctr warns on stderr that cgroup v1 is deprecated; that goes to the log, not the console.
  exec 3>>"$SB_STACK_DIR/logs/ctr.log"
  "${ctr[@]}" images import "$SB_CACHE_DIR/image/pause.docker.tar" >/dev/null 2>&3
  local version app
  version="$(node -p 'require(process.argv[1]).version' "$here/../../package.json")"
  app="${SB_IMAGE_DIR:-$SB_CACHE_DIR/image}/secrets-broker-$version.docker.tar"
  if [ -s "$app" ]; then
    "${ctr[@]}" images import "$app" >/dev/null 2>&3
    log "containerd up; images $SB_PAUSE_IMAGE and secrets-broker:$version imported"
  else
    log "containerd up; $app missing (npm run image:build), so only $SB_PAUSE_IMAGE is imported"
  fi
}

kubelet_up() {
  mkdir -p "$d/kubelet" "$d/pod-logs"
  kubeconfig kubelet kubelet
  cat >"$d/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: "$SB_NODE_GATEWAY"
port: $SB_KUBELET_PORT
readOnlyPort: 0
healthzPort: 0
tlsCertFile: "$pki/kubelet-serving.crt"
tlsPrivateKeyFile: "$pki/kubelet-serving.key"
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$pki/ca.crt"}
authorization: {mode: Webhook}
containerRuntimeEndpoint: "unix://$SB_CONTAINERD_SOCK"
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
podLogsDir: "$d/pod-logs"
# 100 turns image GC off: the imported images cannot be pulled again.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}
rotateCertificates: false
serverTLSBootstrap: false
makeIPTablesUtilChains: false
YAML
  start kubelet "$SB_BIN/kubelet" --config "$d/kubelet.yaml" --kubeconfig "$d/kubelet.kubeconfig" \
    --hostname-override "$SB_NODE_NAME" --node-ip "$SB_NODE_GATEWAY" --root-dir "$d/kubelet" --v 1
}

controllers_up() {
  kubeconfig controller-manager controller-manager
  kubeconfig scheduler scheduler
  start kube-controller-manager "$SB_BIN/kube-controller-manager" --kubeconfig "$d/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SB_KCM_PORT" --leader-elect=false --controllers '*' \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" --use-service-account-credentials \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --service-cluster-ip-range 10.96.0.0/16 --v 1
  start kube-scheduler "$SB_BIN/kube-scheduler" --kubeconfig "$d/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SB_SCHED_PORT" --leader-elect=false --v 1
}

node_ready() {
  [ "$("$SB_BIN/kubectl" get node "$SB_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

case "${1:-}" in
  network) network ;;
  runtime) containerd_up ;;
  start)
    set -a; source "$SB_ENV_FILE"; set +a
    # kube-apiserver's own client for logs and exec, through the kubelet's webhook authorization.
    "$SB_BIN/kubectl" create clusterrolebinding secrets-broker-stack:apiserver-kubelet \
      --clusterrole system:kubelet-api-admin --user kube-apiserver-kubelet-client >/dev/null
    controllers_up
    kubelet_up
    wait_for "node $SB_NODE_NAME" 120 node_ready
    cat >>"$SB_ENV_FILE" <<ENV
SB_NODE_NAME=$SB_NODE_NAME
SB_NODE_DIR=$d
SB_NODE_BRIDGE=$SB_NODE_BRIDGE
SB_NODE_NET=$SB_NODE_NET
CONTAINER_RUNTIME_ENDPOINT=unix://$SB_CONTAINERD_SOCK
CONTAINERD_ADDRESS=$SB_CONTAINERD_SOCK
ENV
    log "node $SB_NODE_NAME Ready (containerd, kubelet, kube-controller-manager, kube-scheduler)" ;;
  *) echo "usage: node-up.sh network|runtime|start" >&2; exit 2 ;;
esac
