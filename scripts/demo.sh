#!/usr/bin/env bash
# npm run demo: the secrets-broker story in real pods on the test stack's node, no Docker.
#
#  1. the test stack with its node (SB_NODE=1: kube-apiserver, etcd, Vault, PostgreSQL,
#     containerd, kubelet): reused when running with a node, started otherwise (and taken
#     down again at the end);
#  2. the image (npm run image:build, cached) and the Helm chart (npm run stack:install):
#     the injector runs as a Deployment behind its Service;
#  3. a pod created from YAML asks for a secret; the app, a small node script in the
#     project's image, prints what it reads (one field, and the length of the other);
#  4. a new version in Vault: the sidecar rewrites the file and sends SIGHUP, the app
#     prints the new greeting;
#  5. the pod is deleted: the sidecar revokes its Vault token, and its audit trail (from
#     kubectl logs) is queried and verified.
#
# Exit 0 when every step worked. Leaves no process, pod, namespace or mount behind, on
# success, on failure and on Ctrl-C. Secret values are never printed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export SB_NODE=1
# shellcheck source=../test/stack/lib.sh
source "$repo/test/stack/lib.sh"

t0=$(date +%s%N)
step() { printf '\n\033[1m== %s\033[0m (%.1fs)\n' "$*" "$(( ($(date +%s%N) - t0) / 1000000 ))e-3"; }
info() { printf '   %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
cli() { node "$repo/dist/src/cli/bin.js" "$@"; }
k() { "$SB_BIN/kubectl" "$@"; }

id="$(date +%s)-$$"
ns="sb-demo-$id"
work="$(mktemp -d /tmp/secrets-broker-demo.XXXXXX)"
started_stack=""
logs_pid=""

# The terminal's stdout and stderr, for cleanup: a Ctrl-C that lands while a shell function
# runs with its output redirected (wait_for's `k ... >/dev/null`) runs the traps with the
# redirection still in place.
exec 3>&1 4>&2
cleanup() {
  local rc=$?
  set +e
  trap - INT TERM
  exec 1>&3 2>&4
  [ -n "$logs_pid" ] && kill "$logs_pid" 2>/dev/null && wait "$logs_pid" 2>/dev/null
  if [ $rc -ne 0 ] && [ -n "${KUBECONFIG:-}" ]; then
    echo "--- the demo's pods and events" >&2
    k -n "$ns" get pods -o wide >&2 2>/dev/null
    k -n "$ns" get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 10 >&2
  fi
  if [ -n "$started_stack" ]; then
    bash "$repo/test/stack/down.sh" >/dev/null 2>&1
  elif [ -n "${KUBECONFIG:-}" ]; then
    k delete namespace "$ns" --ignore-not-found --wait=true --timeout=90s >/dev/null 2>&1
  fi
  rm -rf "$work"
  [ $rc -eq 0 ] && printf '\ndemo: done in %ss\n' "$(( ($(date +%s%N) - t0) / 1000000000 ))" || echo "demo: FAILED (exit $rc)" >&2
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $1 seconds for the command in "${@:2}" to succeed.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# Vault's HTTP API with the stack's root token, which stays out of argv and the output.
vault_api() {
  node -e '
    const [method, path, body] = process.argv.slice(1);
    const req = require("https").request(new URL("/v1/" + path, process.env.VAULT_ADDR), {
      method, ca: require("fs").readFileSync(process.env.VAULT_CACERT),
      headers: { "X-Vault-Token": process.env.VAULT_TOKEN, "Content-Type": "application/json" } },
      (res) => { let t = ""; res.on("data", (d) => (t += d)); res.on("end", () => {
        process.stdout.write(JSON.stringify({ status: res.statusCode, body: t ? JSON.parse(t) : null })); }); });
    req.on("error", (e) => { console.error(e.message); process.exit(1); });
    req.end(body);' "$@"
}
put_secret() {
  local password; password="$(node -p 'require("crypto").randomBytes(18).toString("base64url")')"
  vault_api POST "$vault_path" "{\"data\":{\"greeting\":\"$1\",\"password\":\"$password\"}}" >/dev/null
}

# ---------------------------------------------------------------------------------------
step "1. the test stack and its node"
[ -f "$repo/dist/src/cli/bin.js" ] || { info "building (npm run build)"; npm run --silent build; }
for tool in kubectl helm vault kubelet containerd; do
  [ -x "$SB_BIN/$tool" ] || die "$SB_BIN/$tool is missing: run npm run stack:build"
done
if bash "$repo/test/stack/status.sh" >/dev/null 2>&1; then
  grep -q '^SB_NODE=1$' "$SB_ENV_FILE" || die "the running stack has no node: npm run stack:down, then npm run demo"
  info "reusing the running stack ($SB_ENV_FILE)"
else
  info "starting it (SB_NODE=1 npm run stack:up)"
  started_stack=1
  bash "$repo/test/stack/up.sh" >"$work/stack.log" 2>&1 || { tail -n 20 "$work/stack.log" >&2; die "the stack did not start"; }
fi
set -a; source "$SB_ENV_FILE"; set +a
export KUBECONFIG
info "kube-apiserver $KUBE_API_URL, Vault $VAULT_ADDR, node $(k get nodes -o jsonpath='{.items[0].metadata.name} {.items[0].status.nodeInfo.containerRuntimeVersion}')"

# ---------------------------------------------------------------------------------------
step "2. the image and the Helm chart"
bash "$repo/scripts/image/build.sh" 2>"$work/image.log" >/dev/null || { tail -n 20 "$work/image.log" >&2; die "npm run image:build failed"; }
bash "$repo/test/stack/install.sh" 2>&1 | sed 's/^\[stack *[0-9.]*s\] /   /'
image="secrets-broker:$(node -p 'require("./package.json").version')"

# ---------------------------------------------------------------------------------------
step "3. a pod asks for a secret"
vault_path="secret/data/app/demo-$id"
put_secret "hello, version 1"
info "Vault: $vault_path version 1 (a greeting and a generated password)"
k create namespace "$ns" >/dev/null
k label namespace "$ns" pod-security.kubernetes.io/enforce=restricted secrets-broker-stack=enabled >/dev/null
k -n "$ns" create serviceaccount app >/dev/null
wait_for 60 k -n "$ns" get configmap kube-root-ca.crt || die "no kube-root-ca.crt in $ns"
cat >"$work/pod.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: $ns
  annotations:
    secrets-broker.io/inject: "true"
    secrets-broker.io/role: app
    secrets-broker.io/secret-config: $vault_path
    secrets-broker.io/file-config: config.json
    secrets-broker.io/rotate-interval: 10s
    secrets-broker.io/notify: signal:SIGHUP
spec:
  serviceAccountName: app
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: web
      image: $image
      imagePullPolicy: IfNotPresent
      command: [node, -e]
      args:
        - |
          const fs = require('node:fs'); const file = '/secrets/config.json';
          const show = (why) => { const c = JSON.parse(fs.readFileSync(file, 'utf8'));
            console.log(why + ': greeting "' + c.greeting + '", password of ' + c.password.length + ' characters'); };
          show('started'); process.on('SIGHUP', () => show('SIGHUP')); setInterval(() => {}, 1e9);
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
      resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {cpu: 500m, memory: 128Mi}}
YAML
sed -n '/annotations:/,/notify/p' "$work/pod.yaml" | sed 's/^/   /'
apply_ns=$(date +%s%N)
k apply -f "$work/pod.yaml" | sed 's/^/   /'
wait_for 120 k -n "$ns" wait pod/web --for=condition=Ready --timeout=2s || die "the pod did not become Ready"
info "kubectl apply to Ready: $(( ($(date +%s%N) - apply_ns) / 1000000 )) ms"
k -n "$ns" get pod web -o go-template='{{range .spec.initContainers}}   init container {{.name}} (restartPolicy {{.restartPolicy}}) runs as {{.securityContext.runAsUser}}{{"\n"}}{{end}}{{range .spec.volumes}}{{if .emptyDir}}   volume {{.name}}: emptyDir medium {{.emptyDir.medium}} sizeLimit {{.emptyDir.sizeLimit}}{{"\n"}}{{end}}{{end}}'
info "the app says: $(k -n "$ns" logs web -c web | tail -n 1)"
k -n "$ns" exec web -c web -- node -e 'const s=require("fs").statSync("/secrets/config.json"); const m=require("fs").readFileSync("/proc/mounts","utf8").split("\n").find((l)=>l.split(" ")[1]==="/secrets"); console.log("   /secrets/config.json mode " + (s.mode & 0o777).toString(8) + ", uid " + s.uid + ", gid " + s.gid + "; " + m.split(" ").slice(0, 3).join(" "))'

# ---------------------------------------------------------------------------------------
step "4. the secret changes in Vault; the app is told"
k -n "$ns" logs -f web -c secrets-broker >"$work/sidecar.log" 2>&1 &
logs_pid=$!
put_secret "hello, version 2"
info "Vault: $vault_path version 2; the pod's rotate-interval is 10s"
rot_ns=$(date +%s%N)
app_said() { k -n "$ns" logs web -c web | grep -qF "$1"; }
wait_for 30 app_said 'SIGHUP: greeting "hello, version 2"' || die "the app did not see version 2 within 30 s"
info "after $(( ($(date +%s%N) - rot_ns) / 1000000 )) ms the app says: $(k -n "$ns" logs web -c web | tail -n 1)"

# ---------------------------------------------------------------------------------------
step "5. the pod is deleted; the audit trail"
k -n "$ns" delete pod web --wait=true | sed 's/^/   /'
wait "$logs_pid" || true
logs_pid=""
accessor="$(node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n")) { try { const r = JSON.parse(l); if (r.event === "auth.login" && r.vault && r.vault.accessor) { console.log(r.vault.accessor); break; } } catch {} }' "$work/sidecar.log")"
[ -n "$accessor" ] || die "no auth.login record in the sidecar's logs"
status="$(vault_api POST auth/token/lookup-accessor "{\"accessor\":\"$accessor\"}" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).status')"
[ "$status" = 400 ] || die "the pod's Vault token is still valid after deletion (lookup-accessor: HTTP $status)"
info "the sidecar revoked its Vault token on shutdown: lookup-accessor answers HTTP $status"
info "kubectl logs web -c secrets-broker | secrets-broker audit query --event secret.read,secret.rotate,auth.revoke -"
cli audit query --event secret.read,secret.rotate,auth.revoke - <"$work/sidecar.log" | sed 's/^/   /'
info "kubectl logs web -c secrets-broker | secrets-broker audit verify -"
cli audit verify - <"$work/sidecar.log" | sed 's/^/   /'
