/**
 * Pure: a secret's fields and its spec in, file content out. Formats are lazy-loaded
 * (yaml, mustache) so the first file is not slowed by formats it does not use.
 * A missing key or an unusable value is a RenderError naming the path and key, never
 * the value, and `undefined` is never rendered.
 */
import { RenderError } from '../errors';
import { printableName } from '../printable';
import type { SecretSpec } from '../spec';
import { renderTemplate } from './template';

export type Fields = Record<string, unknown>;

export function render(spec: Pick<SecretSpec, 'path' | 'format' | 'key' | 'template' | 'file'>, fields: Fields): string {
  if (spec.template !== undefined) return renderTemplate(spec.template, fields, { path: spec.path, html: /\.html?$/.test(spec.file) });
  if (spec.key !== undefined) return scalar(field(fields, spec.key, spec.path), spec.path, spec.key);
  switch (spec.format) {
    case 'json':
      return `${JSON.stringify(fields, null, 2)}\n`;
    case 'yaml':
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require('yaml') as typeof import('yaml')).stringify(fields);
    case 'env':
      return lines(fields, spec.path, envLine);
    case 'properties':
      return lines(fields, spec.path, propertiesLine);
    case 'raw':
      return raw(fields, spec.path);
    case 'pem':
      return pem(fields, spec.path);
  }
}

function field(fields: Fields, key: string, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(fields, key) || fields[key] === undefined || fields[key] === null) {
    throw new RenderError(`${path}: key "${key}" not found in the secret`);
  }
  return fields[key];
}

function scalar(v: unknown, path: string, key: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'object') return JSON.stringify(v);
  throw new RenderError(`${path}: key "${key}" has no printable value`);
}

function lines(fields: Fields, path: string, line: (k: string, v: string, path: string) => string): string {
  const keys = Object.keys(fields).sort();
  if (keys.length === 0) throw new RenderError(`${path}: the secret has no fields`);
  return keys.map((k) => line(k, scalar(fields[k], path, k), path)).join('');
}

/** `KEY='value'`: sourceable by a POSIX shell and read as data by dotenv parsers. */
function envLine(key: string, value: string, path: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new RenderError(`${path}: key "${safeKey(key)}" is not a valid environment variable name`);
  return `${key}='${value.replace(/'/g, `'\\''`)}'\n`;
}

/** Java properties: escapes for keys and values, non-ASCII as \uXXXX, newlines as \n. */
function propertiesLine(key: string, value: string): string {
  return `${escapeProperty(key, true)}=${escapeProperty(value, false)}\n`;
}

const PROPERTY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f' };

function escapeProperty(s: string, isKey: boolean): string {
  let out = '';
  for (const [i, ch] of [...s].entries()) {
    const code = ch.codePointAt(0) ?? 0;
    if (PROPERTY_ESCAPES[ch] !== undefined) out += PROPERTY_ESCAPES[ch];
    else if ((isKey || i === 0) && ch === ' ') out += '\\ ';
    else if ('=:#!'.includes(ch)) out += `\\${ch}`;
    else if (code < 0x20 || code > 0x7e) out += utf16Escape(ch);
    else out += ch;
  }
  return out;
}

function utf16Escape(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

function raw(fields: Fields, path: string): string {
  const keys = Object.keys(fields);
  if (keys.length !== 1) throw new RenderError(`${path}: format raw needs key-<name> or a secret with exactly one field (it has ${keys.length})`);
  const key = keys[0] as string;
  return scalar(field(fields, key, path), path, key);
}

// PKI issue answers: certificate, then the chain, then the key; other secrets: every PEM field in key order.
const PKI_ORDER = ['certificate', 'ca_chain', 'issuing_ca', 'private_key'];

function pem(fields: Fields, path: string): string {
  const isPki = typeof fields.certificate === 'string';
  const keys = isPki ? PKI_ORDER.filter((k) => k in fields) : Object.keys(fields).sort();
  const blocks: string[] = [];
  for (const k of keys) {
    const v = fields[k];
    const values = Array.isArray(v) ? v : [v];
    for (const item of values) {
      if (typeof item === 'string' && item.includes('-----BEGIN ') && !blocks.includes(item.trim())) blocks.push(item.trim());
    }
  }
  if (blocks.length === 0) throw new RenderError(`${path}: format pem found no PEM field in the secret`);
  return `${blocks.join('\n')}\n`;
}

/** Keys are names, not values, but a hostile one could be long or carry control characters. */
const safeKey = (key: string): string => printableName(key, 64);
