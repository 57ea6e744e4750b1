/**
 * How many server processes `INJECTOR_WORKERS=auto` runs: the container's CPU limit
 * (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`) rounded up, else
 * the CPUs the process may run on (os.availableParallelism(), which follows the affinity
 * mask), never more than those CPUs nor MAX_AUTO_WORKERS. Pure but for readCpuLimit.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MAX_AUTO_WORKERS } from '../src/config/injector';

/** CPUs allowed by a cgroup v2 `cpu.max` line (`200000 100000`), or undefined for `max` or anything else. */
export function cpusFromCpuMax(text: string): number | undefined {
  const m = /^(\d+) (\d+)\s*$/.exec(text);
  return m && Number(m[2]) > 0 ? Number(m[1]) / Number(m[2]) : undefined;
}

/** CPUs allowed by cgroup v1's quota and period (quota -1: no limit). */
export function cpusFromCfs(quota: string, period: string): number | undefined {
  const q = Number(quota.trim());
  const p = Number(period.trim());
  return Number.isInteger(q) && q > 0 && p > 0 ? q / p : undefined;
}

/** The workers for `auto`: the CPU limit rounded up (a 1500m limit gets 2), within 1 and the CPUs the process may use. */
export function autoWorkers(cpuLimit: number | undefined, available: number): number {
  const ceiling = Math.max(1, Math.min(available, MAX_AUTO_WORKERS));
  return cpuLimit === undefined ? ceiling : Math.min(ceiling, Math.max(1, Math.ceil(cpuLimit - 1e-9)));
}

/** The container's CPU limit, read from its cgroup; undefined when there is none or it cannot be read. */
export function readCpuLimit(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number | undefined {
  try {
    return cpusFromCpuMax(read('/sys/fs/cgroup/cpu.max'));
  } catch {
    try {
      return cpusFromCfs(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
    } catch {
      return undefined;
    }
  }
}

export function resolveWorkers(setting: number | 'auto'): number {
  return setting === 'auto' ? autoWorkers(readCpuLimit(), availableParallelism()) : setting;
}
