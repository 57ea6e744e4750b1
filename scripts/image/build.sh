#!/usr/bin/env bash
# npm run image:build: builds secrets-broker:<package version> from the project's own
# Dockerfile with buildah (no Docker engine), on a base made by scripts/image/base.sh, and
# writes it as an OCI archive and a docker-archive under the stack's cache. The last line
# printed is the docker-archive's path.
#
# Cached: buildah keeps each step's layer (--layers), so a repeat run with unchanged sources
# reuses them; the archives are rewritten only when the image changed.
#
#   SB_IMAGE_DIR   where the archives go (default: <stack cache>/image)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need buildah
[ "$(id -u)" = 0 ] || fail "building needs root (buildah's storage and the overlay driver)"
t0=$SECONDS
base="$(bash "$repo/scripts/image/base.sh" | tail -1)"
mkdir -p "$SB_IMAGE_DIR"

# The host's CA bundle is bind-mounted for the RUN steps only (npm behind a TLS-inspecting
# proxy); it never becomes part of a layer.
cafile="$(npm config get cafile 2>/dev/null || true)"
mounts=()
if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ]; then
  mounts=(--volume "$cafile:/etc/ssl/certs/ca-certificates.crt:ro")
fi

name="secrets-broker-$APP_VERSION"
oci="$SB_IMAGE_DIR/$name.oci.tar"
docker="$SB_IMAGE_DIR/$name.docker.tar"
# The build context as .dockerignore allows it, plus the Dockerfile and the base: unchanged,
# and the image and its archives still there, means nothing to do.
context="$( (cd "$repo" && find Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json src injector sidecar scripts/start \
  -type f ! -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum; echo "$base") | sha256sum | cut -c1-32)"
if [ "$(cat "$SB_IMAGE_DIR/$name.context" 2>/dev/null)" = "$context" ] && [ -s "$oci" ] && [ -s "$docker" ] \
  && buildah inspect --type image "localhost/$APP_IMAGE" >/dev/null 2>&1; then
  printf 'image: %s unchanged (cached)\n' "$APP_IMAGE" >&2
  echo "$docker"
  exit 0
fi

log="$SB_IMAGE_DIR/build.log"
if ! buildah bud --layers --isolation=oci --network=host --pull=never \
  "${mounts[@]}" --build-arg "NODE_IMAGE=$base" \
  --tag "localhost/$APP_IMAGE" --file "$repo/Dockerfile" "$repo" >"$log" 2>&1; then
  fail "buildah bud failed: $(grep -v '^\s*$' "$log" | tail -1) (full log: $log)"
fi
id="$(buildah inspect --type image --format '{{.FromImageID}}' "localhost/$APP_IMAGE")"

if [ "$(cat "$SB_IMAGE_DIR/$name.id" 2>/dev/null)" != "$id" ] || [ ! -s "$oci" ] || [ ! -s "$docker" ]; then
  rm -f "$oci" "$docker" "$SB_IMAGE_DIR/$name.id"
  buildah push --quiet "localhost/$APP_IMAGE" "oci-archive:$oci:$APP_IMAGE" >/dev/null
  buildah push --quiet "localhost/$APP_IMAGE" "docker-archive:$docker:$APP_IMAGE" >/dev/null
  echo "$id" >"$SB_IMAGE_DIR/$name.id"
fi
echo "$context" >"$SB_IMAGE_DIR/$name.context"
printf 'image: %s (%s) built in %ss; base %s\n' "$APP_IMAGE" "${id:0:12}" "$((SECONDS - t0))" "$base" >&2
echo "$docker"
