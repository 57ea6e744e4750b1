/** The literal-secret policy's budget: bounded work whatever the pod holds, and a safe answer when it runs out. */
import {
  findLiterals,
  LITERAL_VALUE_OVERHEAD_CHARS,
  MAX_LITERAL_NAME_CHARS,
  MAX_LITERAL_REQUEST_CHARS,
  MAX_LITERAL_VALUE_CHARS,
  type LiteralDetector,
} from '../../../src/inject/literal';
import { reviewPod } from '../../../src/inject/review';
import type { Pod } from '../../../src/inject/types';
import { basicPod, createReview, fakeDetect, fixture, testConfig } from '../../helpers/injector';
import { RSA_KEY_HEADER } from '../../helpers/fake-secrets';

/** A detector that only counts what it is shown. */
function counting(): { detect: LiteralDetector; calls: number; chars: number; longest: number } {
  const c = { calls: 0, chars: 0, longest: 0, detect: (() => undefined) as LiteralDetector };
  c.detect = (value, name) => {
    c.calls++;
    const seen = value.length + (name?.length ?? 0);
    c.chars += seen;
    c.longest = Math.max(c.longest, value.length);
    return undefined;
  };
  return c;
}

/** A pod holding `count` values of `size` characters in env, command and args. */
function heavy(count: number, size: number): Pod {
  const value = (i: number) => `${i}:`.padEnd(size, RSA_KEY_HEADER);
  return basicPod({}, {
    containers: [{
      name: 'app', image: 'a',
      env: Array.from({ length: count }, (_, i) => ({ name: `V${i}`.padEnd(1000, 'N'), value: value(i) })),
      args: [value(-1)],
    }],
  });
}

describe('budget: the work is bounded whatever the pod holds (T3)', () => {
  it.each([
    ['a few huge values', 8, 3 * 1024 * 1024 / 8],
    ['many large values', 400, 8192],
    ['very many small values', 20000, 16],
  ])('%s', (_label, count, size) => {
    const c = counting();
    const scan = findLiterals(heavy(count, size), c.detect);
    // Each value is shown at most the per-value cap, each name at most the name cap...
    expect(c.longest).toBeLessThanOrEqual(MAX_LITERAL_VALUE_CHARS);
    // ...and the request examines at most its budget, plus the one value that crossed it.
    const perValue = MAX_LITERAL_VALUE_CHARS + MAX_LITERAL_NAME_CHARS + LITERAL_VALUE_OVERHEAD_CHARS;
    expect(c.chars + c.calls * LITERAL_VALUE_OVERHEAD_CHARS).toBeLessThanOrEqual(MAX_LITERAL_REQUEST_CHARS + perValue);
    expect(c.calls * LITERAL_VALUE_OVERHEAD_CHARS).toBeLessThanOrEqual(MAX_LITERAL_REQUEST_CHARS + perValue);
    expect(c.calls + scan.skipped.length).toBe(count + 1);
  });

  it('a legitimately large pod (1000 env vars) is examined in full', () => {
    const c = counting();
    const pod = fixture('pod-create-1000-env').request.object as Pod;
    const scan = findLiterals(pod, c.detect);
    expect(scan.truncated).toEqual([]);
    expect(scan.skipped).toEqual([]);
    expect(c.calls).toBe(pod.spec.containers.reduce((n, x) => n + (x.env ?? []).filter((e) => e.value).length + (x.args ?? []).length + (x.command ?? []).length, 0));
  });
});

describe('budget exhausted: the policy decides safely', () => {
  const leakPastTheCap = (): Pod =>
    basicPod({}, { containers: [{ name: 'app', image: 'a', env: [{ name: 'CONFIG', value: `${'x'.repeat(MAX_LITERAL_VALUE_CHARS)} --password=hunter2hunter2` }] }] });

  it('deny: a value examined only in part is not proven clean; the pod is denied, naming it', () => {
    const r = reviewPod(createReview(leakPastTheCap()), { config: testConfig({ INJECTOR_LITERAL_SECRETS: 'deny' }), detect: fakeDetect });
    expect(r).toMatchObject({ outcome: 'deny', reason: 'literal-secret' });
    const message = String((r.body.response as any).status.message);
    expect(message).toContain(`container "app" env "CONFIG": longer than ${MAX_LITERAL_VALUE_CHARS} characters, not checked for literal secrets past that`);
    expect(message).toContain('ConfigMap or Secret');
    expect(message).not.toContain('hunter2');
  });

  it('warn: the same line is a warning and the pod is injected', () => {
    const r = reviewPod(createReview(leakPastTheCap()), { config: testConfig(), detect: fakeDetect });
    expect(r.outcome).toBe('inject');
    expect((r.body.response as any).warnings).toEqual([`container "app" env "CONFIG": longer than ${MAX_LITERAL_VALUE_CHARS} characters, not checked for literal secrets past that`]);
  });

  it('deny: values never examined deny the pod, saying where the check stopped', () => {
    const r = reviewPod(createReview(heavy(200, 4000)), { config: testConfig({ INJECTOR_LITERAL_SECRETS: 'deny' }), detect: fakeDetect });
    expect(r.outcome).toBe('deny');
    expect(String((r.body.response as any).status.message)).toMatch(
      new RegExp(`literal-secret check stopped after ${MAX_LITERAL_REQUEST_CHARS} characters: \\d+ more values not checked, from container "app" env "V\\d+N+\\.\\.\\." on`),
    );
  });

  it('deny: a literal found and an annotation problem are named in one message', () => {
    const pod = basicPod({ 'secrets-broker.io/mode-db': '0777' }, { containers: [{ name: 'app', image: 'a', env: [{ name: 'AWS', value: ['AK', 'IA', 'J7PQ2XK4MZ5RT3WB'].join('') }] }] });
    const r = reviewPod(createReview(pod), { config: testConfig({ INJECTOR_LITERAL_SECRETS: 'deny' }), detect: fakeDetect });
    const message = String((r.body.response as any).status.message);
    expect(message).toContain('container "app" env "AWS": literal secret');
    expect(message).toContain('secrets-broker.io/mode-db: must not be world-accessible');
  });
});
