/** Row 22: TLS verification is always on: wrong CA, wrong hostname, expired certificate all fail closed, in process and as the sidecar is launched. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { VaultError } from '../../../src/errors';
import { sidecarLaunch } from '../../../src/sidecar-env';
import { VaultClient } from '../../../src/vault/client';
import { listenLocal } from '../../helpers/net';
import { startProcess } from '../../helpers/process';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-tls-'));
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function leaf(name: string, san: string, days: string): { key: Buffer; cert: Buffer } {
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
  writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', days, '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  return { key: readFileSync(path.join(dir, `${name}.key`)), cert: readFileSync(path.join(dir, `${name}.pem`)) };
}

let ca: Buffer;
let otherCa: Buffer;
beforeAll(() => {
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-subj', '/CN=other-ca', '-days', '2', '-out', 'other.pem');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-subj', '/CN=test-ca', '-days', '2', '-out', 'ca.pem');
  ca = readFileSync(path.join(dir, 'ca.pem'));
  otherCa = readFileSync(path.join(dir, 'other.pem'));
}, 30000);

async function serve(pair: { key: Buffer; cert: Buffer }): Promise<{ url: string; close: () => void; agents: string[] }> {
  const agents: string[] = [];
  const server = https.createServer(pair, (req, res) => {
    agents.push(req.headers['user-agent'] ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ auth: { client_token: 'hvs.x', accessor: 'a', lease_duration: 60, renewable: true, policies: [] } }));
  });
  const port = await listenLocal(server);
  return { url: `https://127.0.0.1:${port}`, close: () => (server.closeAllConnections(), server.close()), agents };
}

async function loginWith(url: string, caPem?: Buffer): Promise<unknown> {
  const client = new VaultClient({ addr: url, ca: caPem, timeoutMs: 3000 });
  try {
    return await client.login('auth/kubernetes', 'app', 'jwt');
  } catch (err) {
    return err;
  } finally {
    client.close();
  }
}

describe('TLS (T22)', () => {
  it('accepts the operator CA and a matching certificate, and names itself to Vault', async () => {
    const s = await serve(leaf('good', 'IP:127.0.0.1', '2'));
    expect(await loginWith(s.url, ca)).toMatchObject({ accessor: 'a' });
    expect(s.agents).toEqual([expect.stringMatching(/^secrets-broker\/\d+\.\d+\.\d+/)]);
    s.close();
  });

  it.each([
    { name: 'wrong CA', san: 'IP:127.0.0.1', days: '2', useCa: () => otherCa, code: /SELF_SIGNED|UNABLE_TO/ },
    { name: 'no CA (system roots only)', san: 'IP:127.0.0.1', days: '2', useCa: () => undefined, code: /SELF_SIGNED|UNABLE_TO/ },
    { name: 'wrong hostname', san: 'DNS:vault.elsewhere', days: '2', useCa: () => ca, code: /HOSTNAME|ALTNAME/ },
    { name: 'expired certificate', san: 'IP:127.0.0.1', days: '-1', useCa: () => ca, code: /EXPIRED/ },
  ])('fails closed: $name', async ({ name, san, days, useCa, code }) => {
    const s = await serve(leaf(name.replace(/\W/g, ''), san, days));
    const err = await loginWith(s.url, useCa());
    s.close();
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).kind).toBe('tls');
    expect((err as VaultError).message).toMatch(code);
  }, 20000);
});

describe('the sidecar launch (node flags and TLS environment the injector sets)', () => {
  /** GET with the launch's flags and environment in a child process (async: the server runs in this one). */
  const launchGet = async (url: string, caFile: string): Promise<{ status: number | null; stdout: string; stderr: string }> => {
    const l = sidecarLaunch(caFile);
    const script = `require('https').get(process.argv[1], { agent: false, ca: require('fs').readFileSync(process.argv[2]) }, (r) => { console.log(r.statusCode); r.resume(); }).on('error', (e) => { console.log(e.code); });`;
    const child = startProcess(process.execPath, [...l.nodeFlags, '-e', script, url, caFile], { env: { PATH: process.env.PATH, ...l.env } });
    const status = await child.ended;
    return { status, stdout: child.stdout().trim(), stderr: child.stderr() };
  };

  it.each([
    { name: 'without a CA: no flags (V8 flags cost the built-in code cache), no extra environment', ca: undefined, openssl: false },
    { name: 'with a CA: the OpenSSL store holds that file alone', ca: '/ca/ca.crt', openssl: true },
  ])('$name', ({ ca: file, openssl }) => {
    const l = sidecarLaunch(file);
    expect(l.nodeFlags).toEqual(openssl ? ['--use-openssl-ca'] : []);
    expect(l.env).toEqual(openssl ? { SSL_CERT_FILE: file, SSL_CERT_DIR: '/nonexistent' } : {});
  });

  it('node accepts the flags and prints nothing (no V8 flag warning in the sidecar log)', () => {
    const r = spawnSync(process.execPath, [...sidecarLaunch('/x').nodeFlags, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: 'ok', stderr: '' });
  });

  it('verifies Vault against the operator CA, and fails closed against another CA', async () => {
    const s = await serve(leaf('launch', 'IP:127.0.0.1', '2'));
    try {
      expect(await launchGet(s.url, path.join(dir, 'ca.pem'))).toEqual({ status: 0, stdout: '200', stderr: '' });
      expect((await launchGet(s.url, path.join(dir, 'other.pem'))).stdout).toMatch(/SELF_SIGNED|UNABLE_TO/);
    } finally {
      s.close();
    }
  }, 20000);
});
