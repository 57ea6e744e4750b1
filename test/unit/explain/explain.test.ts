/** explain's decision for one template: the webhook's own answer read back into additions, skip reasons and problems. */
import { applyPatch, deepClone } from 'fast-json-patch';
import { applyAdds } from '../../../src/explain/apply';
import { explainTemplate, type Explanation } from '../../../src/explain/explain';
import { formatSummary } from '../../../src/explain/format';
import type { PodTemplate } from '../../../src/explain/templates';
import type { Pod } from '../../../src/inject/types';
import { basicPod, corpusPods, testConfig } from '../../helpers/injector';

const OPT_IN = { 'secrets-broker.io/inject': 'true', 'secrets-broker.io/secret-db': 'secret/data/app/db', 'secrets-broker.io/mode-db': '0400', 'secrets-broker.io/file-db': 'db/creds.json' };

function template(pod: Pod, namespace = 'shop'): PodTemplate {
  return { label: `t.yaml: Pod/${pod.metadata?.name ?? ''}`, kind: 'Pod', name: pod.metadata?.name ?? '', namespace, pod };
}

function injected(e: Explanation): Extract<Explanation, { outcome: 'inject' }> {
  if (e.outcome !== 'inject') throw new Error(`expected inject, got ${e.outcome}`);
  return e;
}

describe('explainTemplate on the public corpus', () => {
  it.each(corpusPods().map((c) => [c.file, c.pod] as const))('%s, opted in: injected, and the mutated pod is the patch applied', (_file, pod) => {
    pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...OPT_IN } };
    const e = injected(explainTemplate(template(pod), testConfig()));
    expect(e.mutated).toEqual(applyPatch(deepClone(pod), deepClone(e.patch), true, false).newDocument);
    expect(e.added.containers).toEqual(['initContainers/secrets-broker']);
    expect(e.added.volumes).toEqual(['secrets-broker-data', 'secrets-broker-token']);
    expect(e.added.mounts).toEqual(pod.spec.containers.map((c) => `${c.name}: /secrets (read-only)`));
    expect(e.added.spec.secrets).toEqual([expect.objectContaining({ name: 'db', path: 'secret/data/app/db', file: 'db/creds.json', mode: 0o400 })]);
    expect(e.added.spec.role).toBe(pod.spec.serviceAccountName ?? 'default');
    // Explaining what it would create says: already injected.
    expect(explainTemplate(template(e.mutated), testConfig())).toMatchObject({ outcome: 'skip', reason: 'already-injected' });
  });
});

describe('explainTemplate outcomes', () => {
  it.each([
    ['no opt-in', basicPod({ 'secrets-broker.io/inject': 'false' }), 'shop', {}, 'no-opt-in'],
    ['a system namespace', basicPod(), 'kube-system', {}, 'system-namespace'],
    ["the injector's own namespace", basicPod(), 'secrets-broker', {}, 'own-namespace'],
    ['an excluded namespace', basicPod(), 'legacy', { INJECTOR_EXCLUDE_NAMESPACES: 'legacy,old' }, 'excluded-namespace'],
  ])('%s: skipped, with the reason', (_name, pod, namespace, env, reason) => {
    expect(explainTemplate(template(pod, namespace), testConfig(env))).toMatchObject({ outcome: 'skip', reason });
  });

  it('an invalid pod: denied naming every problem, as the webhook says it', () => {
    const pod = basicPod({ 'secrets-broker.io/vault-addr': 'https://evil.example', 'secrets-broker.io/mode-db': '0777', 'secrets-broker.io/containers': 'nope' });
    const e = explainTemplate(template(pod), testConfig());
    expect(e).toMatchObject({ outcome: 'deny', reason: 'invalid-annotations' });
    const lines = formatSummary([e], 0).split('\n');
    expect(lines[0]).toBe('t.yaml: Pod/app (namespace shop): denied');
    expect(lines[1]).toMatch(/^ {2}the webhook says: secrets-broker: /);
    for (const p of ['secrets-broker.io/vault-addr: is an operator setting', 'no container named "nope"', 'secrets-broker.io/mode-db: must not be world-accessible']) expect(lines[1]).toContain(p);
    expect(lines.join('\n')).not.toContain('evil.example');
  });

  it.each([
    ['warn', 'inject', 0],
    ['deny', 'deny', 1],
  ])('a literal secret under %s: %s, with the policy warning', (policy, outcome, exitsDenied) => {
    const pod = basicPod({}, { containers: [{ name: 'app', image: 'example/app:1', env: [{ name: 'AWS_KEY_ID', value: ['AK', 'IA', 'J7PQ2XK4MZ5RT3WB'].join('') }] }] });
    const e = explainTemplate(template(pod), testConfig({ INJECTOR_LITERAL_SECRETS: policy }));
    expect(e.outcome).toBe(outcome);
    const text = formatSummary([e], 0);
    expect(text).toMatch(exitsDenied ? /the webhook says: .*AWS_KEY_ID/ : /warning: .*AWS_KEY_ID/);
    expect(text).not.toContain(['AK', 'IA', 'J7PQ2XK4MZ5RT3WB'].join(''));
  });

  it('the summary of an injection names containers, volumes, mounts, group, files and modes', () => {
    const pod = basicPod(OPT_IN, { securityContext: { fsGroup: 2000 } });
    const text = formatSummary([explainTemplate(template(pod), testConfig())], 3);
    expect(text).toBe(
      [
        't.yaml: Pod/app (namespace shop): injected',
        '  role: default; lifecycle: sidecar, refreshed every 300s',
        '  containers added: initContainers/secrets-broker',
        '  volumes added: secrets-broker-data, secrets-broker-token',
        '  mount added: app: /secrets (read-only)',
        '  files (group 2000):',
        '    /secrets/db/creds.json  mode 0400  json  from secret/data/app/db',
        '1 pod template(s): 1 injected, 0 skipped, 0 denied; 3 other object(s) hold no pod template',
        '',
      ].join('\n'),
    );
  });
});

describe('applyAdds', () => {
  it.each([
    ['append', { a: [1] }, [{ op: 'add' as const, path: '/a/-', value: 2 }], { a: [1, 2] }],
    ['insert', { a: [1, 3] }, [{ op: 'add' as const, path: '/a/1', value: 2 }], { a: [1, 2, 3] }],
    ['escaped key', { m: {} }, [{ op: 'add' as const, path: '/m/x~1y~0z', value: 'v' }], { m: { 'x/y~z': 'v' } }],
    ['a __proto__ key stays data', { m: {} }, [{ op: 'add' as const, path: '/m/__proto__', value: { polluted: true } }], JSON.parse('{"m":{"__proto__":{"polluted":true}}}')],
  ])('%s', (_name, doc, ops, expected) => {
    const before = structuredClone(doc);
    expect(applyAdds(doc, ops)).toEqual(expected);
    expect(doc).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['/missing/x', '/a/9', '/a/x'])('a path that is not there throws: %s', (path) => {
    expect(() => applyAdds({ a: [] }, [{ op: 'add', path, value: 1 }])).toThrow(/patch path/);
  });
});
