#!/usr/bin/env node
// `npm run test:e2e`: brings the test stack up (or reuses a running one), runs the Jest
// project `e2e` against it, and tears down what it started. Extra arguments go to Jest.
// `--project=node` first (npm run test:node, with SB_NODE=1) runs the node's project instead.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const here = __dirname;
const root = join(here, '..', '..');
const sh = (script) => spawnSync('bash', [join(here, script)], { stdio: 'inherit', cwd: root });

const running = sh('status.sh').status === 0;
let started = false;
if (!running) {
  const up = sh('up.sh');
  if (up.status !== 0) {
    console.error('test:e2e: the test stack did not start (see the lines above); run npm run stack:build first');
    sh('down.sh');
    process.exit(up.status || 1);
  }
  started = true;
}

const args = process.argv.slice(2);
const project = args[0]?.startsWith('--project=') ? args.shift().slice('--project='.length) : 'e2e';
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
if (!existsSync(jest)) {
  console.error('test:e2e: jest is not installed; run npm install');
  process.exit(2);
}
const result = spawnSync(process.execPath, [jest, '--selectProjects', project, '--runInBand', ...args], {
  stdio: 'inherit',
  cwd: root,
});
if (started && process.env.SB_KEEP_STACK !== '1') sh('down.sh');
process.exit(result.status === null ? 1 : result.status);
