#!/usr/bin/env bash
# npm run test:all: every check and test, each doing the set-up it needs (cached steps
# cost seconds when nothing changed):
#   set-up:  npm install, npm run build, npm run stack:build, npm run image:build
#   checks:  lint, type checks, `secrets-broker scan .` over the repository itself
#   tests:   npm test (unit, in-process integration), npm run test:e2e (the real peers),
#            npm run test:node (the stack's real node running pods)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
t0=$SECONDS
step() { printf '\n=== test:all: %s (%ss)\n' "$*" "$((SECONDS - t0))"; }
step "set-up"
npm install --no-audit --no-fund
npm run build
npm run stack:build
npm run image:build
step "lint and types"
npm run lint
npm run typecheck
step "scan the repository for baked-in secrets (our own scanner)"
node dist/src/cli/bin.js scan .
step "unit and integration tests"
npm test
step "end-to-end tests on the real stack"
npm run test:e2e
step "the stack's real node: pods run (kubelet, containerd)"
npm run test:node
step "done"
