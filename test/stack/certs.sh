#!/usr/bin/env bash
# Generates the stack's PKI into $1: a CA, a loopback server certificate (kube-apiserver,
# Vault), an admin client certificate (system:masters) and the service-account signing key.
set -euo pipefail
dir="$1"; mkdir -p "$dir"; cd "$dir"
openssl_quiet() { openssl "$@" 2>/dev/null; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=secrets-broker test stack CA" \
  -keyout ca.key -out ca.crt
cat >server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc
EXT
openssl_quiet req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
openssl_quiet x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext -out server.crt
printf 'extendedKeyUsage=clientAuth\n' >client.ext
openssl_quiet req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=stack-admin" -keyout admin.key -out admin.csr
openssl_quiet x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile client.ext -out admin.crt
openssl_quiet genrsa -out sa.key 2048
openssl_quiet rsa -in sa.key -pubout -out sa.pub
rm -f ./*.csr ./*.ext ./*.srl
chmod 600 ./*.key
