import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { runCli } from '../../../src/cli/main';
import { listenLocal } from '../../helpers/net';
import { makeCert } from '../../helpers/tls';

// One process: node:cluster would fork this test runner's own command line as a worker.
function io(settings: Record<string, string> = {}) {
  const env = { INJECTOR_WORKERS: '1', ...settings };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough) => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { env, stdout, stderr }, out: () => text(stdout), err: () => text(stderr) };
}

describe('secrets-broker injector', () => {
  it('--help lists every setting', async () => {
    const t = io();
    await expect(runCli(['injector', '--help'], t.io)).resolves.toBe(0);
    const out = t.out();
    expect(out).toContain('mutating admission webhook');
    for (const name of ['INJECTOR_PORT', 'INJECTOR_TLS_CERT_FILE', 'VAULT_ADDR', 'SIDECAR_IMAGE', 'INJECTOR_LITERAL_SECRETS']) expect(out).toContain(name);
  });

  it('exits 2 naming each bad setting', async () => {
    const t = io({ INJECTOR_PORT: 'eighty', INJECTOR_LITERAL_SECRETS: 'maybe' });
    await expect(runCli(['injector'], t.io)).resolves.toBe(2);
    const err = t.err();
    for (const name of ['INJECTOR_PORT', 'INJECTOR_LITERAL_SECRETS', 'INJECTOR_TLS_CERT_FILE', 'INJECTOR_TLS_KEY_FILE', 'VAULT_ADDR', 'SIDECAR_IMAGE']) {
      expect(err).toMatch(new RegExp(`^secrets-broker: ${name}: `, 'm'));
    }
    expect(err).not.toContain('eighty');
  });

  it('exits 2 when the certificate files cannot be read', async () => {
    const t = io({ INJECTOR_TLS_CERT_FILE: '/nonexistent/tls.crt', INJECTOR_TLS_KEY_FILE: '/nonexistent/tls.key', VAULT_ADDR: 'https://vault:8200', SIDECAR_IMAGE: 'img:1' });
    await expect(runCli(['injector'], t.io)).resolves.toBe(2);
    const err = t.err();
    expect(err).toContain('secrets-broker: INJECTOR_TLS_CERT_FILE: cannot read the file (ENOENT)\n');
    expect(err).toContain('secrets-broker: INJECTOR_TLS_KEY_FILE: cannot read the file (ENOENT)\n');
    expect(err).not.toContain('/nonexistent');
  });

  it('exits 2 naming the setting when a checkpoint key does not load, never echoing its path', async () => {
    const tls = makeCert();
    writeFileSync(join(tls.dir, 'audit-key.pem'), 'garbage');
    const t = io({
      INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile, VAULT_ADDR: 'https://vault:8200', SIDECAR_IMAGE: 'img:1',
      AUDIT_CHECKPOINT_KEY_FILE: join(tls.dir, 'audit-key.pem'),
    });
    await expect(runCli(['injector'], t.io)).resolves.toBe(2);
    expect(t.err()).toBe('secrets-broker: AUDIT_CHECKPOINT_KEY_FILE: not a private key in PEM or JWK form (Ed25519 or P-256)\n');
  });

  it('exits 2 naming the key setting when the key does not belong to the certificate', async () => {
    const [a, b] = [makeCert(), makeCert()];
    const t = io({ INJECTOR_TLS_CERT_FILE: a.certFile, INJECTOR_TLS_KEY_FILE: b.keyFile, VAULT_ADDR: 'https://vault:8200', SIDECAR_IMAGE: 'img:1' });
    await expect(runCli(['injector'], t.io)).resolves.toBe(2);
    expect(t.err()).toMatch(/^secrets-broker: INJECTOR_TLS_KEY_FILE: is not the PEM key of INJECTOR_TLS_CERT_FILE/);
  });

  it('exits 3 (runtime failure, not bad usage) with one line when its port is already in use', async () => {
    const taken = createServer();
    const port = await listenLocal(taken);
    try {
      const tls = makeCert();
      const t = io({
        INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile, VAULT_ADDR: 'https://vault:8200', SIDECAR_IMAGE: 'img:1',
        INJECTOR_PORT: String(port), INJECTOR_BIND_ADDRESS: '127.0.0.1',
      });
      await expect(runCli(['injector'], t.io)).resolves.toBe(3);
      expect(t.err()).toBe(`secrets-broker: injector: cannot listen on 127.0.0.1:${port} (EADDRINUSE, the port is in use)\n`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
