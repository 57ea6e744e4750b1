/**
 * Runs the sidecar's start-up code that is pure JavaScript while the start-up snapshot is
 * built, so V8 keeps those functions compiled in the snapshot: the settings and spec
 * checks, the logger, rendering a JSON file. Nothing here opens a file, socket or timer
 * (a snapshot cannot hold one), and nothing it makes is kept.
 */
import { urlToHttpOptions } from 'node:url';
import { parseAuditEnv } from '../config/audit';
import { parseSidecarConfig } from '../config/sidecar';
import { createLogger } from '../log';
import { render } from '../render/render';
import { SIDECAR_ENV } from '../sidecar-env';

const SPEC = { version: 1, role: 'warm', mountPath: '/run/warm', lifecycle: 'sidecar', rotateIntervalSeconds: 60, notify: { kind: 'none' }, secrets: [{ name: 'a', path: 'secret/data/a', file: 'a.json', format: 'json', mode: 0o440 }] };

export function warmSidecarStart(): void {
  const env = {
    [SIDECAR_ENV.spec]: JSON.stringify(SPEC),
    [SIDECAR_ENV.vaultAddr]: 'https://127.0.0.1:8200',
    [SIDECAR_ENV.vaultCaCert]: '',
    [SIDECAR_ENV.podName]: 'warm',
    [SIDECAR_ENV.podNamespace]: 'warm',
  };
  const cfg = parseSidecarConfig(env);
  parseAuditEnv(env);
  const lines: string[] = [];
  const log = createLogger({ name: 'secrets-broker-sidecar', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  log.info({ secrets: cfg.spec.secrets.length }, 'warm');
  log.child({ secret: 'a' }).warn({ err: new Error('warm') }, 'warm');
  for (const s of cfg.spec.secrets) render(s, { user: 'warm', password: 'warm' });
  warmNodeRequestPath();
}

/**
 * node's own functions that the first Vault request runs and that the snapshot can hold
 * (node:http and node:tls it cannot): the request options from a URL, the latin1 check of
 * the request head. Not `net.isIP`: run more than once, V8 compiles its IPv6 pattern to
 * machine code, which Node 20 cannot serialize (the build aborts); the loopback exchange
 * in warm-run.ts runs it once.
 */
function warmNodeRequestPath(): void {
  urlToHttpOptions(new URL('https://127.0.0.1:8200/v1/auth/kubernetes/login'));
  Buffer.isEncoding('latin1');
}
