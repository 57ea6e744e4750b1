#!/usr/bin/env bash
# Configures the running stack's Vault and Kubernetes for the tests:
#  - a reviewer service account bound to system:auth-delegator, whose TokenRequest token
#    Vault's kubernetes auth uses for real TokenReviews;
#  - kubernetes auth (audience "vault") and JWT auth (the same service-account tokens,
#    checked against the cluster's signing key) with a role `app` for service account `app`;
#  - KV v2 at secret/, KV v1 at kv1/, the database engine on PostgreSQL (role `app`),
#    PKI with role `web`, and a file audit device;
#  - policy `app` that reads exactly those.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
set -a; source "$SB_ENV_FILE"; set +a
k() { "$SB_BIN/kubectl" "$@"; }
v() { "$SB_BIN/vault" "$@"; }

k create namespace vault-system >/dev/null
k -n vault-system create serviceaccount vault-reviewer >/dev/null
k create clusterrolebinding vault-reviewer-auth-delegator --clusterrole system:auth-delegator \
  --serviceaccount vault-system:vault-reviewer >/dev/null
reviewer_jwt="$(k -n vault-system create token vault-reviewer --duration 48h)"

v audit enable file file_path="$VAULT_AUDIT_LOG" >/dev/null
v secrets enable -path=secret -version=2 kv >/dev/null
v secrets enable -path=kv1 -version=1 kv >/dev/null

v auth enable kubernetes >/dev/null
v write auth/kubernetes/config kubernetes_host="$KUBE_API_URL" kubernetes_ca_cert=@"$STACK_CA_CERT" \
  token_reviewer_jwt="$reviewer_jwt" disable_local_ca_jwt=true >/dev/null
v write auth/kubernetes/role/app bound_service_account_names=app bound_service_account_namespaces='*' \
  audience=vault token_policies=app token_ttl=1h token_max_ttl=4h >/dev/null

v auth enable jwt >/dev/null
v write auth/jwt/config jwt_validation_pubkeys=@"$SB_STACK_DIR/pki/sa.pub" \
  bound_issuer=https://kubernetes.default.svc >/dev/null
v write auth/jwt/role/app - >/dev/null <<'JSON'
{"role_type": "jwt", "bound_audiences": ["vault"], "user_claim": "sub", "bound_claims_type": "glob",
 "bound_claims": {"sub": "system:serviceaccount:*:app"}, "token_policies": ["app"], "token_ttl": "1h"}
JSON

v secrets enable database >/dev/null
v write database/config/app plugin_name=postgresql-database-plugin allowed_roles=app \
  connection_url="postgresql://{{username}}:{{password}}@127.0.0.1:$PGPORT/app?sslmode=disable" \
  username="$PGUSER" password="$PGPASSWORD" >/dev/null
v write database/roles/app db_name=app default_ttl=10m max_ttl=1h \
  creation_statements="CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT CONNECT ON DATABASE app TO \"{{name}}\";" \
  revocation_statements="REVOKE ALL ON DATABASE app FROM \"{{name}}\"; DROP ROLE IF EXISTS \"{{name}}\";" >/dev/null

v secrets enable pki >/dev/null
v secrets tune -max-lease-ttl=87600h pki >/dev/null
v write -field=certificate pki/root/generate/internal common_name="secrets-broker stack root" ttl=8760h >/dev/null
v write pki/roles/web allowed_domains=svc,svc.cluster.local allow_subdomains=true max_ttl=72h >/dev/null

v policy write app - >/dev/null <<'HCL'
path "secret/data/app/*"     { capabilities = ["read"] }
path "secret/metadata/app/*" { capabilities = ["read"] }
path "kv1/app/*"             { capabilities = ["read"] }
path "database/creds/app"    { capabilities = ["read"] }
path "pki/issue/web"         { capabilities = ["create", "update"] }
path "sys/internal/ui/mounts/*" { capabilities = ["read"] }
HCL
v kv put secret/app/config username=app-user greeting=hello >/dev/null
log "vault configured (kubernetes + jwt auth, kv v2/v1, database, pki, audit)"
