/**
 * Signed checkpoints: the only module that imports jose. A checkpoint is a JWS
 * (RFC 7515, flattened serialization, detached payload per appendix F) over the chain
 * head. The record keeps the protected header and the signature; the payload is rebuilt
 * from the record's own fields, so no JWT-shaped string ever appears in the trail.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, FlattenedSign, flattenedVerify } from 'jose';
import { BrokerError } from '../errors';
import type { ChainHead } from './chain';
import type { CheckpointRef } from './record';

/** `typ` of every checkpoint's protected header. */
export const CHECKPOINT_TYP = 'secrets-broker-checkpoint';

export type CheckpointAlg = 'ES256' | 'EdDSA';

/** A private key ready to sign checkpoints. */
export interface CheckpointSigner {
  alg: CheckpointAlg;
  kid: string;
  sign(stream: string, head: ChainHead, every: number, ts: string): Promise<CheckpointRef>;
}

/** A public key that checks checkpoints; `check` resolves false for any bad signature. */
export interface CheckpointVerifier {
  kid: string;
  check(cp: CheckpointRef): Promise<boolean>;
}

/** The exact bytes a checkpoint signs: fixed key order, no whitespace. */
export function checkpointPayload(cp: Pick<CheckpointRef, 'stream' | 'seq' | 'hash' | 'ts' | 'every'>): string {
  return JSON.stringify({ stream: cp.stream, seq: cp.seq, hash: cp.hash, ts: cp.ts, every: cp.every });
}

function algFor(key: KeyObject): CheckpointAlg {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new BrokerError('AUDIT_KEY_UNSUPPORTED', 'checkpoint key must be Ed25519 (EdDSA) or P-256 (ES256)');
}

/** RFC 7638 thumbprint of the public key: the default key id. */
async function thumbprint(pub: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(pub));
}

function keyText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new BrokerError('AUDIT_KEY_UNREADABLE', `checkpoint key ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

function parseKey(text: string, kind: 'private' | 'public', path: string): KeyObject {
  try {
    const input = text.trimStart().startsWith('{') ? { key: JSON.parse(text) as object, format: 'jwk' as const } : text;
    return kind === 'private' ? createPrivateKey(input as Parameters<typeof createPrivateKey>[0]) : createPublicKey(input as Parameters<typeof createPublicKey>[0]);
  } catch {
    // Never echo key material: name the file only.
    throw new BrokerError('AUDIT_KEY_INVALID', `checkpoint key ${path}: not a ${kind} key in PEM or JWK form`);
  }
}

/** Loads a PEM (PKCS#8) or JWK private key, e.g. mounted from a Kubernetes Secret. */
export async function loadSigner(path: string): Promise<CheckpointSigner> {
  const key = parseKey(keyText(path), 'private', path);
  return signerFromKey(key);
}

/** A signer over an in-memory private key (tests, key rotation tooling). */
export async function signerFromKey(key: KeyObject): Promise<CheckpointSigner> {
  const alg = algFor(key);
  const kid = await thumbprint(createPublicKey(key));
  return {
    alg,
    kid,
    async sign(stream, head, every, ts): Promise<CheckpointRef> {
      const fields = { stream, seq: head.seq, hash: head.hash, ts, every };
      const jws = await new FlattenedSign(Buffer.from(checkpointPayload(fields), 'utf8'))
        .setProtectedHeader({ alg, kid, typ: CHECKPOINT_TYP })
        .sign(key);
      return { ...fields, kid, protected: jws.protected ?? '', signature: jws.signature };
    },
  };
}

/** Loads a public key (PEM SPKI, a private key PEM, or JWK) for `audit verify --key`. */
export async function loadVerifier(path: string): Promise<CheckpointVerifier> {
  return verifierFromKey(parseKey(keyText(path), 'public', path));
}

/** A verifier over an in-memory public key. */
export async function verifierFromKey(pub: KeyObject): Promise<CheckpointVerifier> {
  const alg = algFor(pub);
  const kid = await thumbprint(pub);
  return {
    kid,
    async check(cp): Promise<boolean> {
      try {
        const payload = Buffer.from(checkpointPayload(cp), 'utf8').toString('base64url');
        const { protectedHeader } = await flattenedVerify({ protected: cp.protected, payload, signature: cp.signature }, pub, {
          algorithms: [alg],
        });
        return protectedHeader?.kid === cp.kid && protectedHeader.typ === CHECKPOINT_TYP;
      } catch {
        return false;
      }
    },
  };
}
