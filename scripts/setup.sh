#!/usr/bin/env bash
# npm run setup: everything a fresh machine needs, then the demo in real pods.
#   npm install, npm run build, npm run stack:build (the peers from source through the Go
#   module proxy, Debian packages when missing), npm run image:build, npm run demo.
# Each step is cached: a second run rebuilds nothing and only runs the demo again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
run() { printf '\n=== setup: %s\n' "$*"; "$@"; }
run npm install --no-audit --no-fund
run npm run build
run npm run stack:build
run npm run image:build
run npm run demo
