#!/usr/bin/env node
/**
 * The compose quickstart's "application": watches the secret file the sidecar renders on the
 * shared in-memory volume (mounted read-only here) and reports every change. It prints the
 * non-secret `message` field and only the names and lengths of the others, as a real
 * application's logs should.
 */
'use strict';
const fs = require('node:fs');

const file = process.argv[2] ?? '/secrets/config.json';
let last = '';

function describe(text) {
  try {
    const data = JSON.parse(text);
    return Object.entries(data)
      .map(([k, v]) => (k === 'message' ? `${k}=${JSON.stringify(v)}` : `${k}=<${String(v).length} chars, hidden>`))
      .join(' ');
  } catch {
    return `${Buffer.byteLength(text)} bytes (not JSON)`;
  }
}

function check() {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (last !== 'missing') process.stdout.write(`app: waiting for ${file} (${err.code})\n`);
    last = 'missing';
    return;
  }
  if (text === last) return;
  last = text;
  const { mode, uid, gid } = fs.statSync(file);
  process.stdout.write(`app: ${file} changed (mode ${(mode & 0o777).toString(8)}, owner ${uid}:${gid}): ${describe(text)}\n`);
}

check();
setInterval(check, 1000);
process.on('SIGTERM', () => process.exit(0));
