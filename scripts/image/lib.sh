# Shared by the image scripts. Sourced, not run.
# The Node.js version comes from the Dockerfile's NODE_IMAGE default, so the base made here
# and the official base a Docker user pulls carry the same Node.js.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../test/stack/lib.sh
source "$repo/test/stack/lib.sh"
SB_IMAGE_DIR="${SB_IMAGE_DIR:-$SB_CACHE_DIR/image}"
NODE_VERSION="$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9.]*\)-slim$/\1/p' "$repo/Dockerfile")"
# The npm release the build stage uses (the base carries it as the official image does).
NPM_VERSION="${SB_NPM_VERSION:-11.21.2}"
DEBIAN_SUITE="${SB_DEBIAN_SUITE:-bookworm}"
APP_VERSION="$(node -p 'require(process.argv[1]).version' "$repo/package.json")"
APP_IMAGE="secrets-broker:$APP_VERSION"
export SB_IMAGE_DIR NODE_VERSION NPM_VERSION DEBIAN_SUITE APP_VERSION APP_IMAGE

# fail MESSAGE: one clear line on stderr, exit 2.
fail() { printf 'image: %s\n' "$*" >&2; exit 2; }

need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found; run \`npm run stack:build\` (installs buildah, runc, skopeo and debootstrap from Debian packages)"
  done
}
