# syntax=docker/dockerfile:1
# One image for `secrets-broker injector` and `secrets-broker sidecar` (and the other commands).
#
#   docker build -t secrets-broker:0.1.0 .
#
# Three stages: build (dev dependencies, tsc), deps (production dependencies only) and the
# runtime image, which holds node, dist/ and production node_modules, runs as a numeric
# non-root user and has no npm, corepack or yarn. Nothing secret is copied or baked in:
# .dockerignore keeps the build context to the sources, and `secrets-broker scan` checks
# this file and the context in CI.
ARG NODE_IMAGE=node:24.21.0-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm install --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY injector ./injector
COPY sidecar ./sidecar
COPY scripts/start ./scripts/start
# The CLI, and the sidecar's start-up snapshot entry bundled into one file (esbuild; the
# runtime stage builds the snapshot from it with its own node).
RUN npm run build && node scripts/start/bundle.js dist/start/sidecar-snapshot.js \
 && find dist \( -name "*.d.ts" -o -name "*.map" \) -delete

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Only what runs: no documentation, tests, examples, type declarations or source maps of the
# dependencies (they are never loaded, and their sample credentials look like secrets).
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
 && find node_modules \( -type d \( -name test -o -name tests -o -name __tests__ -o -name docs -o -name doc \
      -o -name example -o -name examples -o -name benchmark -o -name benchmarks -o -name .github \) \
    -o -type f \( -iname '*.md' -o -iname '*.markdown' -o -name '*.map' -o -name '*.ts' -o -name '*.mts' \
      -o -name '*.cts' -o -name '*.test.js' -o -name '*.spec.js' -o -name '.eslintrc*' -o -name '.npmignore' \
      -o -name '.travis.yml' -o -name 'tsconfig*.json' \) \) -prune -exec rm -rf {} +

FROM ${NODE_IMAGE}
# The package managers are build tools: not shipped.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
      /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /root/.npm \
      /usr/local/etc/npmrc
WORKDIR /app
COPY --from=deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/dist/src ./dist/src
COPY --from=build --chown=0:0 /src/dist/injector ./dist/injector
COPY --from=build --chown=0:0 /src/dist/sidecar ./dist/sidecar
COPY --from=build --chown=0:0 /src/dist/start/sidecar-snapshot.js ./start/sidecar-snapshot.js
COPY --chown=0:0 package.json ./
# The sidecar runs as `node <flags> /app/dist/src/cli/bin.js` (src/sidecar-env.ts); its start
# gate is a /bin/bash postStart hook (src/inject/gate.ts); the CLI is on PATH too.
RUN chmod 0555 /app/dist/src/cli/bin.js && ln -s /app/dist/src/cli/bin.js /usr/local/bin/secrets-broker
ENV NODE_ENV=production
# The sidecar's V8 start-up snapshot (docs/sidecar.md): built here by this image's node, which
# alone can load it, with the node version and architecture in the manifest beside it. The
# injector names it in the sidecar's command (`node --snapshot-blob /app/start/sidecar.blob
# /app/dist/src/cli/bin.js sidecar`, src/start/decide.ts) for sidecar images of its own
# release. Checked as the sidecar starts: a spec but no Vault address exits 2.
RUN node --snapshot-blob /app/start/sidecar.blob --build-snapshot /app/start/sidecar-snapshot.js \
 && node -e 'process.stdout.write(JSON.stringify({ node: process.version, arch: process.arch }))' >/app/start/sidecar.json \
 && (SECRETS_BROKER_SPEC='{"version":1,"role":"warm","mountPath":"/run/warm","lifecycle":"sidecar","rotateIntervalSeconds":60,"notify":{"kind":"none"},"secrets":[{"name":"a","path":"secret/data/a","file":"a","format":"json","mode":288}]}' \
      node --snapshot-blob /app/start/sidecar.blob /app/dist/src/cli/bin.js sidecar 2>/dev/null; test $? = 2) \
 && chmod 0444 /app/start/sidecar.blob /app/start/sidecar.json /app/start/sidecar-snapshot.js
# Node's module compile cache, written here at build time and read-only at run time (the
# root filesystem is read-only in pods): the sidecar's modules load from V8 code cached for
# this node binary instead of compiling from source (docs/sidecar.md). Node keys the cache by
# user id, so it is written as each user the image runs as: the sidecar's default
# (SIDECAR_RUN_AS_USER, 65530) and the image's own (65532); another user compiles from
# source as before. A sidecar given a spec but no Vault address loads its modules and stops
# with exit code 2; node-vault loads at the first login, so it is required on its own.
ENV NODE_COMPILE_CACHE=/app/compile-cache
RUN mkdir -m 1777 /app/compile-cache
USER 65530:65530
RUN (SECRETS_BROKER_SPEC='{"version":1,"role":"warm","mountPath":"/run/warm","lifecycle":"sidecar","rotateIntervalSeconds":60,"notify":{"kind":"none"},"secrets":[{"name":"a","path":"secret/data/a","file":"a","format":"json","mode":288}]}' \
      node /app/dist/src/cli/bin.js sidecar 2>/dev/null; test $? = 2) && node -e "require('node-vault')"
USER 65532:65532
RUN (SECRETS_BROKER_SPEC='{"version":1,"role":"warm","mountPath":"/run/warm","lifecycle":"sidecar","rotateIntervalSeconds":60,"notify":{"kind":"none"},"secrets":[{"name":"a","path":"secret/data/a","file":"a","format":"json","mode":288}]}' \
      node /app/dist/src/cli/bin.js sidecar 2>/dev/null; test $? = 2) && node -e "require('node-vault')"
USER 0:0
RUN test -n "$(ls -A /app/compile-cache)" && chown -R 0:0 /app/compile-cache && chmod -R a=rX /app/compile-cache
# Files are root-owned and read-only to the process; it runs as an unnamed numeric user.
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["node", "/app/dist/src/cli/bin.js"]
CMD ["--help"]
