#!/usr/bin/env bash
# Starts the test stack on loopback: etcd, kube-apiserver (RBAC, service-account signing,
# admission webhooks), PostgreSQL, and a real Vault server (file storage, TLS) configured
# with kubernetes and JWT auth against that kube-apiserver, KV v2 at secret/, KV v1 at kv1/,
# the database engine on PostgreSQL, PKI, and a file audit device. Writes $SB_ENV_FILE.
# Reuses a stack that is already running.
#
# SB_NODE=1 adds a real node (node-up.sh): containerd, kubelet, kube-controller-manager and
# kube-scheduler, so pods run. kube-apiserver then authorizes with Node,RBAC, admits with
# NodeRestriction and PodSecurity, dials webhook services' endpoints itself
# (--enable-aggregator-routing) and listens on all addresses; Vault and PostgreSQL also
# listen on the node's gateway address ($SB_NODE_GATEWAY), which pods reach and the
# certificate names; the env file adds POD_KUBE_API_URL, POD_VAULT_ADDR and POD_PGHOST.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

if [ -f "$SB_ENV_FILE" ] && bash "$here/status.sh" >/dev/null 2>&1; then
  echo "stack: already running; env file $SB_ENV_FILE"
  exit 0
fi
for bin in etcd kube-apiserver kubectl vault; do
  [ -x "$SB_BIN/$bin" ] || { echo "stack: $bin is not built; run: npm run stack:build" >&2; exit 2; }
done
pgbin="$(pg_bindir)" || { echo "stack: PostgreSQL is not installed; run: npm run stack:build" >&2; exit 2; }
if [ "$SB_NODE" = 1 ]; then
  for bin in kubelet kube-controller-manager kube-scheduler containerd containerd-shim-runc-v2 ctr crictl; do
    [ -x "$SB_BIN/$bin" ] || { echo "stack: $bin is not built; run: npm run stack:build" >&2; exit 2; }
  done
  [ -s "$SB_CACHE_DIR/image/pause.docker.tar" ] || { echo "stack: no pause image; run: npm run stack:build" >&2; exit 2; }
fi

bash "$here/down.sh" >/dev/null 2>&1 || true
rm -rf "$SB_STACK_DIR"
mkdir -p "$SB_STACK_DIR"/{logs,etcd,vault/data}
chmod 700 "$SB_STACK_DIR"
# Where pods reach the servers: the node's gateway address, or loopback only without a node.
listen=(127.0.0.1)
if [ "$SB_NODE" = 1 ]; then
  bash "$here/node-up.sh" network
  listen+=("$SB_NODE_GATEWAY")
fi
pki="$SB_STACK_DIR/pki"
bash "$here/certs.sh" "$pki"
log "certificates generated"
[ "$SB_NODE" != 1 ] || { bash "$here/node-up.sh" runtime & runtime_pid=$!; }

# --- etcd ---------------------------------------------------------------------------
start etcd "$SB_BIN/etcd" --name stack --data-dir "$SB_STACK_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$SB_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$SB_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$((SB_ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((SB_ETCD_PORT + 1))" \
  --initial-cluster "stack=http://127.0.0.1:$((SB_ETCD_PORT + 1))" --log-level warn

# --- PostgreSQL (in parallel with etcd and kube-apiserver) ---------------------------
rm -rf "$SB_PG_DIR"; mkdir -p "$SB_PG_DIR"
[ "$(id -u)" = 0 ] && chown postgres: "$SB_PG_DIR"
pg_password="$(openssl rand -hex 16)"
printf '%s\n' "$pg_password" >"$SB_STACK_DIR/pg.pw"
chmod 644 "$SB_STACK_DIR/pg.pw"; cp "$SB_STACK_DIR/pg.pw" "$SB_PG_DIR/pw"
[ "$(id -u)" = 0 ] && chown postgres: "$SB_PG_DIR/pw"
rm -f "$SB_STACK_DIR/pg.pw"
as_pg "$pgbin/initdb" -D "$SB_PG_DIR/data" -U stack --pwfile="$SB_PG_DIR/pw" -A scram-sha-256 >"$SB_STACK_DIR/logs/initdb.log" 2>&1
[ "$SB_NODE" != 1 ] || printf 'host all all %s scram-sha-256\n' "$SB_NODE_SUBNET" >>"$SB_PG_DIR/data/pg_hba.conf"
as_pg "$pgbin/pg_ctl" -D "$SB_PG_DIR/data" -l "$SB_PG_DIR/postgres.log" -w -t 30 \
  -o "-c listen_addresses=$(IFS=,; echo "${listen[*]}") -c port=$SB_PG_PORT -c unix_socket_directories=$SB_PG_DIR" start >/dev/null
PGPASSWORD="$pg_password" "$pgbin/psql" -qX -h 127.0.0.1 -p "$SB_PG_PORT" -U stack -d postgres -c 'CREATE DATABASE app' >/dev/null
log "postgres ready on 127.0.0.1:$SB_PG_PORT"

# --- kube-apiserver ------------------------------------------------------------------
wait_for etcd 20 curl -fsS "http://127.0.0.1:$SB_ETCD_PORT/health"
log "etcd ready on 127.0.0.1:$SB_ETCD_PORT"
kube_url="https://127.0.0.1:$SB_KUBE_PORT"
admission=MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy
kube_node_flags=(--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --authorization-mode RBAC)
if [ "$SB_NODE" = 1 ]; then
  admission="$admission,NodeRestriction,PodSecurity"
  kube_node_flags=(--bind-address 0.0.0.0 --advertise-address "$SB_NODE_GATEWAY" --authorization-mode Node,RBAC
    --enable-aggregator-routing=true --kubelet-preferred-address-types InternalIP
    --kubelet-certificate-authority "$pki/ca.crt" --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt"
    --kubelet-client-key "$pki/apiserver-kubelet-client.key")
fi
start kube-apiserver "$SB_BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$SB_ETCD_PORT" "${kube_node_flags[@]}" --secure-port "$SB_KUBE_PORT" \
  --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" --client-ca-file "$pki/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$pki/sa.pub" \
  --service-account-signing-key-file "$pki/sa.key" --api-audiences https://kubernetes.default.svc \
  --service-cluster-ip-range 10.96.0.0/16 --enable-admission-plugins "$admission" \
  --profiling=false --v 1
cat >"$SB_STACK_DIR/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: stack
  cluster: {server: "$kube_url", certificate-authority: "$pki/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$pki/admin.crt", client-key: "$pki/admin.key"}
contexts:
- name: stack
  context: {cluster: stack, user: admin, namespace: default}
current-context: stack
KC
export KUBECONFIG="$SB_STACK_DIR/kubeconfig"

# --- Vault ---------------------------------------------------------------------------
{
  echo "storage \"file\" { path = \"$SB_STACK_DIR/vault/data\" }"
  for addr in "${listen[@]}"; do
    printf 'listener "tcp" {\n  address       = "%s:%s"\n  tls_cert_file = "%s"\n  tls_key_file  = "%s"\n}\n' \
      "$addr" "$SB_VAULT_PORT" "$pki/server.crt" "$pki/server.key"
  done
  cat <<HCL
api_addr      = "https://127.0.0.1:$SB_VAULT_PORT"
disable_mlock = true
ui            = false
HCL
} >"$SB_STACK_DIR/vault/config.hcl"
start vault "$SB_BIN/vault" server -config "$SB_STACK_DIR/vault/config.hcl" -log-level warn
export VAULT_ADDR="https://127.0.0.1:$SB_VAULT_PORT" VAULT_CACERT="$pki/ca.crt"
wait_for vault 20 curl -sS --cacert "$pki/ca.crt" "$VAULT_ADDR/v1/sys/health"
"$SB_BIN/vault" operator init -key-shares=1 -key-threshold=1 -format=json >"$SB_STACK_DIR/vault/init.json"
unseal_key="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).unseal_keys_b64[0])' "$SB_STACK_DIR/vault/init.json")"
root_token="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).root_token)' "$SB_STACK_DIR/vault/init.json")"
"$SB_BIN/vault" operator unseal "$unseal_key" >/dev/null
export VAULT_TOKEN="$root_token"
log "vault unsealed on $VAULT_ADDR"

wait_for kube-apiserver 60 "$SB_BIN/kubectl" get --raw /readyz
log "kube-apiserver ready on $kube_url"

cat >"$SB_ENV_FILE" <<ENV
SB_BIN=$SB_BIN
SB_STACK_DIR=$SB_STACK_DIR
KUBECONFIG=$SB_STACK_DIR/kubeconfig
KUBE_API_URL=$kube_url
STACK_CA_CERT=$pki/ca.crt
STACK_SERVER_CERT=$pki/server.crt
STACK_SERVER_KEY=$pki/server.key
VAULT_ADDR=$VAULT_ADDR
VAULT_CACERT=$pki/ca.crt
VAULT_TOKEN=$root_token
VAULT_UNSEAL_KEY=$unseal_key
VAULT_CONFIG=$SB_STACK_DIR/vault/config.hcl
VAULT_AUDIT_LOG=$SB_STACK_DIR/vault/audit.log
PGHOST=127.0.0.1
PGPORT=$SB_PG_PORT
PGUSER=stack
PGPASSWORD=$pg_password
PGDATABASE=app
ENV
if [ "$SB_NODE" = 1 ]; then
  cat >>"$SB_ENV_FILE" <<ENV
SB_NODE=1
POD_KUBE_API_URL=https://$SB_NODE_GATEWAY:$SB_KUBE_PORT
POD_VAULT_ADDR=https://$SB_NODE_GATEWAY:$SB_VAULT_PORT
POD_PGHOST=$SB_NODE_GATEWAY
ENV
fi
chmod 600 "$SB_ENV_FILE"

bash "$here/configure.sh"
if [ "$SB_NODE" = 1 ]; then
  wait "$runtime_pid" || { echo "stack: containerd did not start; see $SB_STACK_DIR/logs/containerd.log" >&2; exit 1; }
  bash "$here/node-up.sh" start
fi
log "stack up; env file $SB_ENV_FILE"
