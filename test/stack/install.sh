#!/usr/bin/env bash
# `npm run stack:install`: installs the Helm chart into a running stack with a node
# (SB_NODE=1 npm run stack:up), as an operator would in a real cluster:
#   - the project's image is in the node's containerd under the name the chart uses
#     (secrets-broker:<version>, which containerd calls docker.io/library/...); the
#     docker-archive from `npm run image:build` is imported when it is missing or differs;
#     nothing is ever pulled (imagePullPolicy IfNotPresent with that tag);
#   - the injector runs as the chart's Deployment (one replica: one node) in namespace
#     secrets-broker, labelled for the restricted Pod Security level, behind its Service;
#     the webhook is registered by service (kube-apiserver dials the endpoint itself);
#   - the sidecars reach Vault at POD_VAULT_ADDR and trust the stack's CA through the
#     ConfigMap kube-root-ca.crt the controller-manager puts in every namespace (the stack
#     has one CA, which signed Vault's certificate too);
#   - only namespaces labelled secrets-broker-stack=enabled (SB_INSTALL_SELECTOR) are sent
#     to the webhook, so the other end-to-end tests' own webhooks never meet it; a second
#     release (SB_INSTALL_RELEASE, SB_INSTALL_NAMESPACE) with its own label value runs beside it.
# Waits until the Deployment is rolled out and its endpoint is ready. A second run upgrades
# in place (helm upgrade --install). Extra arguments go to helm (--set injector.logLevel=debug).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
repo="$(cd "$here/../.." && pwd)"

fail() { echo "stack:install: $*" >&2; exit 2; }
[ -f "$SB_ENV_FILE" ] && bash "$here/status.sh" >/dev/null 2>&1 ||
  fail "no running stack ($SB_ENV_FILE); run: SB_NODE=1 npm run stack:up"
set -a; source "$SB_ENV_FILE"; set +a
[ "${SB_NODE:-0}" = 1 ] && [ -n "${CONTAINERD_ADDRESS:-}" ] ||
  fail "the running stack has no node; run: npm run stack:down && SB_NODE=1 npm run stack:up"
[ -x "$SB_BIN/helm" ] || fail "helm is not built; run: npm run stack:build"

SB_INSTALL_NAMESPACE="${SB_INSTALL_NAMESPACE:-secrets-broker}"
SB_INSTALL_RELEASE="${SB_INSTALL_RELEASE:-secrets-broker}"
SB_INSTALL_SELECTOR="${SB_INSTALL_SELECTOR:-enabled}"
version="$(node -p 'require(process.argv[1]).version' "$repo/package.json")"
archive="${SB_IMAGE_DIR:-$SB_CACHE_DIR/image}/secrets-broker-$version.docker.tar"
ref="docker.io/library/secrets-broker:$version"
kubectl=("$SB_BIN/kubectl")

# --- the image ------------------------------------------------------------------------
[ -s "$archive" ] || fail "$archive missing; run: npm run image:build"
# The archive's config digest is the image id containerd reports for it.
want="sha256:$(tar -xOf "$archive" manifest.json | node -e \
  'console.log(JSON.parse(require("fs").readFileSync(0, "utf8"))[0].Config.replace(/^(blobs\/)?(sha256[:/])?/, "").replace(/\.json$/, ""))')"
have="$("$SB_BIN/crictl" --runtime-endpoint "$CONTAINER_RUNTIME_ENDPOINT" inspecti -o go-template --template '{{.status.id}}' "$ref" 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  "$SB_BIN/ctr" --address "$CONTAINERD_ADDRESS" -n k8s.io images import "$archive" >/dev/null 2>>"$SB_STACK_DIR/logs/ctr.log"
  log "image $ref imported into the node's containerd (${want:0:19})"
else
  log "image $ref already in the node's containerd (${want:0:19})"
fi

# --- the chart ------------------------------------------------------------------------
"${kubectl[@]}" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $SB_INSTALL_NAMESPACE
  labels: {pod-security.kubernetes.io/enforce: restricted}
YAML
values="$SB_STACK_DIR/install-values-$SB_INSTALL_RELEASE.yaml"
cat >"$values" <<YAML
image: {pullPolicy: IfNotPresent}
sidecar: {pullPolicy: IfNotPresent}
vault:
  addr: "$POD_VAULT_ADDR"
  caConfigMap: kube-root-ca.crt
  caKey: ca.crt
injector:
  replicas: 1
  # One node: the default one-replica-per-node anti-affinity would leave a rolling
  # update's surge pod pending.
  affinity: null
  # A rebuilt image under the same tag rolls the injector.
  podAnnotations: {secrets-broker-stack/image-id: "$want"}
webhook:
  namespaceSelector:
    matchLabels: {secrets-broker-stack: "$SB_INSTALL_SELECTOR"}
YAML
"$SB_BIN/helm" upgrade --install "$SB_INSTALL_RELEASE" "$repo/helm/secrets-broker" --namespace "$SB_INSTALL_NAMESPACE" \
  --kubeconfig "$KUBECONFIG" -f "$values" "$@" >"$SB_STACK_DIR/logs/helm-install.log"
log "chart installed as release $SB_INSTALL_RELEASE in namespace $SB_INSTALL_NAMESPACE"

deploy="$("${kubectl[@]}" -n "$SB_INSTALL_NAMESPACE" get deployment -l "app.kubernetes.io/instance=$SB_INSTALL_RELEASE" -o name)"
"${kubectl[@]}" -n "$SB_INSTALL_NAMESPACE" rollout status "$deploy" --timeout=180s >/dev/null ||
  { echo "stack:install: $deploy did not become Ready; kubectl -n $SB_INSTALL_NAMESPACE describe $deploy" >&2; exit 1; }
svc="${deploy#deployment.apps/}"
endpoint_ready() {
  "${kubectl[@]}" -n "$SB_INSTALL_NAMESPACE" get endpointslices -l "kubernetes.io/service-name=$svc" \
    -o jsonpath='{.items[*].endpoints[*].conditions.ready}' | grep -qw true
}
wait_for "endpoint of service $svc" 60 endpoint_ready
log "injector $deploy Ready behind service $svc; label a namespace secrets-broker-stack=$SB_INSTALL_SELECTOR to use it"
