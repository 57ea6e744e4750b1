#!/usr/bin/env bash
# Generates the stack's PKI into $1: a CA, a server certificate (kube-apiserver, Vault) for
# loopback, an admin client certificate (system:masters) and the service-account signing key.
# With SB_NODE=1 the server certificate also names the node's gateway address (where pods
# reach the servers), and the node's certificates are added: the kubelet's client
# (system:node:<name>) and serving certificates, the controller-manager's and scheduler's
# clients, and kube-apiserver's client for the kubelet.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
dir="$1"; mkdir -p "$dir"; cd "$dir"
openssl_quiet() { openssl "$@" 2>/dev/null; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=secrets-broker test stack CA" \
  -keyout ca.key -out ca.crt

# issue NAME SUBJECT EXTENDED-KEY-USAGE [SUBJECT-ALT-NAMES]: NAME.key and NAME.crt signed by the CA.
issue() {
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n' "$3" >"$1.ext"
  [ -z "${4:-}" ] || printf 'subjectAltName=%s\n' "$4" >>"$1.ext"
  openssl_quiet req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr"
  openssl_quiet x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile "$1.ext" -out "$1.crt"
}

sans="IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc"
[ "$SB_NODE" != 1 ] || sans="$sans,IP:$SB_NODE_GATEWAY"
issue server "/CN=127.0.0.1" serverAuth "$sans"
issue admin "/O=system:masters/CN=stack-admin" clientAuth
if [ "$SB_NODE" = 1 ]; then
  issue kubelet "/O=system:nodes/CN=system:node:$SB_NODE_NAME" clientAuth
  issue kubelet-serving "/CN=$SB_NODE_NAME" serverAuth "IP:$SB_NODE_GATEWAY,IP:127.0.0.1,DNS:$SB_NODE_NAME"
  issue controller-manager "/CN=system:kube-controller-manager" clientAuth
  issue scheduler "/CN=system:kube-scheduler" clientAuth
  issue apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client" clientAuth
fi
openssl_quiet genrsa -out sa.key 2048
openssl_quiet rsa -in sa.key -pubout -out sa.pub
rm -f ./*.csr ./*.ext ./*.srl
chmod 600 ./*.key
