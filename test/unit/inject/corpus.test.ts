/** Every real pod of the corpus, opted in, injects cleanly in every shape; the patched pod is structurally valid. */
import { reviewPod } from '../../../src/inject/review';
import type { Pod } from '../../../src/inject/types';
import { corpusPods, createReview, patched, structureProblems, testConfig } from '../../helpers/injector';

const optIn = (pod: Pod, extra: Record<string, string> = {}): Pod => ({
  ...pod,
  metadata: {
    ...pod.metadata,
    annotations: { ...pod.metadata?.annotations, 'secrets-broker.io/inject': 'true', 'secrets-broker.io/secret-app': 'secret/data/app/config', ...extra },
  },
});

const shapes: [string, Record<string, string>, Record<string, string>][] = [
  ['native', {}, {}],
  ['classic', { INJECTOR_SIDECAR_MODE: 'classic' }, {}],
  ['init-only', {}, { 'secrets-broker.io/lifecycle': 'init-only' }],
  ['signal notify', {}, { 'secrets-broker.io/notify': 'signal:SIGHUP' }],
];

describe.each(shapes)('corpus, %s', (_shape, env, annotations) => {
  const config = testConfig(env);
  it.each(corpusPods().map(({ file, pod }) => [file, pod] as const))('%s', (_file, original) => {
    const pod = optIn(original, annotations);
    const result = reviewPod(createReview(pod, original.metadata?.namespace ?? 'default'), { config });
    expect(result.outcome).toBe('inject');
    const after = patched(pod, result.body.response as Record<string, unknown>);
    expect(structureProblems(pod, after)).toEqual([]);
    expect(after.metadata?.annotations?.['secrets-broker.io/status']).toBe('injected');
    // Reinvocation: nothing more to do.
    expect(reviewPod(createReview(after), { config }).reason).toBe('already-injected');
  });
});

it('has the 31 corpus pods', () => {
  expect(corpusPods()).toHaveLength(31);
});
