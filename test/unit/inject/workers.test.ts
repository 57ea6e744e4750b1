/** INJECTOR_WORKERS=auto: the CPU limit from the cgroup, within the CPUs the process may use. */
import { autoWorkers, cpusFromCfs, cpusFromCpuMax, readCpuLimit } from '../../../injector/workers';
import { loadInjectorConfig, MAX_AUTO_WORKERS, MAX_WORKERS } from '../../../src/config/injector';
import { ConfigError } from '../../../src/errors';
import { BASE_ENV } from '../../helpers/injector';

describe('the CPU limit', () => {
  it.each<[string, number | undefined]>([
    ['max 100000', undefined],
    ['200000 100000', 2],
    ['150000 100000\n', 1.5],
    ['50000 100000', 0.5],
    ['200000 0', undefined],
    ['', undefined],
    ['-1 100000', undefined],
  ])('cgroup v2 cpu.max %j', (text, cpus) => {
    expect(cpusFromCpuMax(text)).toBe(cpus);
  });

  it.each<[string, string, number | undefined]>([
    ['-1', '100000', undefined],
    ['300000', '100000', 3],
    ['x', '100000', undefined],
  ])('cgroup v1 quota %s period %s', (quota, period, cpus) => {
    expect(cpusFromCfs(quota, period)).toBe(cpus);
  });

  it('reads v2 first, then v1, and gives none when neither is there', () => {
    const files = (map: Record<string, string>) => (p: string): string => {
      if (!(p in map)) throw new Error('ENOENT');
      return map[p]!;
    };
    expect(readCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '300000 100000' }))).toBe(3);
    expect(readCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }))).toBe(1);
    expect(readCpuLimit(files({}))).toBeUndefined();
  });
});

describe('auto workers', () => {
  it.each<[number | undefined, number, number]>([
    [undefined, 2, 2],
    [undefined, 1, 1],
    [undefined, 64, MAX_AUTO_WORKERS],
    [0.5, 4, 1],
    [1, 4, 1],
    [1.5, 4, 2],
    [2, 4, 2],
    [16, 4, 4],
    [16, 32, MAX_AUTO_WORKERS],
  ])('limit %s on %s CPUs: %s', (limit, available, workers) => {
    expect(autoWorkers(limit, available)).toBe(workers);
  });
});

describe('INJECTOR_WORKERS', () => {
  it.each<[string | undefined, number | 'auto']>([
    [undefined, 'auto'],
    ['auto', 'auto'],
    ['1', 1],
    [String(MAX_WORKERS), MAX_WORKERS],
  ])('%s', (text, workers) => {
    expect(loadInjectorConfig({ ...BASE_ENV, ...(text !== undefined && { INJECTOR_WORKERS: text }) }).workers).toBe(workers);
  });

  it.each(['0', String(MAX_WORKERS + 1), 'two', '-1', '1.5', 'AUTO'])('%s is refused, naming what is expected', (text) => {
    expect(() => loadInjectorConfig({ ...BASE_ENV, INJECTOR_WORKERS: text })).toThrow(ConfigError);
    expect(() => loadInjectorConfig({ ...BASE_ENV, INJECTOR_WORKERS: text })).toThrow(`INJECTOR_WORKERS: must be auto or a whole number from 1 to ${MAX_WORKERS}`);
  });
});
