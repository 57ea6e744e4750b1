#!/usr/bin/env node
/**
 * The compose quickstart's one-shot steps, run with the secrets-broker image's node; no
 * dependencies beyond node itself. Every key and token is made at run time and kept in
 * memory-backed volumes; none is ever printed.
 *
 *   keys       RSA key pair; signs the sidecar's JWT (aud vault) into /sidecar-token/token,
 *              keeps only the public key in /bootstrap, forgets the private key
 *   configure  initialises and unseals the (uninitialised, in-memory) dev Vault, enables KV v2
 *              and JWT auth, writes a policy, a role and the sample secret, keeps a narrow
 *              token for `rotate` in /bootstrap and revokes the root token
 *   rotate     writes a new version of the sample secret
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');

const ISSUER = 'secrets-broker-compose';
const SUBJECT = 'system:serviceaccount:demo:app';
const SECRET_PATH = 'secret/data/demo/config';
// The compose file mounts these directories; the end-to-end test points them elsewhere.
const BOOTSTRAP_DIR = process.env.BOOTSTRAP_DIR || '/bootstrap';
const PUBLIC_KEY = `${BOOTSTRAP_DIR}/jwt-signing.pub.pem`;
const ROTATE_TOKEN = `${BOOTSTRAP_DIR}/rotate-token`;
const SIDECAR_JWT = `${process.env.SIDECAR_TOKEN_DIR || '/sidecar-token'}/token`;

const log = (msg) => process.stdout.write(`bootstrap: ${msg}\n`);
const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function keys() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: ISSUER, sub: SUBJECT, aud: 'vault', iat: now, nbf: now - 5, exp: now + 24 * 3600 };
  const input = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}`;
  const jwt = `${input}.${crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  fs.writeFileSync(PUBLIC_KEY, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o444 });
  writeSecretFile(SIDECAR_JWT, jwt, 0o440);
  log(`signing key generated; JWT for ${SUBJECT} (aud vault, 24h) written to ${SIDECAR_JWT}; private key discarded`);
}

/** Temp file then rename: a reader never sees a partial token. */
function writeSecretFile(file, text, mode) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode, flag: 'wx' });
  fs.renameSync(tmp, file);
}

function vault(method, path, body, token) {
  const url = new URL(`/v1/${path}`, process.env.VAULT_ADDR);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method,
      ca: fs.readFileSync(process.env.VAULT_CACERT),
      headers: { ...(token ? { 'X-Vault-Token': token } : {}), ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      timeout: 10000,
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        // Errors name the call and status only: Vault's bodies can echo what was sent.
        if ((res.statusCode ?? 0) >= 400) reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`));
        else resolve(text ? JSON.parse(text) : {});
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function sampleSecret(version) {
  return { data: { message: `hello from Vault, version ${version}`, password: crypto.randomBytes(18).toString('base64url') } };
}

/**
 * Waits until Vault answers (its CA written, its listener up), at most 60 s. Compose
 * runtimes that do not honour `depends_on: condition: service_healthy` (podman-compose
 * with podman before 4.6) start this step as soon as the vault container starts.
 */
async function waitForVault() {
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      await vault('GET', 'sys/health?uninitcode=200&sealedcode=200');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Vault did not answer within 60 s (${err.code ?? err.message})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function configure() {
  await waitForVault();
  const init = await vault('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  await vault('PUT', 'sys/unseal', { key: init.keys_base64[0] });
  const root = init.root_token;
  log('Vault initialised and unsealed (the unseal key and root token stay in this process)');
  await vault('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } }, root);
  await vault('POST', 'sys/auth/jwt', { type: 'jwt' }, root);
  await vault('POST', 'auth/jwt/config', { jwt_validation_pubkeys: [fs.readFileSync(PUBLIC_KEY, 'utf8')], bound_issuer: ISSUER }, root);
  await vault('PUT', 'sys/policies/acl/demo', { policy: 'path "secret/data/demo/*" { capabilities = ["read"] }' }, root);
  await vault('PUT', 'sys/policies/acl/demo-rotate', { policy: 'path "secret/data/demo/*" { capabilities = ["create", "update", "read"] }' }, root);
  await vault('POST', 'auth/jwt/role/demo', {
    role_type: 'jwt', bound_audiences: ['vault'], user_claim: 'sub', bound_subject: SUBJECT,
    token_policies: ['demo'], token_ttl: '15m', token_max_ttl: '1h',
  }, root);
  await vault('POST', SECRET_PATH, sampleSecret(1), root);
  const rotate = await vault('POST', 'auth/token/create-orphan', { policies: ['demo-rotate'], ttl: '24h', display_name: 'compose-rotate' }, root);
  writeSecretFile(ROTATE_TOKEN, rotate.auth.client_token, 0o400);
  await vault('POST', 'auth/token/revoke-self', {}, root);
  log(`JWT auth at auth/jwt (role demo, audience vault), policy demo, secret ${SECRET_PATH} version 1; root token revoked`);
}

async function rotate() {
  const token = fs.readFileSync(ROTATE_TOKEN, 'utf8').trim();
  const current = await vault('GET', SECRET_PATH, undefined, token);
  const next = (current.data?.metadata?.version ?? 0) + 1;
  await vault('POST', SECRET_PATH, sampleSecret(next), token);
  log(`${SECRET_PATH} is now version ${next}; the sidecar picks it up within its 10 s interval`);
}

const steps = { keys: async () => keys(), configure, rotate };
const step = steps[process.argv[2]];
if (!step) {
  process.stderr.write('usage: bootstrap.js keys|configure|rotate\n');
  process.exitCode = 2;
} else {
  step().catch((err) => {
    process.stderr.write(`bootstrap: ${err.message}\n`);
    process.exitCode = 1;
  });
}
