/**
 * The injector handles SIGTERM from its first instant. As a container's PID 1 a signal
 * with no handler is dropped, not fatal: one that came while the server (or its workers)
 * started used to be lost, and the container never stopped (seen under runc).
 */
import { rmSync } from 'node:fs';
import { runInjector } from '../../injector/run';
import { BASE_ENV, testConfig } from '../helpers/injector';
import { freePort } from '../helpers/net';
import { makeCert } from '../helpers/tls';

it('listens for SIGTERM before it starts serving, and stops on it', async () => {
  const tls = makeCert();
  const port = await freePort();
  const config = testConfig({ ...BASE_ENV, INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile, INJECTOR_PORT: String(port), INJECTOR_BIND_ADDRESS: '127.0.0.1', INJECTOR_LOG_LEVEL: 'silent', INJECTOR_WORKERS: '1' });
  const before = process.listenerCount('SIGTERM');
  const running = runInjector(config, { processMetrics: false });
  // Nothing awaited yet: the handler is already there.
  expect(process.listenerCount('SIGTERM')).toBe(before + 1);
  process.emit('SIGTERM');
  await running;
  expect(process.listenerCount('SIGTERM')).toBe(before);
  rmSync(tls.dir, { recursive: true, force: true });
});
