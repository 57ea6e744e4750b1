import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { RenderError } from '../../../src/errors';
import { render } from '../../../src/render/render';
import type { SecretSpec } from '../../../src/spec';

const base = { path: 'secret/data/app', file: 'out', format: 'json' as SecretSpec['format'] };
const fields = { username: 'app', password: "p'a$s\"w{{x}}${HOME}\nline2", port: 5432 };

describe('render', () => {
  it.each([
    { format: 'json', expected: `${JSON.stringify(fields, null, 2)}\n` },
    { format: 'env', expected: `password='p'\\''a$s"w{{x}}\${HOME}\nline2'\nport='5432'\nusername='app'\n` },
    { format: 'properties', expected: 'password=p\'a$s"w{{x}}${HOME}\\nline2\nport=5432\nusername=app\n' },
  ] as const)('$format treats values as data', ({ format, expected }) => {
    expect(render({ ...base, format }, fields)).toBe(expected);
  });

  it('yaml round-trips exactly', () => {
    expect(YAML.parse(render({ ...base, format: 'yaml' }, fields))).toEqual(fields);
  });

  it('env output is sourceable by a shell and yields the exact value', () => {
    const out = execFileSync('sh', ['-c', `${render({ ...base, format: 'env' }, fields)}\nprintf %s "$password"`]).toString();
    expect(out).toBe(fields.password);
  });

  it('properties escapes separators and non-ASCII', () => {
    expect(render({ ...base, format: 'properties' }, { 'a b=c': 'é:#!\\' })).toBe('a\\ b\\=c=\\u00e9\\:\\#\\!\\\\\n');
  });

  it('key-<name> writes one field raw; a missing key names path and key', () => {
    expect(render({ ...base, key: 'password' }, fields)).toBe(fields.password);
    expect(render({ ...base, key: 'port' }, fields)).toBe('5432');
    expect(() => render({ ...base, key: 'nope' }, fields)).toThrow(new RenderError('secret/data/app: key "nope" not found in the secret'));
    expect(() => render({ ...base, key: 'x' }, { x: null })).toThrow(RenderError);
  });

  it('raw needs exactly one field', () => {
    expect(render({ ...base, format: 'raw' }, { only: 'v' })).toBe('v');
    expect(() => render({ ...base, format: 'raw' }, fields)).toThrow(/exactly one field \(it has 3\)/);
  });

  it('pem orders certificate, chain, key and refuses a secret without PEM', () => {
    const pki = { private_key: '-----BEGIN KEY-----\nk\n-----END KEY-----', certificate: '-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----', issuing_ca: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----', ca_chain: ['-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----'], serial_number: '01' };
    expect(render({ ...base, format: 'pem' }, pki)).toBe(`${pki.certificate}\n${pki.issuing_ca}\n${pki.private_key}\n`);
    expect(() => render({ ...base, format: 'pem' }, { a: 'b' })).toThrow(/no PEM field/);
  });

  it('env refuses keys that are not variable names (without echoing values)', () => {
    expect(() => render({ ...base, format: 'env' }, { 'bad-key': 'secretvalue' })).toThrow(/"bad-key" is not a valid environment variable name/);
  });
});

describe('templates', () => {
  const t = (template: string, f: Record<string, unknown> = fields, file = 'out.conf') => render({ ...base, file, template }, f);

  it('renders fields with escaping off for non-HTML files', () => {
    expect(t('postgres://{{username}}:{{password}}@db:{{port}}/app')).toBe(`postgres://app:${fields.password}@db:5432/app`);
    expect(t('{{a}}', { a: '<&>' }, 'page.html')).toBe('&lt;&amp;&gt;');
  });

  it('does not re-interpret mustache or shell syntax inside values', () => {
    expect(t('{{password}}')).toContain('{{x}}${HOME}');
  });

  it.each([
    { tpl: '{{missing}}', err: /key "missing" which is not in the secret/ },
    { tpl: '{{> partial}}', err: /cannot use partials/ },
    { tpl: '{{=<% %>=}}', err: /cannot change delimiters/ },
    { tpl: '{{constructor}}', err: /key "constructor"/ },
    { tpl: '{{__proto__}}', err: /key "__proto__"/ },
    { tpl: '{{#unclosed}}', err: /does not parse/ },
  ])('refuses $tpl', ({ tpl, err }) => {
    expect(() => t(tpl)).toThrow(err);
  });

  it('allows sections and inverted sections over data', () => {
    expect(t('{{#hosts}}{{.}},{{/hosts}}{{^absent}}none{{/absent}}', { hosts: ['a', 'b'] })).toBe('a,b,none');
  });
});
