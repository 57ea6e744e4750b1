/** Manifests to pod templates: every workload kind, multi-document YAML, JSON, Lists, and unreadable input. */
import { stringify } from 'yaml';
import { MAX_OBJECTS, podTemplates } from '../../../src/explain/templates';

const spec = { containers: [{ name: 'app', image: 'example/app:1' }] };
const template = { metadata: { labels: { app: 'web' }, annotations: { 'secrets-broker.io/inject': 'true' } }, spec };

describe('podTemplates', () => {
  it.each([
    ['Deployment', { spec: { template } }],
    ['StatefulSet', { spec: { template } }],
    ['DaemonSet', { spec: { template } }],
    ['ReplicaSet', { spec: { template } }],
    ['Job', { spec: { template } }],
    ['CronJob', { spec: { jobTemplate: { spec: { template } } } }],
  ])('a %s becomes the pod its controller submits: template metadata, generateName, the workload namespace', (kind, body) => {
    const r = podTemplates(JSON.stringify({ apiVersion: 'apps/v1', kind, metadata: { name: 'web', namespace: 'shop' }, ...body }), 'w.json');
    expect(r.problems).toEqual([]);
    expect(r.templates).toHaveLength(1);
    const [t] = r.templates;
    expect(t).toMatchObject({ label: `w.json: ${kind}/web`, kind, name: 'web', namespace: 'shop' });
    expect(t?.pod).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, generateName: 'web-', namespace: 'shop' }, spec });
  });

  it('a bare Pod keeps its own metadata; objects without a namespace get the default one', () => {
    const r = podTemplates(stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }), 'p.yaml', 'team');
    expect(r.templates[0]?.pod.metadata).toEqual({ name: 'p', namespace: 'team' });
  });

  it('reads several YAML documents and kubectl Lists, and counts objects that hold no template', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ kind: 'Deployment', metadata: { name: 'a' }, spec: { template } }, { kind: 'Service', metadata: { name: 's' } }] };
    const text = [stringify(list), stringify({ kind: 'Job', metadata: { name: 'b' }, spec: { template } }), '', stringify({ kind: 'ConfigMap', metadata: { name: 'c' } })].join('---\n');
    const r = podTemplates(text, 'all.yaml');
    expect(r.templates.map((t) => t.label)).toEqual(['all.yaml: Deployment/a', 'all.yaml: Job/b']);
    expect(r.ignored).toBe(2);
    expect(r.problems).toEqual([]);
  });

  it.each([
    ['not YAML', 'kind: [unclosed', /document 1: not YAML or JSON/],
    ['a workload without a template', JSON.stringify({ kind: 'Deployment', metadata: { name: 'd' }, spec: {} }), /Deployment\/d: no usable pod spec/],
    ['containers that are not a list', JSON.stringify({ kind: 'Pod', metadata: { name: 'p' }, spec: { containers: 'app' } }), /Pod\/p: no usable pod spec/],
    ['an annotation that is not a string', JSON.stringify({ kind: 'Pod', metadata: { name: 'p', annotations: { a: 1 } }, spec }), /Pod\/p: no usable pod spec/],
    ['an object without a kind', JSON.stringify({ metadata: { name: 'x' } }), /an object without a kind/],
  ])('%s is a problem naming the file and object, never its content', (_name, text, expected) => {
    const r = podTemplates(text, 'bad.yaml');
    expect(r.templates).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(expected);
    expect(r.problems[0]).toMatch(/^bad\.yaml: /);
  });

  it('an alias bomb is a problem, not an expansion', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(podTemplates(bomb, 'bomb.yaml').problems).toEqual(['bomb.yaml: document 1: aliases expand too far']);
  });

  it(`reads at most ${MAX_OBJECTS} objects of one file, saying so`, () => {
    const items = Array.from({ length: MAX_OBJECTS + 5 }, (_, i) => ({ kind: 'ConfigMap', metadata: { name: `c${i}` } }));
    const r = podTemplates(JSON.stringify({ kind: 'List', items }), 'big.json');
    expect(r.ignored).toBe(MAX_OBJECTS);
    expect(r.problems).toEqual([`big.json: more than ${MAX_OBJECTS} objects; only the first ${MAX_OBJECTS} are read`]);
  });
});
