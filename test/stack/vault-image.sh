#!/usr/bin/env bash
# Makes a local Vault image from the stack's own Vault binary, for the compose quickstart
# test (no registry is reachable, so hashicorp/vault cannot be pulled). It behaves as the
# official image does for `vault server -dev ...`: entrypoint `vault`, dev listener on
# 0.0.0.0:8200 (the official entrypoint script sets VAULT_DEV_LISTEN_ADDRESS so), /bin/sh for
# the compose healthcheck. Built on the base scripts/image/base.sh makes. Prints the name.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
[ -x "$SB_BIN/vault" ] || { echo "vault-image: vault is not built; run: npm run stack:build" >&2; exit 2; }
base="$(bash "$here/../../scripts/image/base.sh" | tail -1)"
version="$("$SB_BIN/vault" version | sed -n 's/^Vault v\([0-9.]*\).*/\1/p')"
name="localhost/secrets-broker-test-vault:$version"
key="$( (sha256sum "$SB_BIN/vault" "${BASH_SOURCE[0]}"; echo "$base") | sha256sum | cut -c1-16)"
if [ "$(buildah inspect --type image --format '{{index .ImageAnnotations "secrets-broker.test/key"}}' "$name" 2>/dev/null)" = "$key" ]; then
  echo "$name"
  exit 0
fi
ctr="$(buildah from --pull=never "$base")"
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah copy --chmod 0755 "$ctr" "$SB_BIN/vault" /bin/vault >/dev/null
buildah config --entrypoint '["vault"]' --cmd '' --user 65531:65531 --env VAULT_DEV_LISTEN_ADDRESS=0.0.0.0:8200 \
  --annotation "secrets-broker.test/key=$key" "$ctr"
buildah commit --quiet "$ctr" "$name" >/dev/null
echo "$name"
