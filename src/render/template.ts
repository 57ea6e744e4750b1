/**
 * `template-<name>`: logic-less mustache over the secret's fields only. No partials, no
 * lambdas (the view is plain data copied into prototype-less objects, so `{{constructor}}`
 * finds nothing), HTML escaping off unless the file is HTML, and every name used outside
 * a section must exist: a missing key is an error, never an empty string.
 */
import type MustacheNs from 'mustache';
import { RenderError } from '../errors';

type Token = [string, string, number, number, Token[]?, number?];

export function renderTemplate(template: string, fields: Record<string, unknown>, opts: { path: string; html: boolean }): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mustache = require('mustache') as typeof MustacheNs;
  let tokens: Token[];
  try {
    tokens = mustache.parse(template) as unknown as Token[];
  } catch (err) {
    throw new RenderError(`${opts.path}: template does not parse (${err instanceof Error ? err.message.split('\n')[0] : 'error'})`);
  }
  const view = plain(fields) as Record<string, unknown>;
  checkTokens(tokens, view, opts.path);
  const escape = opts.html ? mustache.escape : (s: string): string => s;
  return mustache.render(template, view, {}, { escape });
}

// `^` (inverted section) is allowed to name an absent key: that is its purpose.
const CHECKED = new Set(['name', '&', '#']);

function checkTokens(tokens: Token[], view: Record<string, unknown>, path: string): void {
  for (const [type, name] of tokens) {
    if (type === '>' || type === '<' || type === '$') throw new RenderError(`${path}: templates cannot use partials`);
    if (type === '=') throw new RenderError(`${path}: templates cannot change delimiters`);
    // Names inside sections may refer to the section's item, so only top-level names are checked.
    if (CHECKED.has(type) && name !== '.' && lookup(view, name) === undefined) {
      throw new RenderError(`${path}: template uses key "${name.slice(0, 64)}" which is not in the secret`);
    }
  }
}

function lookup(view: Record<string, unknown>, name: string): unknown {
  let cur: unknown = view;
  for (const part of name.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === null ? undefined : cur;
}

/** A deep copy with no prototypes and no functions: only data reaches the template. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return typeof v === 'function' ? undefined : v;
}
