#!/usr/bin/env bash
# npm run demo: the whole secrets-broker story on the test stack, without Docker.
#
#  1. the test stack (kube-apiserver + etcd, Vault, PostgreSQL on loopback): reused when
#     running, started otherwise (and stopped again at the end);
#  2. the injector on 127.0.0.1 with the stack's serving certificate, registered by the Helm
#     chart (webhook.url) for this demo's namespace only;
#  3. a pod that asks for a secret, created with kubectl: the apiserver stores it mutated;
#  4. the sidecar for that pod, run here with the pod's own bound service-account token
#     (no kubelet runs on the stack): Vault kubernetes auth, the file on a tmpfs;
#  5. a new version of the secret in Vault, and the file following it;
#  6. SIGTERM (token revoked), then the audit trail: query and verify.
#
# Exit 0 when every step worked, non-zero otherwise. Secret values are never printed: the
# demo shows file names, modes, field names and lengths, and one non-secret field.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=../test/stack/lib.sh
source "$repo/test/stack/lib.sh"

t0=$(date +%s%N)
step() { printf '\n\033[1m== %s\033[0m (%.1fs)\n' "$*" "$(( ($(date +%s%N) - t0) / 1000000 ))e-3"; }
info() { printf '   %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
cli() { node "$repo/dist/src/cli/bin.js" "$@"; }

id="$(date +%s)-$$"
ns="sb-demo-$id"                  # the application's namespace
sysns="sb-demo-system-$id"        # the chart's release namespace (never injected)
release="sb-demo-$id"
work="/dev/shm/secrets-broker-demo-$id"     # tmpfs: the pod's emptyDir (medium: Memory)
link="/tmp/secrets-broker-demo-$id"         # the spec's mount path must not be under /dev
started_stack=""
injector_pid=""
sidecar_pid=""

cleanup() {
  local rc=$?
  set +e
  [ -n "$sidecar_pid" ] && kill "$sidecar_pid" 2>/dev/null && wait "$sidecar_pid" 2>/dev/null
  [ -n "$injector_pid" ] && kill "$injector_pid" 2>/dev/null && wait "$injector_pid" 2>/dev/null
  if [ -n "${KUBECONFIG:-}" ]; then
    "$SB_BIN/helm" uninstall "$release" -n "$sysns" >/dev/null 2>&1
    "$SB_BIN/kubectl" delete namespace "$ns" "$sysns" --wait=false >/dev/null 2>&1
  fi
  [ $rc -ne 0 ] && [ -d "$work" ] && for f in injector.log sidecar.log; do
    [ -s "$work/$f" ] && { echo "--- last lines of $f" >&2; tail -n 15 "$work/$f" >&2; }
  done
  rm -rf "$work" "$link"
  [ -n "$started_stack" ] && bash "$repo/test/stack/down.sh" >/dev/null 2>&1
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

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# Vault's HTTP API with the stack's root token, which stays out of argv and the output.
vault_api() {
  node -e '
    const [method, path, body] = process.argv.slice(1);
    const req = require("https").request(new URL("/v1/" + path, process.env.VAULT_ADDR), {
      method, ca: require("fs").readFileSync(process.env.VAULT_CACERT),
      headers: { "X-Vault-Token": process.env.VAULT_TOKEN, "Content-Type": "application/json" } },
      (res) => { let t = ""; res.on("data", (d) => (t += d)); res.on("end", () => {
        if (res.statusCode >= 400) { console.error(`vault ${method} ${path}: HTTP ${res.statusCode}`); process.exit(1); }
        process.stdout.write(t); }); });
    req.on("error", (e) => { console.error(e.message); process.exit(1); });
    req.end(body);' "$@"
}

# The file's mode, owner, size, and its fields with every value hidden but `greeting`.
show_file() {
  node -e '
    const fs = require("fs"); const f = process.argv[1]; const st = fs.statSync(f);
    const data = JSON.parse(fs.readFileSync(f, "utf8"));
    const fields = Object.entries(data).map(([k, v]) => k === "greeting" ? `${k}=${JSON.stringify(v)}` : `${k}=<${String(v).length} chars>`);
    console.log(`   ${f}: mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}, ${st.size} bytes; ${fields.join(", ")}`);' "$1"
}

# ---------------------------------------------------------------------------------------
step "1. test stack"
[ -f "$repo/dist/src/cli/bin.js" ] || { info "building (npm run build)"; npm run --silent build; }
for tool in kubectl helm vault; do
  [ -x "$SB_BIN/$tool" ] || die "$SB_BIN/$tool is missing: run npm run stack:build"
done
if bash "$repo/test/stack/status.sh" >/dev/null 2>&1; then
  info "reusing the running stack ($SB_ENV_FILE)"
else
  info "starting it (npm run stack:up)"
  bash "$repo/test/stack/up.sh" >/dev/null
  started_stack=1
fi
set -a; source "$SB_ENV_FILE"; set +a
export KUBECONFIG
k() { "$SB_BIN/kubectl" "$@"; }
info "kube-apiserver $KUBE_API_URL, Vault $VAULT_ADDR"
mkdir -m 0700 "$work"
mkdir -m 0750 "$work/secrets"
ln -s "$work" "$link"

# ---------------------------------------------------------------------------------------
step "2. injector on 127.0.0.1, registered by the Helm chart"
port="$(free_port)"
INJECTOR_PORT="$port" INJECTOR_BIND_ADDRESS=127.0.0.1 \
INJECTOR_TLS_CERT_FILE="$STACK_SERVER_CERT" INJECTOR_TLS_KEY_FILE="$STACK_SERVER_KEY" \
INJECTOR_NAMESPACE="$sysns" VAULT_ADDR="$VAULT_ADDR" SIDECAR_IMAGE="secrets-broker:$(node -p 'require("./package.json").version')" \
INJECTOR_LOG_LEVEL=warn VAULT_TOKEN='' \
  cli injector >"$work/injector-audit.jsonl" 2>"$work/injector.log" &
injector_pid=$!
wait_for 20 curl -fsS --cacert "$STACK_CA_CERT" "https://127.0.0.1:$port/readyz" || die "the injector did not become ready"
info "secrets-broker injector: https://127.0.0.1:$port (pid $injector_pid)"
k create namespace "$ns" >/dev/null
k label namespace "$ns" secrets-broker-demo="$id" >/dev/null
k -n "$ns" create serviceaccount app >/dev/null
# injector.enabled=false: the injector runs here, not in the cluster (no kubelet on the
# stack). The namespace label limits the webhook to this demo (the stack may be shared).
"$SB_BIN/helm" install "$release" "$repo/helm/secrets-broker" -n "$sysns" --create-namespace \
  --set injector.enabled=false --set vault.addr="$VAULT_ADDR" \
  --set webhook.url="https://127.0.0.1:$port/mutate" --set-file webhook.caBundle="$STACK_CA_CERT" \
  --set-string webhook.namespaceSelector.matchLabels.secrets-broker-demo="$id" >/dev/null
info "helm install $release helm/secrets-broker --set injector.enabled=false --set webhook.url=https://127.0.0.1:$port/mutate ..."
k get mutatingwebhookconfiguration "$release-secrets-broker" -o jsonpath='{.webhooks[0].name}{" failurePolicy="}{.webhooks[0].failurePolicy}{" timeout="}{.webhooks[0].timeoutSeconds}{"s\n"}' | sed 's/^/   webhook /'

# ---------------------------------------------------------------------------------------
step "3. a pod asks for a secret"
vault_path="secret/data/app/demo-$id"
password="$(node -p 'require("crypto").randomBytes(18).toString("base64url")')"
vault_api POST "$vault_path" "{\"data\":{\"greeting\":\"hello, version 1\",\"password\":\"$password\"}}" >/dev/null
info "Vault: $vault_path version 1 written (greeting and a generated password)"
pod_manifest=$(cat <<YAML
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
spec:
  serviceAccountName: app
  automountServiceAccountToken: false
  containers:
    - name: web
      image: registry.invalid/web:1.0
YAML
)
printf '%s\n' "$pod_manifest" | sed -n '/annotations/,/rotate/p' | sed 's/^/   /'
ok=""
for _ in $(seq 1 50); do   # the apiserver picks webhook configurations up asynchronously
  if printf '%s\n' "$pod_manifest" | k create --dry-run=server -o jsonpath='{.metadata.annotations.secrets-broker\.io/status}' -f - 2>/dev/null | grep -q injected; then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || die "the webhook never became active"
printf '%s\n' "$pod_manifest" | k create -f - >/dev/null
k -n "$ns" get pod web -o json >"$work/pod.json"
info "stored by the apiserver after mutation:"
jq -r '"   status annotation: \(.metadata.annotations["secrets-broker.io/status"])",
  (.spec.initContainers[] | "   initContainer \(.name): image \(.image), args \(.args|join(" ")), restartPolicy \(.restartPolicy // "-"), runAsNonRoot \(.securityContext.runAsNonRoot), readOnlyRootFilesystem \(.securityContext.readOnlyRootFilesystem)"),
  (.spec.volumes[] | "   volume \(.name): \(if .emptyDir then "emptyDir medium \(.emptyDir.medium) sizeLimit \(.emptyDir.sizeLimit)" elif .projected then "projected token, audience \(.projected.sources[0].serviceAccountToken.audience), \(.projected.sources[0].serviceAccountToken.expirationSeconds)s" else "other" end)"),
  (.spec.containers[] | "   container \(.name) mounts \([.volumeMounts[]? | "\(.mountPath) (readOnly \(.readOnly))"] | join(", "))")' "$work/pod.json"
[ "$(jq -r '.metadata.annotations["secrets-broker.io/status"]' "$work/pod.json")" = injected ] || die "the pod was not injected"

# ---------------------------------------------------------------------------------------
step "4. the sidecar, run here for that pod with the pod's own token"
uid="$(jq -r .metadata.uid "$work/pod.json")"
# A token bound to this pod (it dies with the pod), audience vault: what the kubelet would
# project into the sidecar.
aud="$(jq -r '.spec.volumes[] | select(.projected) | .projected.sources[0].serviceAccountToken.audience' "$work/pod.json")"
(umask 077; k -n "$ns" create token app --audience "$aud" --bound-object-kind Pod --bound-object-name web \
  --bound-object-uid "$uid" --duration 10m >"$work/token")
info "token: kubectl create token app --audience $aud --bound-object-kind Pod --bound-object-name web (written to $work/token, mode 0600)"
health_port="$(free_port)"
# The sidecar's env exactly as the injector wrote it, with the downward-API fields filled in
# and the mount path moved to the tmpfs directory (no kubelet mounts the emptyDir here).
jq -r --arg mount "$link/secrets" --arg ns "$ns" --arg uid "$uid" '
  .spec.initContainers[] | select(.name == "secrets-broker") | .env[] |
  "export \(.name)=" + (
    if .value != null then
      (if .name == "SECRETS_BROKER_SPEC" then (.value | fromjson | .mountPath = $mount | tojson) else .value end)
    else
      {"metadata.name": "web", "metadata.namespace": $ns, "metadata.uid": $uid, "spec.nodeName": "", "spec.serviceAccountName": "app"}[.valueFrom.fieldRef.fieldPath]
    end | @sh)' "$work/pod.json" >"$work/sidecar.env"
info "env from the pod: $(sed 's/^export \([A-Z_]*\)=.*/\1/' "$work/sidecar.env" | paste -sd' ')"
start_ns=$(date +%s%N)
(
  # shellcheck source=/dev/null
  source "$work/sidecar.env"
  export SIDECAR_TOKEN_FILE="$work/token" VAULT_CACERT="$VAULT_CACERT" SIDECAR_HEALTH_PORT="$health_port"
  unset VAULT_TOKEN
  exec node "$repo/dist/src/cli/bin.js" sidecar
) >"$work/sidecar-audit.jsonl" 2>"$work/sidecar.log" &
sidecar_pid=$!
wait_for 30 test -s "$work/secrets/config.json" || die "no secret file after 30 s"
info "first file after $(( ($(date +%s%N) - start_ns) / 1000000 )) ms (process start included):"
show_file "$work/secrets/config.json"
info "on $(stat -f -c %T "$work/secrets") ($work/secrets), readiness: $(curl -fsS "http://127.0.0.1:$health_port/readyz")"

# ---------------------------------------------------------------------------------------
step "5. the secret changes in Vault; the file follows"
before="$(sha256sum <"$work/secrets/config.json")"
password="$(node -p 'require("crypto").randomBytes(18).toString("base64url")')"
vault_api POST "$vault_path" "{\"data\":{\"greeting\":\"hello, version 2\",\"password\":\"$password\"}}" >/dev/null
unset password
info "Vault: $vault_path version 2 written; the pod's rotate-interval is 10s"
changed() { [ "$(sha256sum <"$work/secrets/config.json")" != "$before" ]; }
rot_ns=$(date +%s%N)
wait_for 25 changed || die "the file did not change within 25 s"
info "file replaced atomically after $(( ($(date +%s%N) - rot_ns) / 1000000 )) ms:"
show_file "$work/secrets/config.json"

# ---------------------------------------------------------------------------------------
step "6. shutdown and the audit trail"
kill -TERM "$sidecar_pid"
wait "$sidecar_pid" || die "the sidecar exited non-zero on SIGTERM"
sidecar_pid=""
jq -e 'select(.event == "auth.revoke" and .outcome == "success")' "$work/sidecar-audit.jsonl" >/dev/null || die "no successful auth.revoke after SIGTERM"
info "sidecar stopped on SIGTERM; its Vault token was revoked (auth.revoke)"
kill -TERM "$injector_pid"; wait "$injector_pid" || true; injector_pid=""
info "sidecar records ($work/sidecar-audit.jsonl):"
jq -r '"   \(.seq) \(.ts) \(.event) \(.outcome)\(if .secret then " secret=\(.secret)" else "" end)\(if .vault.version then " version=\(.vault.version)" else "" end)"' "$work/sidecar-audit.jsonl"
info "injector records: $(jq -r '.event' "$work/injector-audit.jsonl" | sort | uniq -c | awk '{printf "%s %s; ", $2, $1}')"
info "secrets-broker audit query --pod web --event secret.read,secret.rotate:"
cli audit query --namespace "$ns" --pod web --event secret.read,secret.rotate "$work/sidecar-audit.jsonl" | sed 's/^/   /'
info "secrets-broker audit verify:"
cli audit verify "$work/sidecar-audit.jsonl" | sed 's/^/   /'
cli audit verify "$work/injector-audit.jsonl" | sed 's/^/   /'
if grep -qF -- "$(cat "$work/token")" "$work"/*.jsonl "$work"/*.log; then die "the pod's token appears in a log"; fi
info "checked: the pod's token appears in no log or audit record"
