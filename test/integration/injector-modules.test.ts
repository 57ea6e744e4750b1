/**
 * What the injector loads: express only at the first request the native routes (POST
 * /mutate, GET /healthz, /readyz, /metrics) do not answer, so a process that only serves
 * admissions, probes and scrapes never pays its memory. Run in a child process, whose
 * module cache is node's own (jest keeps a registry of its own).
 */
import { join } from 'node:path';
import { fixture } from '../helpers/injector';
import { startProcess } from '../helpers/process';

const ROOT = join(__dirname, '..', '..');

/** Serves the app over plain HTTP in the child, sends `paths`, and reports whether express was loaded after each. */
const SCRIPT = `
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  module._compile(code, filename);
};
const http = require('node:http');
const { createApp } = require('./injector/app.ts');
const { testConfig } = require('./test/helpers/injector.ts');
const { MemoryAuditSink } = require('./src/audit/writer.ts');
const { createLogger } = require('./src/log.ts');
const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/express/'));
const { handler } = createApp({ config: testConfig(), audit: new MemoryAuditSink(), logger: createLogger({ name: 'injector', level: 'silent' }) });
const server = http.createServer(handler).listen(0, '127.0.0.1', async () => {
  const send = (method, path, body) => new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: server.address().port, method, path, headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.end(body);
  });
  const out = [];
  for (const [method, path, body] of JSON.parse(process.argv[1])) out.push([method + ' ' + path, await send(method, path, body), loaded()]);
  process.stdout.write(JSON.stringify({ out }));
  server.close();
});
`;

it('admissions, probes and scrapes never load express; the first other request does', async () => {
  const steps = [
    ['POST', '/mutate', JSON.stringify(fixture('pod-create-small'))],
    ['GET', '/healthz'],
    ['GET', '/readyz'],
    ['GET', '/metrics'],
    ['GET', '/nope'],
    ['GET', '/healthz'],
  ];
  const child = startProcess(process.execPath, ['-e', SCRIPT, JSON.stringify(steps)], { cwd: ROOT });
  expect(await child.ended).toBe(0);
  const { out } = JSON.parse(child.stdout()) as { out: Array<[string, number, boolean]> };
  expect(out).toEqual([
    ['POST /mutate', 200, false],
    ['GET /healthz', 200, false],
    ['GET /readyz', 200, false],
    ['GET /metrics', 200, false],
    ['GET /nope', 404, true],
    ['GET /healthz', 200, true],
  ]);
}, 60_000);
